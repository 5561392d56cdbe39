"""Moving around the exam is not leaving it: on a one-question-per-page exam
the learner goes Next, Previous, reloads and opens the review; none of it is
counted as leaving the page (the browser hides a page it unloads; each of
those was reported, and with a limit on the exam the attempt was submitted
after a few questions). Hiding the page (another tab or app) still counts."""
from __future__ import annotations

import pytest

from lms.exams.models import Attempt
from lms.extensions import db
from tests.browser.test_take_exam import _sign_in


@pytest.fixture
def paged_exam(app, make_user, make_question, make_exam):
    learner = make_user(("learner",), employee_no="i-learner")
    slugs = [make_question(t).slug for t in ("single", "multiple", "truefalse", "fill", "case")]
    exam = make_exam([{"questions": slugs}], title="逐题测验", shuffle_options=False, max_attempts=None,
                     layout="per_question", focus_loss_limit=3)
    world = learner.employee_no, exam.id
    db.session.commit()
    return world


def _attempt():
    db.session.rollback()  # a fresh read
    return db.session.scalar(db.select(Attempt))


def test_going_from_question_to_question_is_not_leaving_the_exam(page, live_server, paged_exam):
    employee_no, exam_id = paged_exam
    _sign_in(page, live_server, employee_no)
    page.goto(f"{live_server}/exams/{exam_id}")
    page.click("text=开始考试")
    page.wait_for_url(f"{live_server}/attempts/*")
    for n in range(2, 6):  # Next through every question
        page.click(f"button[name=go][value='{n}']")
        page.wait_for_url(f"**q={n}")
    page.click("button[name=go][value='4']")  # Previous
    page.wait_for_url("**q=4")
    page.reload()
    page.locator("#q-nav a", has_text="1").click()  # the navigator
    page.wait_for_url("**q=1")
    page.click("button[value=review]")
    page.wait_for_url("**/review")
    page.go_back()
    page.wait_for_url("**/attempts/*")

    attempt = _attempt()
    assert attempt.state == "open" and attempt.focus_losses == 0  # was 9, and submitted at the third
    assert page.locator("#integrity-notice").inner_text().strip() == ""

    # Hiding the page (the learner switches to another app) is still reported.
    page.evaluate("""() => {
        Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    page.locator("#integrity-notice").filter(has_text="1").wait_for()
    assert _attempt().focus_losses == 1
