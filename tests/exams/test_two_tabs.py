"""Two tabs of the same attempt: once one tab has submitted, the other tab's
next autosave, flag or page save says the exam was submitted (and links the
result), not that the time is up; a real time-out still says the time is up."""
from __future__ import annotations

from lms.exams import attempts as exam_attempts
from lms.extensions import db
from tests.conftest import sign_in
from tests.exams.takers import as_posted, learner  # noqa: F401

HX = {"HX-Request": "true"}


def test_the_other_tab_is_told_the_exam_was_submitted_not_that_time_is_up(client, clock, learner, make_question,
                                                                         make_exam):
    q = make_question("single")
    attempt = exam_attempts.start_attempt(learner, make_exam([{"questions": [q.slug]}], time_limit_minutes=30))
    db.session.commit()
    item = attempt.items[0]
    sign_in(client, learner)
    assert client.post(f"/attempts/{attempt.id}/submit").status_code == 302  # the first tab

    save = client.post(f"/attempts/{attempt.id}/items/{item.id}", data=as_posted(item, {f"a-{item.id}": "B"}),
                       headers=HX)
    assert save.status_code == 409
    assert "本次考试已交卷" in save.text and "考试时间已到" not in save.text and "查看成绩" in save.text
    flag = client.post(f"/attempts/{attempt.id}/flag/{item.id}", data={f"flag-{item.id}": "1"}, headers=HX)
    assert flag.status_code == 409 and "本次考试已交卷" in flag.text and "考试时间已到" not in flag.text
    page = client.post(f"/attempts/{attempt.id}/save", data={"go": "review", "shown": str(item.id)})
    assert page.status_code == 409
    assert "<h1>本次考试已交卷</h1>" in page.text and "考试时间已到" not in page.text
