"""The exam page without JavaScript posts ``shown`` (the question ids it showed) and
``go`` (a question's number, review or submit) as hidden fields. A hand-made form with
characters str.isdigit() takes for digits but int() refuses (², ፩) saved nothing and
answered 500; they name no question: the answers are saved and the page shown again."""
from __future__ import annotations

import pytest

from lms.exams import attempts as exam_attempts
from lms.exams.models import Attempt
from lms.extensions import db
from tests.conftest import sign_in
from tests.exams.takers import as_posted, learner  # noqa: F401


@pytest.mark.parametrize("shown_extra, go", [(",²", ""), (",፩", "review"), ("", "²"), ("", "፩")])
def test_odd_digits_in_the_page_form_save_the_answers(client, learner, make_question, make_exam, shown_extra, go):
    q = make_question("single")
    attempt = exam_attempts.start_attempt(learner, make_exam([{"questions": [q.slug]}], time_limit_minutes=30))
    db.session.commit()
    item = attempt.items[0]
    sign_in(client, learner)
    response = client.post(f"/attempts/{attempt.id}/save",
                           data={"shown": f"{item.id}{shown_extra}", "go": go} | as_posted(item, {f"a-{item.id}": "B"}))
    assert response.status_code in (302, 303)
    assert f"/attempts/{attempt.id}" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).items[0].answer_json is not None
