"""What the tests of the app's two keys share — the key that signs sessions and
CSRF tokens (``SECRET_KEY``) and the audit chain's (``LMS_AUDIT_KEY``): the
instance folder ``create_app`` keeps keys in, the settings of production with
both keys given (a test takes one away), and a ``flask`` command run with
production's environment less one key."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lms import config
from tests.conftest import BASE_CONFIG

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def instance(monkeypatch, tmp_path) -> Path:
    """The instance folder create_app uses, under tmp_path; not made yet."""
    folder = tmp_path / "instance"
    monkeypatch.setattr(config, "INSTANCE_DIR", folder)
    return folder


@pytest.fixture
def production(instance) -> dict:
    """create_app's settings in production: neither testing nor debug, both keys required and given."""
    return {**BASE_CONFIG, "TESTING": False, "DEBUG": False, "SECRET_KEY_REQUIRED": True, "AUDIT_KEY_REQUIRED": True,
            "SECRET_KEY": "s" * 64, "AUDIT_KEY": "a" * 64}


@pytest.fixture
def flask_command_in_production(instance, tmp_path):
    """run(*args, without=NAME) → the finished ``flask`` command, run as production's
    environment file runs it (``DATABASE_URL`` names the database, both keys set)
    except that NAME (``SECRET_KEY`` or ``LMS_AUDIT_KEY``) is not set."""
    keys = {"SECRET_KEY": "0123456789abcdef" * 4, "LMS_AUDIT_KEY": "0123456789abcdef" * 4}

    def run(*args: str, without: str) -> subprocess.CompletedProcess:
        assert without in keys
        env = {k: v for k, v in os.environ.items() if k not in (*keys, "FLASK_DEBUG", "FLASK_APP")}
        env.update({name: value for name, value in keys.items() if name != without},
                   LMS_INSTANCE_DIR=str(instance), DATABASE_URL=f"sqlite:///{tmp_path / 'lms.sqlite3'}")
        return subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True)

    return run
