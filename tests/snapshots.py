"""Copies of the test database, so that a costly starting point (the demo
organisation, the access matrix's world) is built once per worker and every
test that needs it gets a fresh copy of its own, free to change it.

SQLite: the database file is copied with SQLite's backup API (it reads through
the WAL). PostgreSQL: ``CREATE DATABASE … TEMPLATE`` — the worker's database
becomes the template once, and is later dropped and created again from it.
The audit head (a file outside the database) is copied along with it.

Both directions need the application's connections closed: ``take`` and
``restore`` end the test's session and dispose of the engines (the next query
opens new connections, on the copy)."""
from __future__ import annotations

import itertools
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from lms.extensions import db

_counter = itertools.count(1)
_templates: list[tuple[str, str]] = []  # (admin url, template name) to drop at the end
_files: list[Path] = []  # SQLite copies, removed at the end


@dataclass(frozen=True)
class Snapshot:
    dialect: str
    location: str  # the SQLite file of the copy, or the PostgreSQL template's name
    audit_head: bytes | None


def database_is_empty() -> bool:
    """No row in any table of the application (a test about to load a starting point)."""
    for table in db.metadata.sorted_tables:
        if db.session.scalar(select(func.count()).select_from(table)):
            return False
    return True


def _close_connections() -> None:
    db.session.remove()
    for engine in db.engines.values():
        engine.dispose()


def _audit_head_path() -> Path:
    return Path(current_app.config["AUDIT_HEAD_FILE"])


def _admin_engine(url):
    return create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")


def take(tmp_dir: Path) -> Snapshot | None:
    """A copy of the database as committed now; None if it cannot be taken
    (e.g. another connection holds the PostgreSQL database open)."""
    db.session.commit()
    url = make_url(db.engine.url)
    head_path = _audit_head_path()
    head = head_path.read_bytes() if head_path.exists() else None
    _close_connections()
    if url.get_backend_name() == "sqlite":
        copy = tmp_dir / f"snapshot-{next(_counter)}.sqlite3"
        source, target = sqlite3.connect(url.database), sqlite3.connect(copy)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        _files.append(copy)
        return Snapshot("sqlite", str(copy), head)
    template = f"{url.database}_tpl{next(_counter)}"
    admin = _admin_engine(url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{template}"'))
            conn.execute(text(f'CREATE DATABASE "{template}" TEMPLATE "{url.database}"'))
    except Exception:  # noqa: BLE001 — a busy database: no copy, the caller goes on without one
        return None
    finally:
        admin.dispose()
    _templates.append((url.render_as_string(hide_password=False), template))
    return Snapshot("postgresql", template, head)


def restore(snapshot: Snapshot) -> None:
    """Make the test's database (and audit head) what they were when ``snapshot`` was taken."""
    url = make_url(db.engine.url)
    _close_connections()
    if snapshot.dialect == "sqlite":
        source, target = sqlite3.connect(snapshot.location), sqlite3.connect(url.database)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
    else:
        admin = _admin_engine(url)
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{url.database}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{url.database}" TEMPLATE "{snapshot.location}"'))
        finally:
            admin.dispose()
    head_path = _audit_head_path()
    if snapshot.audit_head is None:
        head_path.unlink(missing_ok=True)
    else:
        head_path.write_bytes(snapshot.audit_head)


def discard(snapshot: Snapshot) -> None:
    """A copy no longer needed (a newer one replaces it)."""
    if snapshot.dialect == "sqlite":
        Path(snapshot.location).unlink(missing_ok=True)
        return
    for url, template in list(_templates):
        if template == snapshot.location:
            _templates.remove((url, template))
            _drop_database(url, template)


def drop_templates() -> None:
    """At the end of the session: the copies this worker made (PostgreSQL templates, SQLite files)."""
    while _files:
        _files.pop().unlink(missing_ok=True)
    while _templates:
        _drop_database(*_templates.pop())


def _drop_database(url: str, name: str) -> None:
    admin = _admin_engine(make_url(url))
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
