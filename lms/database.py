"""Database engine set-up that is specific to the backend.

SQLite serves a web server only when told to: WAL so readers never block the
writer, a busy timeout so a writer waits instead of failing, foreign keys on,
and ``BEGIN IMMEDIATE`` for every transaction that may write. A deferred
transaction that reads and then writes fails with "database is locked" when
another writer got in between; taking the write lock up front makes it wait.
GET and HEAD requests only read, so they keep a deferred BEGIN and never queue
behind writers.
"""
from __future__ import annotations

from flask import current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine


def reads_before_writing(view):
    """Mark a POST view that reads in a deferred transaction, ends it and only
    then writes (after ``start_writing()``) in a short ``BEGIN IMMEDIATE``
    transaction whose statements re-check everything they rely on. On SQLite
    the write lock is then held for the write alone, not for the request."""
    view.reads_before_writing = True
    return view


def start_writing() -> None:
    """Ends the request's read transaction on SQLite; the next one takes the
    write lock. (Other databases lock rows, not the file: the transaction
    goes on, saving two round trips.)"""
    from lms.extensions import db

    if db.session.get_bind().dialect.name == "sqlite":
        db.session.rollback()
    g.writing = True


def _begin_statement() -> str:
    if has_request_context():
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return "BEGIN"
        view = current_app.view_functions.get(request.endpoint)
        if getattr(view, "reads_before_writing", False) and not g.get("writing"):
            return "BEGIN"
    return "BEGIN IMMEDIATE"


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite would
        # otherwise emit a deferred BEGIN of its own).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql(_begin_statement())
