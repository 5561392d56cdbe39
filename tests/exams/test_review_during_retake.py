"""The 错题本's rule holds on the result page too: while the learner is
taking an exam that holds a question (a retake open in another tab), no page
shows that question's key — not the practice (refused already), and not the
review of the earlier attempt, which the policy (after_submit) shows
otherwise. Once the retake is submitted, the review is back."""
from __future__ import annotations

import re

from lms.exams import attempts as exam_attempts, results as exam_results
from lms.extensions import db
from tests.conftest import sign_in
from tests.exams.takers import SECRET_EXPLANATION, every_type_exam, learner  # noqa: F401
from tests.exams.test_leak_check import assert_no_leak


def _failed_first_attempt(learner, every_type_exam):
    exam = every_type_exam(review_policy="after_submit", pass_mark=100.0, cooldown_minutes=0, max_attempts=None)
    first = exam_attempts.start_attempt(learner, exam)
    exam_attempts.submit(first, learner)  # nothing answered
    essay = next(i for i in first.items if i.question_version.type == "essay")
    essay.awarded = 0  # graded, so that a retake may start
    exam_results.recompute_result(first)
    db.session.commit()
    return exam, first


def test_the_review_of_an_earlier_attempt_waits_while_a_retake_is_open(client, clock, learner, every_type_exam):
    exam, first = _failed_first_attempt(learner, every_type_exam)
    sign_in(client, learner)
    before = client.get(f"/attempts/{first.id}/result").text
    assert SECRET_EXPLANATION in before  # after_submit: the review is there between attempts

    retake = exam_attempts.start_attempt(learner, exam)
    db.session.commit()
    during = client.get(f"/attempts/{first.id}/result")
    assert during.status_code == 200
    text = during.get_data(as_text=True)
    withheld = re.search(r'class="muted review-withheld">([^<]*)</p>', text)
    assert withheld and exam.title in withheld.group(1), "the page says which open exam holds the answers back"
    assert_no_leak(during, "earlier attempt's result during a retake", allow=(withheld.group(1),))

    exam_attempts.submit(retake, learner)
    db.session.commit()
    assert SECRET_EXPLANATION in client.get(f"/attempts/{first.id}/result").text
