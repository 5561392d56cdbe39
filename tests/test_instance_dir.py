"""instance/ holds the SQLite database (people's names, results), the keys
and staged uploads: on a shared server no other account may read it."""
from __future__ import annotations

import os
import stat

from lms import config


def test_a_new_instance_folder_and_its_secret_key_are_the_apps_alone(tmp_path, monkeypatch):
    folder = tmp_path / "srv" / "instance"
    monkeypatch.setattr(config, "INSTANCE_DIR", folder)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    old = os.umask(0o022)
    try:
        key = config.instance_secret_key()
        url = config._database_url()
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "secret_key").stat().st_mode) == 0o600
    assert len(key) == 64 and config.instance_secret_key() == key  # kept, not made again
    assert url == f"sqlite:///{folder / 'lms.sqlite3'}"


def test_a_secret_key_planted_as_a_link_is_not_written_through(tmp_path, monkeypatch):
    folder = tmp_path / "instance"
    folder.mkdir(mode=0o700)
    victim = tmp_path / "victim.txt"
    os.symlink(victim, folder / "secret_key")  # dangling: old code created victim.txt with the key
    monkeypatch.setattr(config, "INSTANCE_DIR", folder)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    try:
        config.instance_secret_key()
    except OSError:
        pass
    assert not victim.exists()
