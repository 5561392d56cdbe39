"""Where the key that signs sessions and CSRF tokens comes from. Where the
environment names the database (production's environment file) only from
``SECRET_KEY``: without it nothing starts, neither the server nor a ``flask``
command, and no key is made under instance/. In development (no
``DATABASE_URL``), debug and tests, one is kept in instance/secret_key."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lms import config, create_app
from lms.config import ConfigError
from tests.conftest import BASE_CONFIG

ROOT = Path(__file__).resolve().parent.parent


def test_production_without_the_key_does_not_start_and_makes_none(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    production = {**BASE_CONFIG, "TESTING": False, "DEBUG": False, "SECRET_KEY": None, "SECRET_KEY_REQUIRED": True,
                  "AUDIT_KEY": "a" * 64}
    with pytest.raises(ConfigError, match="^SECRET_KEY is not set. It signs sessions and CSRF tokens"):
        create_app(production)
    assert not (tmp_path / "instance" / "secret_key").exists()
    assert create_app({**production, "SECRET_KEY": "s" * 64}).secret_key == "s" * 64


def test_development_and_debug_keep_a_key_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path / "instance")
    development = {**BASE_CONFIG, "TESTING": False, "DEBUG": False, "SECRET_KEY": None, "SECRET_KEY_REQUIRED": False}
    key = create_app(development).secret_key
    assert len(key) == 64 and (tmp_path / "instance" / "secret_key").read_text() == key
    debug = {**development, "DEBUG": True, "SECRET_KEY_REQUIRED": True, "AUDIT_KEY": "a" * 64}
    assert create_app(debug).secret_key == key  # the same key after a restart: sessions survive


def test_a_flask_command_in_production_without_the_key_says_so_and_makes_none(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "FLASK_DEBUG", "FLASK_APP")}
    instance = tmp_path / "instance"
    env.update(LMS_INSTANCE_DIR=str(instance), DATABASE_URL=f"sqlite:///{tmp_path / 'lms.sqlite3'}",
               LMS_AUDIT_KEY="0123456789abcdef" * 4)
    ran = subprocess.run([sys.executable, "-m", "flask", "audit", "verify"], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert ran.returncode == 3, ran.stderr
    assert "RM Academy cannot start: SECRET_KEY is not set." in ran.stderr and "Traceback" not in ran.stderr
    assert not (instance / "secret_key").exists()
