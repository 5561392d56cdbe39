"""A learner taken out of a programme's audience while their attempt is open
(README, *Taking exams*: the decision): the attempt is finished — the page,
the autosave and the submit work, it is graded and recorded — and nothing new
starts afterwards (no retake), the exam page saying why."""
from __future__ import annotations

from sqlalchemy import select

from lms.exams.models import Attempt
from lms.extensions import db
from lms.programmes import audience_admin
from tests.conftest import sign_in
from tests.exams.takers import as_posted
from tests.programmes.helpers import programme

HX = {"HX-Request": "true"}


def test_an_open_attempt_is_finished_and_no_new_one_starts(client, clock, make_user, make_question, make_exam):
    exam = make_exam([{"questions": [make_question("single").slug]}], open_to_all=False, time_limit_minutes=60,
                     max_attempts=3, pass_mark=60)
    weeks = programme([exam] * 5, audience={"positions": ["rm_junior"]})
    hr = make_user(("hr",), employee_no="H001")
    learner = make_user(("learner",), employee_no="R001", name="客户经理乙", position="rm_junior")
    sign_in(client, learner)
    assert client.post(f"/exams/{exam.id}/start").status_code == 302
    attempt = db.session.scalar(select(Attempt).where(Attempt.user_id == learner.id))
    item = attempt.items[0]

    audience_admin.remove_person(weeks, "R001", "调岗", hr)
    page = client.get(f"/attempts/{attempt.id}")
    assert page.status_code == 200 and "交卷" in page.text
    saved = client.post(f"/attempts/{attempt.id}/items/{item.id}", data=as_posted(item, {f"a-{item.id}": "B"}),
                        headers=HX)
    assert saved.status_code == 200 and "已保存" in saved.text
    submitted = client.post(f"/attempts/{attempt.id}/submit")
    assert submitted.status_code == 302 and submitted.headers["Location"] == f"/attempts/{attempt.id}/result"
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.state == "finalised" and attempt.passed

    again = client.post(f"/exams/{exam.id}/start")
    assert again.status_code == 403 and "该考试不属于您参加的任何培训计划" in again.text
    assert db.session.scalar(select(db.func.count(Attempt.id))) == 1
    intro = client.get(f"/exams/{exam.id}")
    assert intro.status_code == 403 and f"/exams/{exam.id}/start" not in intro.text
