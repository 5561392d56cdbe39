"""The one rule for transactions (``lms.database``): a service owns its
transaction; one that reads and then writes on what it read begins
``IMMEDIATE`` on SQLite, so that many of them at once all succeed instead of
failing with "database is locked"."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text

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
