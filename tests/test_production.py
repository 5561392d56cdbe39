"""The served app refuses to start without its production settings
(lms/production.py): each missing or weak variable is named with how to fix
it, before any worker starts (gunicorn.conf.py) and when wsgi.py is loaded by
another server; no traceback, no key made on the spot, no SQLite by default."""
from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from lms import production

ROOT = Path(__file__).resolve().parents[1]
GOOD = {"SECRET_KEY": "3f9a6c1e5b7d2a8f" * 4, "LMS_AUDIT_KEY": "9c2e7b4a1d6f3e8b" * 4,
        "DATABASE_URL": "postgresql+psycopg://lms:pw@db.internal/lms",
        "LMS_BASE_URL": "https://academy.bank.internal"}


def test_a_complete_environment_has_no_problem():
    assert production.problems(GOOD) == []


@pytest.mark.parametrize("variable", sorted(GOOD))
def test_each_missing_variable_is_named_with_how_to_set_it(variable):
    found = production.problems({k: v for k, v in GOOD.items() if k != variable})
    assert len(found) == 1
    assert found[0].startswith(f"{variable} is not set.")


@pytest.mark.parametrize("variable", ["SECRET_KEY", "LMS_AUDIT_KEY"])
@pytest.mark.parametrize("weak", ["...", "changeme", "x" * 40, "short-but-random-9f"])
def test_a_weak_key_is_refused(variable, weak):
    found = production.problems({**GOOD, variable: weak})
    assert [p.split(" (")[0] for p in found] == [f"{variable} is too weak"]
    assert "at least 32 characters" in found[0]


def test_the_audit_key_must_differ_from_the_secret_key():
    found = production.problems({**GOOD, "LMS_AUDIT_KEY": GOOD["SECRET_KEY"]})
    assert found == ["LMS_AUDIT_KEY is the same as SECRET_KEY. Give the audit chain a key of its own: "
                     "whoever learns one must not be able to rewrite the audit log."]


def test_a_malformed_address_says_what_is_wrong():
    found = production.problems({**GOOD, "LMS_BASE_URL": "academy.bank.internal"})
    assert len(found) == 1 and "LMS_BASE_URL='academy.bank.internal' cannot be used" in found[0]


def _on_starting(monkeypatch, environ):
    for name in (*GOOD, "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return hooks["on_starting"](server=None)


def test_gunicorn_stops_before_any_worker_naming_every_problem(monkeypatch, capsys):
    with pytest.raises(SystemExit) as stopped:
        _on_starting(monkeypatch, {"DATABASE_URL": GOOD["DATABASE_URL"], "SECRET_KEY": "dev"})
    assert stopped.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("RM Academy cannot start: the environment is not ready for production.\n")
    for line in ("  - SECRET_KEY is too weak (3 characters, 3 different).", "  - LMS_AUDIT_KEY is not set.",
                 "  - LMS_BASE_URL is not set."):
        assert line in err
    assert "DATABASE_URL" not in err.split("\n  - ", 1)[1].replace("DATABASE_URL=postgresql", "")


def test_gunicorn_starts_with_a_complete_environment(monkeypatch, capsys):
    assert _on_starting(monkeypatch, GOOD) is None
    assert capsys.readouterr().err == ""


def test_wsgi_loaded_by_another_server_refuses_too(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in (*GOOD, "FLASK_DEBUG", "FLASK_RUN_FROM_CLI")}
    env.update(LMS_INSTANCE_DIR=str(tmp_path), LMS_BASE_URL=GOOD["LMS_BASE_URL"])
    served = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert served.returncode == 3  # gunicorn: a worker that cannot boot stops the server, no restart loop
    assert "SECRET_KEY is not set" in served.stderr and "DATABASE_URL is not set" in served.stderr
    assert "Traceback" not in served.stderr
    assert not (tmp_path / "secret_key").exists()
