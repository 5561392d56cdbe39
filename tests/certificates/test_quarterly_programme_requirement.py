"""A certification that requires a quarterly requirement (警示教育) as a
programme: its condition counted weeks, of which a quarterly requirement has
none — "0 of 0 weeks passed", never met, whatever the person did. It counts
the quarters since enrolment (lms.programmes.progress) and says so."""
from __future__ import annotations

import json
from datetime import date, datetime

from lms.certificates import requirements
from lms.content.models import Programme, ProgrammeItem
from lms.extensions import db
from tests.programmes.helpers import take


def test_a_quarterly_programme_is_met_when_every_quarter_is_passed(app, clock, make_user, make_question, make_exam):
    exam = make_exam([{"questions": [make_question("single").slug]}], open_to_all=False, title="季度警示教育测验")
    p = Programme(slug="warning-quarterly", title="警示教育（季度必修）", recurring="quarterly",
                  audience_json=json.dumps({"positions": ["rm_*"]}))
    p.items = [ProgrammeItem(key="quarterly", kind="quarterly", number=1, title="警示教育（季度必修）",
                             exam_id=exam.id, opens_on=date(2026, 1, 1), due_on=date(2026, 3, 31))]
    db.session.add(p)
    db.session.commit()
    senior = make_user(("learner",), employee_no="RM1", position="rm_senior")
    clock.freeze(datetime(2026, 3, 2, 2, 0))
    before = requirements._programme(senior, "warning-quarterly")
    assert not before.met
    take(senior, exam, clock)
    after = requirements._programme(senior, "warning-quarterly")
    assert after.met and after.params["unit"] == "quarter"
    line = {"kind": after.kind, "met": after.met, "params": after.params}
    with app.test_request_context():
        assert requirements.describe(line) == "警示教育（季度必修）：已通过 1 / 1 个季度"
