"""Copies of the test database, so that a costly starting point (the demo
organisation, the access matrix's world) is built once per worker and every
test that needs it gets a fresh copy of its own, free to change it.

SQLite: the database file is copied with SQLite's backup API (it reads through
the WAL); both directions close the application's connections (the next query
opens new ones, on the copy).

PostgreSQL: the rows are copied within the worker's own database, into a
schema of their own (``lms_snapshot_<n>``, one table per table that has
rows), and restoring is one round trip on the test's connection — every table
emptied, the kept rows inserted back parents first, every sequence put back
where it stood. An earlier version copied the whole database (``CREATE
DATABASE … TEMPLATE``) for each of the access matrix's ~800 tests; each copy
needed new connections, and a new connection to a new database reads every
table's catalog entries again: ~1 s a test on a busy machine.

The audit head (a file outside the database) is copied along with it; the
test's session ends in both directions (its objects are loaded again)."""
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
_schemas: list[str] = []  # PostgreSQL copies (schemas of the worker's database), dropped at the end
_files: list[Path] = []  # SQLite copies, removed at the end


@dataclass(frozen=True)
class Snapshot:
    dialect: str
    location: str  # the SQLite file of the copy, or the PostgreSQL schema holding the rows
    audit_head: bytes | None
    tables: tuple[str, ...] = ()  # PostgreSQL: the tables that had rows, parents first


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


SNAPSHOT_SCHEMA_PREFIX = "lms_snapshot_"


def take(tmp_dir: Path) -> Snapshot | None:
    """A copy of the database as committed now; None if it cannot be taken."""
    db.session.commit()
    url = make_url(db.engine.url)
    head_path = _audit_head_path()
    head = head_path.read_bytes() if head_path.exists() else None
    if url.get_backend_name() == "sqlite":
        _close_connections()
        copy = tmp_dir / f"snapshot-{next(_counter)}.sqlite3"
        source, target = sqlite3.connect(url.database), sqlite3.connect(copy)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        _files.append(copy)
        return Snapshot("sqlite", str(copy), head)
    db.session.remove()
    schema = f"{SNAPSHOT_SCHEMA_PREFIX}{next(_counter)}"
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE; CREATE SCHEMA "{schema}"')
        kept = []
        for table in db.metadata.sorted_tables:
            if conn.exec_driver_sql(f'SELECT EXISTS (SELECT FROM "{table.name}")').scalar():
                kept.append(table.name)
        if kept:
            conn.exec_driver_sql("; ".join(f'CREATE TABLE "{schema}"."{t}" AS TABLE "{t}"' for t in kept))
        conn.exec_driver_sql(
            f'CREATE TABLE "{schema}".sequences AS SELECT sequencename, start_value, last_value '
            "FROM pg_sequences WHERE schemaname = current_schema()")
    _schemas.append(schema)
    return Snapshot("postgresql", schema, head, tuple(kept))


def restore(snapshot: Snapshot) -> None:
    """Make the test's database (and audit head) what they were when ``snapshot`` was taken."""
    url = make_url(db.engine.url)
    if snapshot.dialect == "sqlite":
        _close_connections()
        source, target = sqlite3.connect(snapshot.location), sqlite3.connect(url.database)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
    else:
        db.session.remove()
        schema = snapshot.location
        statements = [f'DELETE FROM "{t.name}"' for t in reversed(db.metadata.sorted_tables)]
        # Parents first (sorted_tables); a row referring to another row of its
        # own table is checked at the end of its INSERT, whatever the order.
        statements += [f'INSERT INTO "{t}" OVERRIDING SYSTEM VALUE SELECT * FROM "{schema}"."{t}"'
                       for t in snapshot.tables]
        statements.append(
            "SELECT setval((quote_ident(s.schemaname) || '.' || quote_ident(s.sequencename))::regclass, "
            "coalesce(k.last_value, s.start_value), k.last_value IS NOT NULL) "
            f'FROM pg_sequences s JOIN "{schema}".sequences k ON k.sequencename = s.sequencename '
            "WHERE s.schemaname = current_schema() "
            "AND (s.last_value IS DISTINCT FROM k.last_value)")
        with db.engine.begin() as conn:
            conn.exec_driver_sql("; ".join(statements))
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
    if snapshot.location in _schemas:
        _schemas.remove(snapshot.location)
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{snapshot.location}" CASCADE')


def drop_templates() -> None:
    """At the end of the session: the copies this worker made (PostgreSQL schemas, SQLite files)."""
    while _files:
        _files.pop().unlink(missing_ok=True)
    if _schemas:
        from tests.conftest import DATABASE_URL

        engine = create_engine(DATABASE_URL)
        try:
            with engine.begin() as conn:
                while _schemas:
                    conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{_schemas.pop()}" CASCADE')
        finally:
            engine.dispose()
