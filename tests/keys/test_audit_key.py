"""Where the audit chain's key comes from. In production (the environment names
the database) only from ``LMS_AUDIT_KEY``: without it nothing starts, neither
the server nor a ``flask`` command, and no key file is made. In development a
key is made once in instance/audit_key, mode 0600, in an instance folder made
or tightened to 0700 (a warning when it cannot be)."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from flask import Flask

from lms import config, create_app
from lms.audit import anchor
from lms.config import ConfigError


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def development_app(instance: Path) -> Flask:
    app = Flask(__name__, instance_path=str(instance))
    app.config.update(AUDIT_KEY=None, AUDIT_KEY_REQUIRED=False)
    return app


@pytest.fixture(autouse=True)
def _forget_file_keys():
    anchor._FILE_KEYS.clear()
    yield
    anchor._FILE_KEYS.clear()


def test_production_without_the_key_does_not_start(instance, production):
    with pytest.raises(ConfigError, match="^LMS_AUDIT_KEY is not set. It keys the audit log's hash chain"):
        create_app({**production, "AUDIT_KEY": None})
    assert create_app({**production, "AUDIT_KEY": "k" * 64}).config["AUDIT_KEY"] == "k" * 64
    assert not (instance / "audit_key").exists()


def test_a_flask_command_in_production_without_the_key_says_so_and_makes_no_key(instance,
                                                                                flask_command_in_production):
    ran = flask_command_in_production("audit", "verify", without="LMS_AUDIT_KEY")
    assert ran.returncode == 3, ran.stderr
    assert "RM Academy cannot start: LMS_AUDIT_KEY is not set." in ran.stderr and "Traceback" not in ran.stderr
    assert not (instance / "audit_key").exists()


def test_development_makes_one_key_readable_by_the_app_alone_in_a_folder_tightened_to_0700(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    os.chmod(instance, 0o755)  # as `mkdir -p` under umask 022 leaves it
    app = development_app(instance)
    with app.app_context():
        key = anchor.audit_key()
    assert len(key) == 64
    assert mode(instance) == 0o700 and mode(instance / "audit_key") == 0o600
    assert [p.name for p in instance.iterdir()] == ["audit_key"]  # no temporary file left
    anchor._FILE_KEYS.clear()  # another process
    with app.app_context():
        assert anchor.audit_key() == key


def test_a_key_file_others_could_read_is_tightened_and_kept(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o700)
    (instance / "audit_key").write_text("a" * 64)
    os.chmod(instance / "audit_key", 0o644)
    with development_app(instance).app_context():
        assert anchor.audit_key() == b"a" * 64
    assert mode(instance / "audit_key") == 0o600


def test_a_key_file_planted_as_a_link_is_never_read_nor_written_through(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o700)
    victim = tmp_path / "victim"
    victim.write_text("b" * 64)
    os.chmod(victim, 0o644)
    os.symlink(victim, instance / "audit_key")
    with development_app(instance).app_context(), pytest.raises(OSError):
        anchor.audit_key()
    assert victim.read_text() == "b" * 64 and mode(victim) == 0o644  # not read as the key, not tightened
    dangling = tmp_path / "nowhere"
    os.unlink(instance / "audit_key")
    os.symlink(dangling, instance / "audit_key")
    with development_app(instance).app_context(), pytest.raises(OSError):
        anchor.audit_key()
    assert not dangling.exists()


def test_two_processes_making_the_key_at_once_use_the_first_ones(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    real_link = os.link

    def the_other_process_was_first(src, dst, *args, **kwargs):
        Path(dst).write_text("c" * 64)
        return real_link(src, dst, *args, **kwargs)

    monkeypatch.setattr(anchor.os, "link", the_other_process_was_first)
    with development_app(instance).app_context():
        assert anchor.audit_key() == b"c" * 64
    assert [p.name for p in instance.iterdir()] == ["audit_key"]


def test_an_instance_folder_that_cannot_be_tightened_is_named_in_a_warning(tmp_path, monkeypatch, caplog):
    folder = tmp_path / "instance"
    folder.mkdir()
    os.chmod(folder, 0o755)

    def refused(path, mode):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(config.os, "chmod", refused)
    config.tighten_folder(folder)
    assert f"{folder} can be read by other accounts (mode 755)" in caplog.text
    assert f"chmod 700 {folder}" in caplog.text
    monkeypatch.undo()
    config.tighten_folder(folder)
    assert mode(folder) == 0o700
    config.tighten_folder(tmp_path / "missing")
    assert not (tmp_path / "missing").exists()
