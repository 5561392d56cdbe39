"""Database engine set-up that is specific to the backend.

SQLite serves a web server only when told to: WAL so readers never block the
writer, a busy timeout so a writer waits instead of failing, foreign keys on,
and ``BEGIN IMMEDIATE`` for every transaction that may write. A deferred
transaction that reads and then writes fails with "database is locked" when
another writer got in between; taking the write lock up front makes it wait.
GET and HEAD requests only read, so they keep a deferred BEGIN and never queue
behind writers.

Writers queue on a lock file beside the database (``<file>-writers``) before
they ask SQLite for its write lock. SQLite's own busy handler polls: a writer
that finds the database locked sleeps 1, 2, 5, 10… ms before it looks again,
so under a burst of short writes (autosaves) most of the wait is sleep after
the lock was already free. ``flock`` wakes the next writer as soon as the
previous one commits. The busy timeout stays as the backstop for writers
outside this queue (the ``sqlite3`` shell, a backup).
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url


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


_this_thread = threading.local()


class QueuedWriterConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions queue on an exclusive
    ``flock`` of ``<database>-writers`` (taken by ``queue_for_writing`` just
    before ``BEGIN IMMEDIATE``, given back once the transaction has committed
    or rolled back). Each connection opens the file itself, so connections of
    one process queue too. The kernel drops the lock of a process that dies."""

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        path = os.fspath(database)
        memory = path in ("", ":memory:") or "mode=memory" in path
        self._queue_fd = None if memory else os.open(path + "-writers", os.O_RDWR | os.O_CREAT, 0o600)
        self._queued = False

    def queue_for_writing(self) -> None:
        if self._queue_fd is None or self._queued:
            return
        holder = getattr(_this_thread, "writing_on", None)
        if holder is not None and holder is not self:
            # The lock has no timeout: waiting here would be waiting for ourselves.
            raise RuntimeError("this thread already writes through another SQLite connection")
        fcntl.flock(self._queue_fd, fcntl.LOCK_EX)  # blocks without holding the GIL
        self._queued = True
        _this_thread.writing_on = self

    def _leave_queue(self) -> None:
        if self._queued:
            self._queued = False
            _this_thread.writing_on = None
            fcntl.flock(self._queue_fd, fcntl.LOCK_UN)

    def commit(self):
        try:
            super().commit()
        finally:
            self._leave_queue()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self._leave_queue()

    def close(self):
        try:
            super().close()
        finally:
            self._leave_queue()
            if self._queue_fd is not None:
                os.close(self._queue_fd)
                self._queue_fd = None


class DriverStatement:
    """A Core statement compiled once per dialect and run straight on a DBAPI
    connection (see ``standalone_statements``). For the statements of a hot
    path: SQLAlchemy's work per execution (about 170 µs) is ten times what
    SQLite takes to run such a query. Parameters go through the column
    types' bind processors as usual; rows come back as the driver gives them
    (tuples, no result processing), so select only values that need none:
    numbers and strings."""

    def __init__(self, statement):
        self.statement = statement
        self._compiled: dict[str, tuple] = {}

    def _for(self, dialect):
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            c = self.statement.compile(dialect=dialect)  # no expanding IN: its SQL depends on the values
            processors = {name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                          for name, bind in c.binds.items()}
            compiled = self._compiled[dialect.name] = (c, processors)
        return compiled

    def execute(self, connection: StandaloneConnection, params: dict):
        """The DBAPI cursor after executing with ``params`` (fetch from it, or read its rowcount)."""
        compiled, processors = self._for(connection.dialect)
        values = compiled.construct_params(params)
        for name, value in values.items():
            processor = processors.get(name)
            if processor is not None and value is not None:
                values[name] = processor(value)
        if compiled.positiontup is not None:
            values = tuple(values[name] for name in compiled.positiontup)
        cursor = connection.dbapi.cursor()
        if connection.writes_queued and self.statement.is_dml:
            connection.dbapi.queue_for_writing()
            try:
                cursor.execute(compiled.string, values)
            finally:
                connection.dbapi.commit()  # nothing to commit (autocommit): leaves the writers' queue
        else:
            cursor.execute(compiled.string, values)
        return cursor


@dataclass
class StandaloneConnection:
    dbapi: object
    dialect: object
    writes_queued: bool


class ConnectionLost(Exception):
    """The connection for standalone statements was found dead (the database
    restarted) and has been dropped from the pool. A write may or may not
    have been applied: the caller goes the usual way, which writes again."""


STANDALONE_BIND = "standalone"


@contextmanager
def standalone_statements():
    """A pooled connection on which every statement is its own transaction
    (autocommit), for ``DriverStatement``s that each stand alone: a read,
    then a conditional write that re-checks in its WHERE clause everything
    it relies on. Against separate BEGIN and COMMIT this saves two round
    trips on PostgreSQL; a lone UPDATE on SQLite takes the write lock at its
    start (as BEGIN IMMEDIATE does) and queues for it like every writer.

    On PostgreSQL the connection comes from a pool of its own that does not
    ping the server at each checkout (another round trip); a connection
    found dead is dropped and ``ConnectionLost`` raised instead."""
    from lms.extensions import db

    sqlite = db.engine.dialect.name == "sqlite"
    # SQLite's connections are in autocommit mode already (SQLAlchemy sends
    # BEGIN itself); elsewhere the pool is this function's alone, and its
    # connections stay in autocommit mode.
    engine = db.engine if sqlite else db.engines[STANDALONE_BIND]
    fairy = engine.raw_connection()
    dbapi = fairy.driver_connection
    try:
        if not sqlite and not dbapi.autocommit:
            dbapi.autocommit = True
        yield StandaloneConnection(dbapi, engine.dialect, sqlite and hasattr(dbapi, "queue_for_writing"))
    except engine.dialect.loaded_dbapi.Error as err:
        if engine.dialect.is_disconnect(err, fairy.dbapi_connection, None):
            fairy.invalidate(err)
            raise ConnectionLost() from err
        raise
    finally:
        fairy.close()  # back to the pool


def standalone_bind(url: str) -> dict:
    """Flask-SQLAlchemy binds: on PostgreSQL a second engine for
    ``standalone_statements`` without the pre-ping; SQLite needs none."""
    if make_url(url).get_backend_name() == "sqlite":
        return {}
    return {STANDALONE_BIND: {"url": url, "pool_pre_ping": False}}


def engine_options(url: str, options: dict) -> dict:
    """SQLAlchemy engine options for ``url``: on SQLite, connections that
    queue their writers (no pre-ping either: a file does not drop a
    connection); elsewhere ``options`` as given."""
    if make_url(url).get_backend_name() != "sqlite":
        return options
    options = {k: v for k, v in options.items() if k != "pool_pre_ping"}
    options["connect_args"] = {**options.get("connect_args", {}), "factory": QueuedWriterConnection}
    return options


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
        statement = _begin_statement()
        if statement == "BEGIN IMMEDIATE":
            queue = getattr(conn.connection.driver_connection, "queue_for_writing", None)
            if queue is not None:
                queue()
        conn.exec_driver_sql(statement)
