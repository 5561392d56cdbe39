"""SQLite writers queue on a lock file beside the database instead of
polling for SQLite's write lock; many writers at once all succeed, and a
thread that would wait for its own other connection is told so at once."""
from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import text

from lms.extensions import db


@pytest.fixture
def sqlite_only(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the writers' queue is SQLite's")


def test_writers_queue_on_a_file_beside_the_database(app, sqlite_only, make_user):
    make_user()
    assert os.path.exists(db.engine.url.database + "-writers")


def test_many_writers_at_once_all_commit(app, make_user):
    user = make_user()
    user_id, start = user.id, user.session_version
    db.session.commit()
    barrier = threading.Barrier(8)
    errors = []

    def bump():
        with app.app_context():
            try:
                barrier.wait()
                for _ in range(25):
                    db.session.execute(text('UPDATE "user" SET session_version = session_version + 1 WHERE id = :id'),
                                       {"id": user_id})
                    db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    version = db.session.execute(text('SELECT session_version FROM "user" WHERE id = :id'), {"id": user_id}).scalar()
    assert version == start + 8 * 25


def test_a_thread_writing_on_two_connections_is_stopped_not_hung(app, sqlite_only, make_user):
    from lms import clock
    from lms.database import standalone_statements
    from lms.exams.services import _SAVE_IF_OPEN

    make_user()
    db.session.execute(text('UPDATE "user" SET name = name'))  # this thread now writes on the ORM connection
    with pytest.raises(RuntimeError, match="already writes"):
        with standalone_statements() as conn:
            _SAVE_IF_OPEN.execute(conn, {"b_item_id": 1, "b_attempt_id": 1, "b_user_id": 1,
                                         "earliest_deadline": clock.now(), "new_answer": None, "now": clock.now()})
    db.session.rollback()
    with standalone_statements() as conn:  # once the first write ended, the other connection may write
        assert _SAVE_IF_OPEN.execute(conn, {"b_item_id": 1, "b_attempt_id": 1, "b_user_id": 1,
                                            "earliest_deadline": clock.now(), "new_answer": None,
                                            "now": clock.now()}).rowcount == 0
