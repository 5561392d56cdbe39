"""Options carry opaque values, unique to each attempt (issue 9): the bank's
letter never reaches the page as a value, so "always answer B" is a guess and
a value copied from someone else's attempt picks nothing. The server maps the
value back: what is stored and graded is in the bank's terms, and the review
shows the option the learner chose."""
from __future__ import annotations

import re

import pytest

from lms.exams import answers as exam_answers, attempts as exam_attempts, errors as exam_errors
from lms.exams.models import Attempt
from lms.extensions import db
from tests.conftest import sign_in

HX = {"HX-Request": "true"}
OPTIONS = [{"key": k, "text": t} for k, t in zip("ABCDE", ("活期存款", "定期存款", "大额存单", "结构性存款", "协定存款"))]
OPTION = re.compile(r'<input type="(?:radio|checkbox)" name="(?P<name>[^"]+)" value="(?P<value>[^"]*)"[^>]*>\s*'
                    r'<span class="opt-letter">(?P<letter>[A-Z])</span>\s*(?P<text>[^<]+?)\s*</label>')


@pytest.fixture
def exam(make_question, make_exam):
    single = make_question("single", data={"options": OPTIONS, "correct": ["B"]}, stem="哪一种存款期限固定？")
    multiple = make_question("multiple", data={"options": OPTIONS, "correct": ["B", "C"]}, stem="哪些有固定期限？")
    return make_exam([{"questions": [single.slug, multiple.slug]}], shuffle_options=True, max_attempts=None,
                     time_limit_minutes=30, pass_mark=60, review_policy="after_submit")


def _start(client, user, exam) -> Attempt:
    sign_in(client, user)
    response = client.post(f"/exams/{exam.id}/start")
    return db.session.get(Attempt, int(response.headers["Location"].rstrip("/").split("/")[-1]))


def _options(page: str, item) -> list[dict]:
    """The options of one question as the page shows them: displayed letter, text, value."""
    return [m.groupdict() for m in OPTION.finditer(page) if m["name"] == f"a-{item.id}"]


def _key_of(text: str) -> str:
    return next(o["key"] for o in OPTIONS if o["text"] == text)


def test_the_page_never_carries_the_bank_letter_and_each_attempt_has_its_own_values(
        client, clock, exam, make_user, make_branch):
    branch = make_branch("B01")
    first, second = (make_user(("learner",), branch=branch) for _ in range(2))
    attempts = [_start(client, user, exam) for user in (first, second)]
    shown = []
    for attempt in attempts:
        sign_in(client, attempt.user)
        page = client.get(f"/attempts/{attempt.id}").text
        for item in attempt.items:
            options = _options(page, item)
            assert len(options) == 5
            values = {o["value"] for o in options}
            assert not values & set("ABCDE"), f"a bank letter is an option's value: {values}"
            assert len(values) == 5
        shown.append({o["text"]: o["value"] for o in _options(page, attempt.items[0])})
    # The same option of the same question: a different value in each attempt.
    assert all(shown[0][text] != shown[1][text] for text in shown[0])


def test_answering_the_displayed_letters_value_grades_as_that_option(client, clock, exam, make_user, make_branch):
    learner = make_user(("learner",), branch=make_branch("B01"))
    attempt = _start(client, learner, exam)
    single, multiple = attempt.items
    page = client.get(f"/attempts/{attempt.id}").text
    # The learner clicks the option shown with letter C, whatever it is in the bank.
    picked = next(o for o in _options(page, single) if o["letter"] == "C")
    saved = client.post(f"/attempts/{attempt.id}/items/{single.id}", data={f"a-{single.id}": picked["value"]},
                        headers=HX)
    assert saved.status_code == 200 and "已保存" in saved.text
    db.session.refresh(single)
    assert single.answer == _key_of(picked["text"])  # stored in the bank's terms
    # Multiple choice: the two options with fixed terms, by their values on this page.
    right = [o for o in _options(page, multiple) if _key_of(o["text"]) in ("B", "C")]
    saved = client.post(f"/attempts/{attempt.id}/items/{multiple.id}",
                        data={f"a-{multiple.id}": [o["value"] for o in right]}, headers=HX)
    assert saved.status_code == 200
    db.session.refresh(multiple)
    assert multiple.answer == ["B", "C"]
    # The page shows the saved choices checked again.
    page = client.get(f"/attempts/{attempt.id}").text
    assert re.search(rf'value="{picked["value"]}"[^>]*checked', page)
    client.post(f"/attempts/{attempt.id}/submit")
    attempt = db.session.get(Attempt, attempt.id, populate_existing=True)
    assert single.correct is (_key_of(picked["text"]) == "B") and multiple.correct is True
    # The review marks the option the learner chose, by its text.
    result = client.get(f"/attempts/{attempt.id}/result").text
    chosen = re.search(r'<li class="[^"]*is-picked[^"]*">\s*<span class="opt-letter">[A-Z]</span>\s*([^<]+?)\s*<', result)
    assert chosen and chosen.group(1) == picked["text"]


def test_a_bank_letter_or_another_attempts_value_is_refused_and_changes_nothing(
        client, clock, exam, make_user, make_branch):
    branch = make_branch("B01")
    mine, theirs = (make_user(("learner",), branch=branch) for _ in range(2))
    other = _start(client, theirs, exam)
    their_page = client.get(f"/attempts/{other.id}").text
    their_right = next(o["value"] for o in _options(their_page, other.items[0]) if _key_of(o["text"]) == "B")
    attempt = _start(client, mine, exam)
    single = attempt.items[0]
    page = client.get(f"/attempts/{attempt.id}").text
    wrong = next(o["value"] for o in _options(page, single) if _key_of(o["text"]) == "A")
    assert client.post(f"/attempts/{attempt.id}/items/{single.id}", data={f"a-{single.id}": wrong},
                       headers=HX).status_code == 200
    for value in ("B", their_right, "o000000000000"):
        refused = client.post(f"/attempts/{attempt.id}/items/{single.id}", data={f"a-{single.id}": value}, headers=HX)
        assert refused.status_code == 422
        assert f"第 {single.position} 题" in refused.text and "未保存" in refused.text
        db.session.refresh(single)
        assert single.answer == "A"  # the earlier answer stands
    # Without JavaScript: the whole form is refused, nothing on it is saved.
    multiple = attempt.items[1]
    right_multiple = [o["value"] for o in _options(page, multiple) if _key_of(o["text"]) in ("B", "C")]
    response = client.post(f"/attempts/{attempt.id}/save", follow_redirects=True, data={
        "shown": f"{single.id},{multiple.id}", f"a-{single.id}": "B", f"a-{multiple.id}": right_multiple})
    assert "未保存" in response.text
    db.session.refresh(single)
    db.session.refresh(multiple)
    assert single.answer == "A" and multiple.answer is None


def test_always_answering_b_scores_like_guessing(client, clock, make_question, make_exam, make_user, make_branch):
    """Learners who all post "B" on a bank whose key is always B:
    nothing is saved, and none of them passes."""
    questions = [make_question("single", data={"options": OPTIONS, "correct": ["B"]}, stem=f"第{n}题")
                 for n in range(5)]
    exam = make_exam([{"questions": [q.slug for q in questions]}], shuffle_options=True, max_attempts=None,
                     time_limit_minutes=30, pass_mark=60)
    branch = make_branch("B01")
    for _ in range(3):
        attempt = _start(client, make_user(("learner",), branch=branch), exam)
        for item in attempt.items:
            client.post(f"/attempts/{attempt.id}/items/{item.id}", data={f"a-{item.id}": "B"}, headers=HX)
        client.post(f"/attempts/{attempt.id}/submit")
        attempt = db.session.get(Attempt, attempt.id, populate_existing=True)
        assert attempt.score == 0 and not attempt.passed


def test_values_are_mapped_back_by_the_service(app, clock, exam, make_user, make_branch):
    from werkzeug.datastructures import MultiDict

    learner = make_user(("learner",), branch=make_branch("B01"))
    attempt = exam_attempts.start_attempt(learner, exam)
    single = attempt.items[0]
    values = exam_answers.option_values(attempt)
    form = MultiDict({f"a-{single.id}": values.value(f"a-{single.id}", "D")})
    assert exam_answers.answer_from_form(attempt, single, form, f"a-{single.id}") == "D"
    with pytest.raises(exam_errors.UnknownChoice):
        exam_answers.answer_from_form(attempt, single, MultiDict({f"a-{single.id}": "D"}), f"a-{single.id}")


@pytest.mark.parametrize("value", ["Ｂ", "定期存款", "o00000000000²"])
def test_a_value_with_a_character_outside_ascii_is_refused_like_any_forged_one(
        client, clock, exam, make_user, make_branch, value):
    """hmac.compare_digest refuses to compare a str holding non-ASCII characters (TypeError): a
    full-width Ｂ or an option's text typed into the field answered 500, the answer unsaid."""
    attempt = _start(client, make_user(("learner",), branch=make_branch("B01")), exam)
    single, multiple = attempt.items
    page = client.get(f"/attempts/{attempt.id}").text
    wrong = next(o["value"] for o in _options(page, single) if _key_of(o["text"]) == "A")
    assert client.post(f"/attempts/{attempt.id}/items/{single.id}", data={f"a-{single.id}": wrong},
                       headers=HX).status_code == 200
    refused = client.post(f"/attempts/{attempt.id}/items/{single.id}", data={f"a-{single.id}": value}, headers=HX)
    assert refused.status_code == 422 and "未保存" in refused.text
    refused = client.post(f"/attempts/{attempt.id}/items/{multiple.id}", data={f"a-{multiple.id}": [value]},
                          headers=HX)
    assert refused.status_code == 422 and "未保存" in refused.text
    response = client.post(f"/attempts/{attempt.id}/save", follow_redirects=True,
                           data={"shown": f"{single.id},{multiple.id}", f"a-{single.id}": value})
    assert response.status_code == 200 and "未保存" in response.text
    db.session.refresh(single)
    db.session.refresh(multiple)
    assert single.answer == "A" and multiple.answer is None
