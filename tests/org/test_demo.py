"""The demo organisation: idempotent, every position with a realistic history,
a couple of people who left; the shipped import examples fit its branches."""
from pathlib import Path

import pytest
from flask_babel import force_locale

from lms.audit.models import AuditEvent
from lms.demo import load_demo
from lms.extensions import db
from lms.org import imports
from lms.org.models import POSITIONS, User
from tests.conftest import load_demo_copy

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _count(model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


@pytest.fixture
def demo(app, clock):
    load_demo_copy("demo-pass-2024")


def test_loading_twice_changes_nothing(app, demo):
    before = (_count(User), _count(AuditEvent))
    load_demo("demo-pass-2024")
    assert (_count(User), _count(AuditEvent)) == before


def test_people_have_career_histories_and_some_left(app, demo):
    people = db.session.scalars(db.select(User)).all()
    assert len(people) >= 40
    current = {u.current_position.position for u in people if u.active}
    assert current == set(POSITIONS)
    learner = db.session.scalar(db.select(User).where(User.employee_no == "learner"))
    assert [p.position for p in learner.positions] == ["intern", "teller", "rm_junior"]
    assert learner.months_in("teller") >= 12 and learner.hire_date == learner.positions[0].start_date
    for user in people:  # each stint ends the day before the next starts
        for earlier, later in zip(user.positions, user.positions[1:]):
            assert (later.start_date - earlier.end_date).days == 1
    assert len([u for u in people if not u.active]) == 2


def test_shipped_examples_import_cleanly_into_the_demo(app, demo):
    with app.test_request_context(), force_locale("zh_CN"):
        plans = [imports.plan_import((EXAMPLES / name).read_bytes(), name)
                 for name in ("people_import.csv", "people_import.xlsx")]
    for plan in plans:
        assert not plan.problems, [str(p) for p in plan.problems]
        assert plan.count("create") == 10
    csv_rows, xlsx_rows = ([(r.employee_no, r.name, r.branch.code, r.position, r.hire_date, sorted(r.roles))
                            for r in plan.rows] for plan in plans)
    assert csv_rows == xlsx_rows
