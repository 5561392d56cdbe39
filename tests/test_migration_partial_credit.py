"""Upgrading a bank's database with attempts in it to f2c8d1a5e317
(attempt.partial_credit): every existing attempt gets the partial-credit rule
its exam has at the upgrade, open or submitted, and the upgraded database
scores an open attempt with it. Runs on SQLite and, with TEST_DATABASE_URL, on
PostgreSQL (a database of its own, made and dropped here)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import MetaData, Table, create_engine, select, text
from sqlalchemy.engine import make_url

from lms import create_app
from lms.content.models import Exam
from lms.extensions import db
from lms.org.models import User
from tests.conftest import _TMP, _worker_suffix, BASE_CONFIG, DATABASE_URL

BEFORE = "a3f9c2d71b58"


@pytest.fixture
def empty_database():
    """The URL of a new empty database, dropped afterwards."""
    url = make_url(DATABASE_URL)
    if url.get_backend_name() == "sqlite":
        path = _TMP / f"upgrade{_worker_suffix()}.sqlite3"
        path.unlink(missing_ok=True)
        yield f"sqlite:///{path}"
        path.unlink(missing_ok=True)
        return
    name = f"{url.database}_upgrade"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrading_keeps_each_attempts_partial_credit_from_its_exam(empty_database):
    app = create_app(dict(BASE_CONFIG, SQLALCHEMY_DATABASE_URI=empty_database))
    with app.app_context():
        upgrade(revision=BEFORE)
        learner = User(employee_no="U001", name="升级学员")
        generous = Exam(slug="exam-generous", title="部分得分", partial_credit=True)
        strict = Exam(slug="exam-strict", title="全对得分", partial_credit=False)
        db.session.add_all([learner, generous, strict])
        db.session.commit()
        attempt = Table("attempt", MetaData(), autoload_with=db.engine)
        assert "partial_credit" not in attempt.c
        now = datetime(2026, 11, 30, 9, 0)
        rows = [(generous, "open"), (generous, "finalised"), (strict, "open"), (strict, "grading")]
        with db.engine.begin() as conn:
            for number, (exam, state) in enumerate(rows, start=1):
                conn.execute(attempt.insert().values(
                    exam_id=exam.id, user_id=learner.id, number=number, seed=number, state=state, started_at=now,
                    deadline=now + timedelta(minutes=30), end_reason="", max_score=4.0, focus_losses=0,
                    pass_mark=60.0))
        db.session.remove()

        upgrade()

        with db.engine.connect() as conn:
            kept = conn.execute(text("SELECT exam_id, state, partial_credit FROM attempt ORDER BY number")).all()
        assert [(exam_id, state, bool(partial)) for exam_id, state, partial in kept] == [
            (generous.id, "open", True), (generous.id, "finalised", True),
            (strict.id, "open", False), (strict.id, "grading", False)]
        assert all(partial is not None for _e, _s, partial in kept)
        from lms.exams.models import Attempt

        upgraded = db.session.scalars(select(Attempt).order_by(Attempt.number)).all()
        assert [a.scored_with_partial_credit for a in upgraded] == [True, True, False, False]
        db.session.remove()
        db.engine.dispose()
