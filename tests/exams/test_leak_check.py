"""No response a learner receives before the attempt is finalised carries a
key, a correctness flag, a score per option or an explanation: the intro, the
exam page (one page and per question), every autosave, flag and focus
fragment, the review, the no-JS save, and the result while grading."""
from __future__ import annotations

import pytest

from lms.exams import services
from lms.exams.models import Attempt
from lms.extensions import db
from tests.conftest import sign_in
from tests.exams.takers import LEAKY_WORDS, SECRETS, every_type_exam, learner, right_form  # noqa: F401

HX = {"HX-Request": "true"}


# Once the learner has typed the right answers, the page shows them back as
# their own input values; that is not a leak. Everything else still is.
TYPED = {"填空机密甲", "填空机密乙", "98765", "4321.9"}


def assert_no_leak(response, where, typed=False):
    text = response.get_data(as_text=True)
    for secret in SECRETS:
        if typed and secret in TYPED:
            continue
        assert secret not in text, f"{where}: leaks {secret!r}"
    found = LEAKY_WORDS.search(text)
    assert not found, f"{where}: contains {found.group(0)!r} near {text[max(0, found.start() - 80):found.end() + 80]!r}"


@pytest.mark.parametrize("layout", ["one_page", "per_question"])
def test_nothing_leaks_before_the_attempt_is_finalised(client, clock, learner, every_type_exam, layout):
    exam = every_type_exam(layout=layout, focus_loss_limit=10, shuffle_options=True, partial_credit=True)
    sign_in(client, learner)
    assert_no_leak(client.get(f"/exams/{exam.id}"), "intro")
    start = client.post(f"/exams/{exam.id}/start")
    attempt_id = int(start.headers["Location"].split("/")[-1])
    attempt = db.session.get(Attempt, attempt_id)
    items = list(attempt.items)
    pages = [client.get(f"/attempts/{attempt_id}")]
    pages += [client.get(f"/attempts/{attempt_id}?q={i.position}") for i in items]
    for n, page in enumerate(pages):
        assert page.status_code == 200
        assert_no_leak(page, f"exam page {n}")
    for item in items:
        data = right_form(item)
        saved = client.post(f"/attempts/{attempt_id}/items/{item.id}", data=data, headers=HX)
        assert saved.status_code == 200
        assert_no_leak(saved, f"autosave {item.question_version.type}")
        flagged = client.post(f"/attempts/{attempt_id}/flag/{item.id}", data={f"flag-{item.id}": "1"}, headers=HX)
        assert_no_leak(flagged, "flag")
    # Pages re-rendered with the (right) answers filled in must not mark them either.
    assert_no_leak(client.get(f"/attempts/{attempt_id}"), "exam page with answers", typed=True)
    assert_no_leak(client.post(f"/attempts/{attempt_id}/focus", data={"kind": "hidden"}, headers=HX), "focus")
    assert_no_leak(client.get(f"/attempts/{attempt_id}/review"), "review")
    no_js = {"shown": ",".join(str(i.id) for i in items)}
    for item in items:
        no_js.update(right_form(item))
    saved_all = client.post(f"/attempts/{attempt_id}/save", data=no_js, follow_redirects=True)
    assert_no_leak(saved_all, "no-JS save", typed=True)
    assert_no_leak(client.get(f"/attempts/{attempt_id}/result", follow_redirects=True), "result while open", typed=True)
    submitted = client.post(f"/attempts/{attempt_id}/submit", follow_redirects=True)
    attempt = db.session.get(Attempt, attempt_id, populate_existing=True)
    assert attempt.state == "grading"  # the essay waits: not finalised yet
    assert_no_leak(submitted, "result while grading")
    assert_no_leak(client.get(f"/exams/{exam.id}"), "intro while grading")
    assert_no_leak(client.get("/"), "home while grading")


def test_the_leak_check_can_fail(client, clock, learner, every_type_exam):
    """Once finalised (review after submit), the same pages do show the key:
    the check above looks at text that really would be there."""
    exam = every_type_exam()
    attempt = services.start_attempt(learner, exam)
    services.submit(attempt, learner)
    essay = next(i for i in attempt.items if i.question_version.type == "essay")
    essay.awarded = 0
    services.recompute_result(attempt)
    db.session.commit()
    sign_in(client, learner)
    with pytest.raises(AssertionError):
        assert_no_leak(client.get(f"/attempts/{attempt.id}/result"), "result after finalising")


def test_option_order_is_shuffled_per_attempt_and_answers_stored_by_key(client, clock, learner, make_question,
                                                                       make_exam):
    options = [{"key": k, "text": f"选项{k}"} for k in "ABCDEFGH"]
    question = make_question("single", data={"options": options, "correct": ["H"]})
    exam = make_exam([{"questions": [question.slug]}], shuffle_options=True, max_attempts=None)
    orders = set()
    for _ in range(6):
        attempt = services.start_attempt(learner, exam)
        orders.add(tuple(attempt.items[0].option_order))
        services.save_answer(attempt, attempt.items[0], "H", clock.now())
        services.submit(attempt, learner)
        assert attempt.items[0].correct is True
    assert len(orders) > 1 and all(sorted(o) == list("ABCDEFGH") for o in orders)
    sign_in(client, learner)
    fixed = make_exam([{"questions": [question.slug]}], shuffle_options=False)
    attempt = services.start_attempt(learner, fixed)
    page = client.get(f"/attempts/{attempt.id}").text
    positions = [page.index(f"选项{k}") for k in "ABCDEFGH"]
    assert positions == sorted(positions)
