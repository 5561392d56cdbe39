"""The essay limit (20,000 characters) counts what the learner typed — a line
break one character, a quote one — not the answer's stored JSON form (its
quotes, its escaped line breaks). An essay the page's counter shows under the
limit is saved by the autosave, by the no-JavaScript page and at submit; one
over it is refused with the count named, as the counter shows it."""
from __future__ import annotations

from lms.exams import errors as exam_errors
from lms.exams.models import Attempt
from lms.extensions import db
from lms.questions import typed_length
from tests.conftest import sign_in
from tests.exams.takers import item_of, learner, every_type_exam  # noqa: F401

HX = {"HX-Request": "true"}
# 19,600 characters as typed: quotes and line breaks that the JSON form doubles (28,000 characters there).
LONG_ESSAY = '他说："好"\n' * 2800


def _start(client, exam):
    response = client.post(f"/exams/{exam.id}/start")
    return db.session.get(Attempt, int(response.headers["Location"].rstrip("/").split("/")[-1]))


def _stored(item):
    db.session.expire_all()
    return db.session.get(type(item), item.id).answer


def test_the_count_is_what_was_typed():
    assert typed_length(LONG_ESSAY.strip()) == 19_599  # the last line break is trimmed as the form reads it
    assert typed_length("甲\r\n乙") == 3
    assert typed_length({"a": "A", "b": "长" * 30}) == 30  # a case: its longest box


def test_an_essay_under_the_limit_as_typed_is_saved_by_autosave(client, learner, every_type_exam):
    sign_in(client, learner)
    attempt = _start(client, every_type_exam())
    essay = item_of(attempt, "essay")
    response = client.post(f"/attempts/{attempt.id}/items/{essay.id}", data={f"a-{essay.id}": LONG_ESSAY}, headers=HX)
    assert response.status_code == 200, response.text
    assert _stored(essay) == LONG_ESSAY.strip()
    page = client.get(f"/attempts/{attempt.id}").text
    assert "已输入字数：<span class=\"char-count-n\">19599</span> / 20000" in page


def test_an_essay_under_the_limit_as_typed_is_saved_without_javascript_and_submitted(client, learner,
                                                                                      every_type_exam):
    sign_in(client, learner)
    attempt = _start(client, every_type_exam())
    essay = item_of(attempt, "essay")
    # Without JavaScript the browser sends line breaks as CR LF.
    typed = LONG_ESSAY.replace("\n", "\r\n")
    response = client.post(f"/attempts/{attempt.id}/save", data={"shown": str(essay.id), f"a-{essay.id}": typed})
    assert response.status_code == 302 and "too long" not in client.get(response.headers["Location"]).text
    assert _stored(essay) == LONG_ESSAY.strip()
    response = client.post(f"/attempts/{attempt.id}/save",
                           data={"shown": str(essay.id), f"a-{essay.id}": typed, "go": "review"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/review")
    assert client.post(f"/attempts/{attempt.id}/submit", data={}).status_code in (302, 303)
    assert _stored(essay) == LONG_ESSAY.strip()


def test_an_essay_over_the_limit_is_refused_with_its_count(client, learner, every_type_exam):
    learner.locale = "en"
    db.session.commit()
    sign_in(client, learner)
    attempt = _start(client, every_type_exam())
    essay = item_of(attempt, "essay")
    over = "长" * (exam_errors.MAX_ANSWER_CHARS + 5)
    response = client.post(f"/attempts/{attempt.id}/items/{essay.id}", data={f"a-{essay.id}": over}, headers=HX)
    assert response.status_code == 422
    assert (f"Question {essay.position}: your answer has 20005 characters, more than the 20000 allowed"
            in response.text)
    assert _stored(essay) is None
