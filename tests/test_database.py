"""The one rule for transactions (``lms.database``): a service owns its
transaction; one that reads and then writes on what it read begins
``IMMEDIATE`` on SQLite, so that many of them at once all succeed instead of
failing with "database is locked"."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.events import ConnectionEvents

from lms.database import transaction
from lms.extensions import db
from lms.org.models import User


def _bump_in_threads(app, user_id: int, bump, threads: int = 8, times: int = 25) -> list[Exception]:
    barrier = threading.Barrier(threads)
    errors: list[Exception] = []

    def worker():
        with app.app_context():
            try:
                barrier.wait()
                for _ in range(times):
                    bump(user_id)
            except Exception as exc:  # noqa: BLE001 - reported by the caller
                errors.append(exc)
            finally:
                db.session.remove()

    started = [threading.Thread(target=worker) for _ in range(threads)]
    for t in started:
        t.start()
    for t in started:
        t.join()
    return errors


def _version(user_id: int) -> int:
    return db.session.execute(text('SELECT session_version FROM "user" WHERE id = :id'), {"id": user_id}).scalar()


def test_many_read_then_write_services_at_once_all_commit(app, make_user):
    """Each reads the value, then writes it plus one: with the write lock
    taken up front (SQLite) or the row locked (PostgreSQL) none fails and no
    increment is lost."""
    user = make_user()
    user_id, start = user.id, user.session_version
    db.session.commit()

    def bump(uid):
        db.session.execute(text("SELECT 1"))  # a read of the request before the service
        with transaction(immediate=True):
            current = db.session.scalar(select(User.session_version).where(User.id == uid).with_for_update())
            db.session.execute(text('UPDATE "user" SET session_version = :v WHERE id = :id'),
                               {"v": current + 1, "id": uid})

    assert _bump_in_threads(app, user_id, bump) == []
    assert _version(user_id) == start + 8 * 25


def test_many_single_statement_writes_at_once_all_commit(app, make_user):
    user = make_user()
    user_id, start = user.id, user.session_version
    db.session.commit()

    def bump(uid):
        with transaction():
            db.session.execute(text('UPDATE "user" SET session_version = session_version + 1 WHERE id = :id'),
                               {"id": uid})

    assert _bump_in_threads(app, user_id, bump) == []
    assert _version(user_id) == start + 8 * 25


def test_a_service_that_fails_changes_nothing_and_a_nested_one_joins(app, make_user):
    user = make_user()
    user_id, start = user.id, user.session_version
    db.session.commit()
    with pytest.raises(RuntimeError):
        with transaction(immediate=True):
            with transaction():  # joins: its end commits nothing yet
                db.session.execute(text('UPDATE "user" SET session_version = 99 WHERE id = :id'), {"id": user_id})
            raise RuntimeError("the outer service fails after the inner one")
    assert _version(user_id) == start


def test_the_begin_follows_the_service_not_the_request(app, make_user):
    """BEGIN IMMEDIATE only inside a service that asks for it, whatever the HTTP method."""
    from sqlalchemy import event

    if db.engine.dialect.name != "sqlite":
        pytest.skip("BEGIN IMMEDIATE is SQLite's")
    make_user()
    db.session.commit()
    seen: list[str] = []

    def before(conn, cursor, statement, *_args):
        if statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        with app.test_request_context("/anything", method="POST"):
            db.session.execute(text("SELECT 1"))
            db.session.rollback()
            with transaction(immediate=True):
                db.session.execute(text("SELECT 1"))
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert seen == ["BEGIN", "BEGIN IMMEDIATE"]


def test_after_commit_runs_every_callback_when_each_has_its_own_transaction(app, make_user):
    """A publish that re-grades 2,000 attempts leaves one callback per
    learner; each runs a service transaction of its own, whose end runs the
    callbacks still waiting. They must all run, one after the other: a
    callback that ran the next one inside itself went a frame deeper each
    time, and past Python's recursion limit (~150 callbacks) the rest were
    dropped without a word (learners never told, certificates never issued)."""
    from lms.database import after_commit

    user = make_user()
    user_id, start = user.id, user.session_version
    db.session.commit()
    ran = []

    def callback(n):
        with transaction():
            db.session.execute(text('UPDATE "user" SET session_version = session_version + 1 WHERE id = :id'),
                               {"id": user_id})
        ran.append(n)

    with transaction():
        for n in range(600):
            after_commit(lambda n=n: callback(n))
    assert ran == list(range(600))
    assert _version(user_id) == start + 600


def test_the_engine_fires_no_connection_events(app):
    """Every transaction the app opens pays for the engine's connection
    events as soon as one listener exists (SQLAlchemy joins and fires them on
    every connection it hands out: ~65 µs of a ~320 µs ``SELECT 1``
    transaction on this machine, whatever the listener does). SQLite's
    ``BEGIN`` is sent from the Session's ``after_begin`` event instead, so
    the engine the app serves from has none."""
    names = [n for n in dir(ConnectionEvents) if not n.startswith("_") and n not in ("dispatch",)
             and callable(getattr(ConnectionEvents, n))]
    listening = {n: list(getattr(db.engine.dispatch, n)) for n in names if hasattr(db.engine.dispatch, n)}
    assert not any(listening.values()), {n: fns for n, fns in listening.items() if fns}
    if db.engine.dialect.name == "sqlite":
        # The app's own engine (PostgreSQL's is shared by the tests of a process, and
        # SQLAlchemy's flag stays set once a test has added and removed a listener).
        assert db.engine._has_events is False  # set by any listener of the engine's connection events


def test_a_requests_reads_see_one_snapshot(app, make_user):
    """The reads of one transaction see the database as it was at the first
    of them, even when another connection commits in between (SQLite: the
    explicit BEGIN before the first read; PostgreSQL: REPEATABLE READ is not
    the default, so there only the SQLite half applies)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's READ COMMITTED sees each statement's snapshot")
    user = make_user()
    user_id, start = user.id, user.session_version
    db.session.commit()
    with app.test_request_context("/anything"):
        assert _version(user_id) == start
        with db.engine.begin() as other:  # another connection, without a Session
            other.execute(text('UPDATE "user" SET session_version = session_version + 1 WHERE id = :id'),
                          {"id": user_id})
        assert _version(user_id) == start  # the same snapshot
        db.session.rollback()
        assert _version(user_id) == start + 1  # a new transaction sees the commit


def test_a_connection_without_a_session_commits_its_writes_together(app, make_user):
    """``engine.begin()`` (tests, benchmarks, the migrations) stays atomic:
    its writes are committed together or not at all."""
    user = make_user()
    user_id, start = user.id, user.session_version
    db.session.commit()
    with pytest.raises(RuntimeError):
        with db.engine.begin() as conn:
            conn.execute(text('UPDATE "user" SET session_version = 77 WHERE id = :id'), {"id": user_id})
            conn.execute(text('UPDATE "user" SET session_version = 78 WHERE id = :id'), {"id": user_id})
            raise RuntimeError("fails after two writes")
    assert _version(user_id) == start


def test_a_savepoint_inside_a_service_rolls_back_alone(app, make_user):
    user = make_user()
    user_id, start = user.id, user.session_version
    db.session.commit()
    with transaction(immediate=True):
        db.session.execute(text('UPDATE "user" SET session_version = :v WHERE id = :id'), {"v": start + 1, "id": user_id})
        with pytest.raises(RuntimeError):
            with db.session.begin_nested():
                db.session.execute(text('UPDATE "user" SET session_version = 99 WHERE id = :id'), {"id": user_id})
                raise RuntimeError("the savepoint's work is undone")
    assert _version(user_id) == start + 1
