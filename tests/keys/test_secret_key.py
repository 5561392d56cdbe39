"""Where the key that signs sessions and CSRF tokens comes from. Where the
environment names the database (production's environment file) only from
``SECRET_KEY``: without it nothing starts, neither the server nor a ``flask``
command, and no key is made under instance/. In development (no
``DATABASE_URL``), debug and tests, one is kept in instance/secret_key."""
from __future__ import annotations

import pytest

from lms import create_app
from lms.config import ConfigError
from tests.conftest import BASE_CONFIG


def test_production_without_the_key_does_not_start_and_makes_none(instance, production):
    with pytest.raises(ConfigError, match="^SECRET_KEY is not set. It signs sessions and CSRF tokens"):
        create_app({**production, "SECRET_KEY": None})
    assert not (instance / "secret_key").exists()
    assert create_app(production).secret_key == "s" * 64


def test_development_and_debug_keep_a_key_in_the_instance_folder(instance):
    development = {**BASE_CONFIG, "TESTING": False, "DEBUG": False, "SECRET_KEY": None, "SECRET_KEY_REQUIRED": False}
    key = create_app(development).secret_key
    assert len(key) == 64 and (instance / "secret_key").read_text() == key
    debug = {**development, "DEBUG": True, "SECRET_KEY_REQUIRED": True, "AUDIT_KEY": "a" * 64}
    assert create_app(debug).secret_key == key  # the same key after a restart: sessions survive


def test_a_flask_command_in_production_without_the_key_says_so_and_makes_none(instance, flask_command_in_production):
    ran = flask_command_in_production("audit", "verify", without="SECRET_KEY")
    assert ran.returncode == 3, ran.stderr
    assert "RM Academy cannot start: SECRET_KEY is not set." in ran.stderr and "Traceback" not in ran.stderr
    assert not (instance / "secret_key").exists()
