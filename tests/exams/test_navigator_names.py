"""The exam's question navigator told answered and flagged questions apart by
colour alone: a screen reader read "1, link", "2, link". Each number is named
with its state in the learner's language ("第 1 题、已作答、已标记"), also in
the navigator re-sent after an autosave, and the question shown in the
question-by-question layout is the current step."""
from __future__ import annotations

import re

from lms.exams import answers as exam_answers, attempts as exam_attempts
from lms.exams.models import Attempt
from lms.extensions import db
from tests.conftest import sign_in
from tests.exams.takers import as_posted


def _nav_labels(html: str) -> list[tuple[str, str]]:
    """(aria-label, shown number) of each link of the navigator, in order."""
    nav = re.search(r'<nav id="q-nav".*?</nav>', html, re.S).group(0)
    return re.findall(r'<a aria-label="([^"]*)".*?>(\d+)</a>', nav, re.S)


def _attempt(learner, make_question, make_exam, layout="one_page"):
    questions = [make_question("single", data={"options": [{"key": "A", "text": "甲"}, {"key": "B", "text": "乙"}],
                                               "correct": ["B"]}) for _ in range(3)]
    exam = make_exam([{"questions": [q.slug for q in questions]}], layout=layout)
    attempt = exam_attempts.start_attempt(learner, exam)
    first, second, _ = sorted(attempt.items, key=lambda i: i.position)
    exam_answers.save_answer(attempt, first, "B")
    exam_attempts.set_flag(attempt, first, True)
    exam_attempts.set_flag(attempt, second, True)
    db.session.commit()
    return attempt.id


def test_each_number_is_named_with_its_state(app, client, clock, make_user, make_question, make_exam):
    learner = make_user(("learner",))
    attempt_id = _attempt(learner, make_question, make_exam)
    sign_in(client, learner)
    page = client.get(f"/attempts/{attempt_id}").text
    assert _nav_labels(page) == [("第 1 题、已作答、已标记", "1"), ("第 2 题、已标记", "2"), ("第 3 题", "3")]
    assert 'aria-current="step"' not in page  # one page: no question is "the current one"
    assert '<a href="#q-nav" class="to-nav">全部题目</a>' in page  # from the sticky header back to the navigator


def test_in_english_and_after_an_autosave(app, client, clock, make_user, make_question, make_exam):
    learner = make_user(("learner",), locale="en")
    attempt_id = _attempt(learner, make_question, make_exam)
    sign_in(client, learner)
    page = client.get(f"/attempts/{attempt_id}").text
    assert _nav_labels(page)[:2] == [("Question 1, answered, flagged", "1"), ("Question 2, flagged", "2")]
    attempt = db.session.get(Attempt, attempt_id)
    third = sorted(attempt.items, key=lambda i: i.position)[2]
    data = as_posted(third, {f"a-{third.id}": "A"})
    saved = client.post(f"/attempts/{attempt_id}/items/{third.id}", data=data,
                        headers={"HX-Request": "true", "HX-Current-URL": f"http://localhost/attempts/{attempt_id}"})
    assert saved.status_code == 200
    assert _nav_labels(saved.text)[2] == ("Question 3, answered", "3")  # the navigator re-sent out of band


def test_the_question_shown_is_the_current_step(app, client, clock, make_user, make_question, make_exam):
    learner = make_user(("learner",))
    attempt_id = _attempt(learner, make_question, make_exam, layout="per_question")
    sign_in(client, learner)
    page = client.get(f"/attempts/{attempt_id}?q=2").text
    nav = re.search(r'<nav id="q-nav".*?</nav>', page, re.S).group(0)
    assert re.findall(r'<a aria-label="([^"]*)" aria-current="step"', nav) == ["第 2 题、已标记"]
