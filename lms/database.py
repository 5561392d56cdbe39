"""Database set-up, and the one rule for transactions.

**Each service owns its transaction.** A service that changes something
runs inside ``with transaction():`` (or ``transaction(immediate=True)``), which
commits when the block ends and rolls back if it raises. Views never begin,
commit or roll back for a service, and nothing chooses how a transaction
begins from the HTTP method: a view only reads, then calls a service.
A service called from another service joins its transaction.

On SQLite a transaction begins deferred (``BEGIN``): a reader never waits for
a writer (WAL), and a write that is the transaction's first statement waits
for the write lock (``busy_timeout``). A transaction that *reads and then
writes on what it read* must instead take the write lock up front: a deferred
reader that tries to write after another connection committed fails at once
with "database is locked" (the busy timeout does not apply). Such a service
says so with ``transaction(immediate=True)``: on SQLite the transaction
already open, if any (the request's reads), is ended first (objects loaded
in it are reloaded on their next use, so what the service relies on is read
again under the lock) and ``BEGIN IMMEDIATE`` starts its own. PostgreSQL locks rows, not the file:
there ``immediate`` changes nothing, and services lock the rows they rely on
(``SELECT … FOR UPDATE``).

Something that must happen only once a change is committed (a signal that
other domains act on) registers with ``after_commit(callback)``: the callback
runs when the service transaction that is open ends, if its work was
committed, and never if it rolled back.

SQLite serves a web server only when told to: WAL so readers never block the
writer, a busy timeout so a writer waits instead of failing, foreign keys on.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
import logging

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from lms.extensions import db

# Whether the next transaction to begin on this thread/context takes SQLite's
# write lock at once, and whether a service's transaction is already open.
_immediate: ContextVar[bool] = ContextVar("lms_begin_immediate", default=False)
_in_service: ContextVar[bool] = ContextVar("lms_in_service_transaction", default=False)
# Session.info keys: callbacks waiting for the commit, and those whose work was committed.
_PENDING, _COMMITTED = "lms_after_commit_pending", "lms_after_commit_ready"
_RUNNING = "lms_after_commit_running"  # the committed callbacks are being run (not again inside one)
log = logging.getLogger(__name__)


@contextmanager
def transaction(*, immediate: bool = False) -> Iterator[None]:
    """The transaction of one service: committed when the block ends, rolled
    back when it raises; usable as the service's decorator too. Inside
    another service's transaction it joins that one (the outer commits).

    On SQLite the transaction the request had open (its reads) is ended
    first: a deferred reader cannot safely turn into a writer. Without
    ``immediate`` the objects loaded so far stay as read (the service's
    writes do not depend on them, or check again in SQL), and the first
    write takes the write lock. With ``immediate`` (the service reads and
    then writes on what it read) they are read again on their next use,
    under the lock that ``BEGIN IMMEDIATE`` takes at once.

    After the commit the request goes on with the objects as the service
    left them (they are not expired): what it renders was just committed,
    and the signed-in user is not loaded a second time."""
    if _in_service.get():
        yield
        return
    session = db.session()  # this context's Session (the scoped proxy hides in_transaction)
    if session.in_transaction() and session.get_bind().dialect.name == "sqlite":
        _commit(session, expire=immediate)
    immediate_token = _immediate.set(immediate)
    service_token = _in_service.set(True)
    try:
        yield
        _commit(session, expire=False)
    except BaseException:
        session.rollback()
        session.info.pop(_PENDING, None)  # also when nothing had reached the database
        raise
    finally:
        _in_service.reset(service_token)
        _immediate.reset(immediate_token)
        run_committed_callbacks()


def after_commit(callback) -> None:
    """Run ``callback()`` once the work done so far is committed: when the
    service transaction in progress ends (registered outside one: when the
    next service transaction ends, after a commit). Dropped if the transaction
    rolls back. A callback that raises is logged and does not undo what was
    committed."""
    db.session().info.setdefault(_PENDING, []).append(callback)


def run_committed_callbacks() -> None:
    """Run the callbacks whose work has been committed (each once, in the
    order registered). A callback's own service transaction ends by calling
    this again: that call returns at once and the loop already running takes
    the next one (run inside each other, 2,000 callbacks of a re-grade went
    past the recursion limit and the rest were silently dropped)."""
    info = db.session().info
    if info.get(_RUNNING):
        return
    info[_RUNNING] = True
    try:
        while info.get(_COMMITTED):
            callback = info[_COMMITTED].pop(0)
            try:
                callback()
            except Exception:  # the change is committed; what follows it must not undo the request
                log.exception("after-commit callback failed")
    finally:
        info.pop(_RUNNING, None)


@event.listens_for(Session, "after_commit")
def _committed(session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.info.setdefault(_COMMITTED, []).extend(pending)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session) -> None:
    session.info.pop(_PENDING, None)


def _commit(session, *, expire: bool) -> None:
    before, session.expire_on_commit = session.expire_on_commit, expire
    try:
        session.commit()
    finally:
        session.expire_on_commit = before


def engine_options(url: str, options: dict) -> dict:
    """SQLAlchemy engine options for ``url``: on SQLite without the pre-ping
    (a file does not drop a connection); elsewhere ``options`` as given."""
    if make_url(url).get_backend_name() != "sqlite":
        return options
    return {k: v for k, v in options.items() if k != "pool_pre_ping"}


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # pysqlite's own transaction handling stays as it is (it begins a
        # transaction before a write when nothing did): the Session's
        # transactions begin explicitly (``_begin_on_sqlite``) before their
        # first statement, reads included.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


@event.listens_for(Session, "after_begin")
def _begin_on_sqlite(_session, session_transaction, connection) -> None:
    """On SQLite a Session's transaction begins with ``BEGIN`` (or ``BEGIN
    IMMEDIATE``, ``transaction(immediate=True)``), sent through SQLAlchemy
    before its first statement, so that a request's reads see one snapshot.

    A Session event, not the engine's ``begin`` event: any listener of the
    engine's connection events makes SQLAlchemy join and fire the engine's
    events on every connection it hands out (about 65 µs of CPU per
    transaction here, a fifth of one that runs ``SELECT 1``), whatever the
    listener does. Connections used without a Session (``engine.begin()``)
    keep pysqlite's behaviour (a ``BEGIN`` before the first write); the
    migrations begin theirs with ``begin_sqlite_transactions``."""
    if session_transaction.nested or connection.dialect.name != "sqlite":
        return
    _send_begin(connection)


def begin_sqlite_transactions(connection) -> None:
    """Every transaction of this Core ``connection`` (one used without a
    Session, e.g. the migrations') begins explicitly on SQLite, DDL included."""
    if connection.dialect.name == "sqlite":
        event.listen(connection, "begin", _send_begin)


def _send_begin(connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")
