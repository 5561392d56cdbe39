"""Nobody grades or changes the result of their own attempt: a trainer or an
administrator who also sits an exam is a candidate there. Grading, overriding
and the trainer's view of the attempt are refused (403, saying why) for every
role, and the grading queue hides one's own answers."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.exams import trainer_services
from lms.exams.models import ScoreOverride
from lms.extensions import db
from tests.conftest import sign_in
from tests.exams.test_grading_queue import essay_exam, essay_item, submitted  # noqa: F401

REFUSED = "This is your own attempt: another trainer has to grade it or change its points."


@pytest.mark.parametrize("roles", [("trainer", "learner"), ("admin", "learner"), ("admin",)])
def test_own_essay_is_hidden_from_the_queue_and_cannot_be_graded(app, client, clock, make_user, essay_exam, roles):
    exam, _single, _essay = essay_exam
    candidate = make_user(roles, name="自考培训师", locale="en")
    colleague = make_user(("trainer",), name="同事培训师")
    attempt = submitted(candidate, exam, essay_text="我自己的论述答案")
    item = essay_item(attempt)

    sign_in(client, candidate)
    queue = client.get("/grading/")
    assert queue.status_code == 200
    assert "我自己的论述答案" not in queue.text
    # Asking for it by id does not bring it into the queue either.
    assert "我自己的论述答案" not in client.get(f"/grading/?item={item.id}").text

    graded = client.post(f"/grading/items/{item.id}", data={"points": "4", "comment": ""})
    assert graded.status_code == 403
    assert REFUSED in graded.text
    overridden = client.post(f"/grading/attempts/{attempt.id}/items/{item.id}/override",
                             data={"points": "4", "reason": "自评"})
    assert overridden.status_code == 403
    assert REFUSED in overridden.text
    detail = client.get(f"/grading/attempts/{attempt.id}")
    assert detail.status_code == 403
    assert REFUSED in detail.text
    db.session.expire_all()
    item = essay_item(attempt)
    assert item.needs_grading and item.awarded is None
    assert db.session.scalars(select(ScoreOverride)).all() == []

    # Another trainer sees it and grades it.
    sign_in(client, colleague)
    assert "我自己的论述答案" in client.get("/grading/").text
    assert client.post(f"/grading/items/{item.id}", data={"points": "3", "comment": ""}).status_code == 302
    db.session.expire_all()
    assert essay_item(attempt).awarded == 3


def test_the_services_refuse_one_own_attempt(app, clock, make_user, essay_exam):
    exam, _single, _essay = essay_exam
    candidate = make_user(("trainer", "learner"))
    attempt = submitted(candidate, exam)
    item = essay_item(attempt)
    with pytest.raises(trainer_services.OwnAttempt):
        trainer_services.grade_essay(item, "4", "", candidate)
    with pytest.raises(trainer_services.OwnAttempt):
        trainer_services.override_score(item, "4", "自评", candidate)
    assert trainer_services.grading_queue(grader=candidate) == []
    assert trainer_services.queue_size(grader=candidate) == 0
    assert trainer_services.exams_with_waiting_answers(grader=candidate) == []
