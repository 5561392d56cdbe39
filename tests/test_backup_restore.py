"""scripts/backup.py: a backup restored into a second database and folders is
an academy the app serves — the administrator signs in with their password,
the health check is ok and the audit chain verifies against the restored head.
SQLite here; README, Running it, has the PostgreSQL commands (pg_dump/pg_restore)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lms import create_app
from lms.extensions import db
from tests.conftest import BASE_CONFIG, CSRFClient

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "amber-kettle-orbit-57"

pytestmark = pytest.mark.skipif(not BASE_CONFIG["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"),
                                reason="the SQLite path of the script; PostgreSQL's is pg_dump/pg_restore")


def _script(*args, env):
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "backup.py"), *args], env=env,
                          capture_output=True, text=True)


def test_a_restored_backup_is_served(app, runner, tmp_path):
    made = runner.invoke(args=["create-admin", "--employee-no", "ops01", "--name", "运维管理员",
                               "--password", PASSWORD])
    assert made.exit_code == 0, made.output
    db.session.remove()
    content = tmp_path / "content"
    (content / "courses").mkdir(parents=True)
    (content / "courses" / "note.md").write_text("# 合规\n", encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": BASE_CONFIG["SQLALCHEMY_DATABASE_URI"], "LMS_CONTENT_DIR": str(content),
           "LMS_INSTANCE_DIR": str(tmp_path / "instance"), "LMS_AUDIT_HEAD_FILE": BASE_CONFIG["AUDIT_HEAD_FILE"]}

    backed_up = _script("backup", str(tmp_path / "backup"), env=env)
    assert backed_up.returncode == 0, backed_up.stderr
    assert sorted(p.name for p in (tmp_path / "backup").iterdir()) == \
        ["MANIFEST.txt", "content.tar.gz", "database.sqlite3", "instance.tar.gz"]

    second = f"sqlite:///{tmp_path / 'second.sqlite3'}"
    where = ["--database-url", second, "--content-dir", str(tmp_path / "content2"),
             "--instance-dir", str(tmp_path / "instance2")]
    restored = _script("restore", str(tmp_path / "backup"), *where, env=env)
    assert restored.returncode == 0, restored.stderr
    assert (tmp_path / "content2" / "courses" / "note.md").read_text(encoding="utf-8") == "# 合规\n"

    served = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": second, "CONTENT_DIR": str(tmp_path / "content2"),
                         "AUDIT_HEAD_FILE": str(tmp_path / "instance2" / "audit_head.json")})
    served.test_client_class = CSRFClient
    with served.app_context():
        client = served.test_client()
        assert client.get("/health").get_data(as_text=True) == "ok\n"
        signed_in = client.post("/login", data={"employee_no": "ops01", "password": PASSWORD}, follow_redirects=True)
        assert signed_in.status_code == 200 and "运维管理员" in signed_in.get_data(as_text=True)
        verified = served.test_cli_runner().invoke(args=["audit", "verify"])
        assert verified.exit_code == 0 and verified.output.startswith("OK: "), verified.output
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()

    again = _script("restore", str(tmp_path / "backup"), *where, env=env)
    assert again.returncode == 1
    assert f"{tmp_path / 'content2'} (--content-dir) is not empty: restore into an empty folder" in again.stderr


def test_a_changed_backup_is_not_restored(tmp_path):
    backup = tmp_path / "backup"
    backup.mkdir()
    (backup / "database.sqlite3").write_bytes(b"changed")
    (backup / "MANIFEST.txt").write_text("RM Academy backup\ndatabase: SQLite\n" + "0" * 64 + "  database.sqlite3\n")
    refused = _script("restore", str(backup), "--database-url", f"sqlite:///{tmp_path / 'x.sqlite3'}",
                      "--content-dir", str(tmp_path / "c"), "--instance-dir", str(tmp_path / "i"), env=dict(os.environ))
    assert refused.returncode == 1
    assert f"{backup / 'database.sqlite3'} is missing or changed since the backup (SHA-256 differs)" in refused.stderr
    assert not (tmp_path / "x.sqlite3").exists()
