"""Upgrading a bank's database with check-ins in it to b7d3e9a2c418
(mentor_check_in_correction): the check-ins are untouched, a correction can
be added to one, and downgrading drops only the corrections. Runs on SQLite
and, with TEST_DATABASE_URL, on PostgreSQL (a database of its own)."""
from __future__ import annotations

from datetime import date, datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from lms import clock, create_app
from lms.extensions import db
from lms.org.models import User
from tests.conftest import BASE_CONFIG
from tests.test_migration_partial_credit import empty_database  # noqa: F401 (the fixture)

BEFORE = "f2c8d1a5e317"


def test_upgrading_keeps_the_check_ins_and_takes_corrections(empty_database):  # noqa: F811
    app = create_app(dict(BASE_CONFIG, SQLALCHEMY_DATABASE_URI=empty_database))
    with app.app_context():
        upgrade(revision=BEFORE)
        mentor = User(employee_no="M900", name="升级师傅")
        apprentice = User(employee_no="A900", name="升级学员")
        db.session.add_all([mentor, apprentice])
        db.session.commit()
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO user_role (user_id, role) VALUES (:u, 'mentor')"), {"u": mentor.id})
            pairing_id = conn.execute(text(
                "INSERT INTO mentor_pairing (mentor_id, apprentice_id, state, start_date, goals, end_reason, created_at) "
                "VALUES (:m, :a, 'active', :d, '', '', :t) RETURNING id"),
                {"m": mentor.id, "a": apprentice.id, "d": date(2026, 11, 2), "t": datetime(2026, 11, 2, 2, 0)}).scalar_one()
            conn.execute(text(
                "INSERT INTO mentor_check_in (pairing_id, held_on, form, topics_json, notes, created_at, "
                "created_by_id) VALUES (:p, :d, 'phone', '[]', '周五前读授信办法', :t, :m)"),
                {"p": pairing_id, "d": date(2026, 11, 30), "t": datetime(2026, 11, 30, 2, 0), "m": mentor.id})
        assert "mentor_check_in_correction" not in inspect(db.engine).get_table_names()
        db.session.remove()

        upgrade()

        from lms.mentoring import checkins
        from lms.mentoring.models import CheckIn

        clock.freeze(datetime(2026, 12, 1, 2, 0))
        try:
            check_in = db.session.scalars(db.select(CheckIn)).one()
            checkins.correct_check_in(db.session.get(User, mentor.id), check_in.id, "更正：是周四")
            check_in = db.session.get(CheckIn, check_in.id)
            assert check_in.notes == "周五前读授信办法" and [k.text for k in check_in.corrections] == ["更正：是周四"]
        finally:
            clock.reset()
        db.session.remove()

        downgrade(revision=BEFORE)
        assert "mentor_check_in_correction" not in inspect(db.engine).get_table_names()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT notes FROM mentor_check_in")).scalar_one() == "周五前读授信办法"
        db.session.remove()
