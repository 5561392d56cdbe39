"""A newcomer failed the objective part of an exam with an essay in it: the
result page said only "waiting for grading … no retake until then", though
even full points on the essay could not reach the pass mark. It now says so
at once (the retake still waits for the grading); when the essay can still
decide, it says nothing of the kind — the borderline included."""
from __future__ import annotations

import pytest

from lms.exams import answers as exam_answers, attempts as exam_attempts
from lms.extensions import db
from tests.conftest import sign_in

SENTENCE = "即使待阅卷的题目全部得满分，也达不到及格线 (80%)：本次考试不会通过。"


@pytest.mark.parametrize("right, says", [(0, True), (2, True), (3, False), (4, False)])
def test_the_result_says_when_the_essay_cannot_save_the_attempt(app, client, make_user, make_question, make_exam,
                                                                 right, says):
    singles = [make_question("single", slug=f"cp-{n}") for n in range(4)]  # 1 point each, key B
    essay = make_question("essay", slug="cp-essay")
    exam = make_exam([{"questions": [q.slug for q in singles] + [essay.slug]}], pass_mark=80.0, shuffle_options=False)
    learner = make_user(("learner",))
    attempt = exam_attempts.start_attempt(learner, exam)
    for n, item in enumerate(i for i in attempt.items if i.question_version.type == "single"):
        exam_answers.save_answer(attempt, item, "B" if n < right else "A")
    exam_attempts.submit(attempt, learner)
    assert db.session.get(type(attempt), attempt.id).state == "grading"
    sign_in(client, learner)
    page = client.get(f"/attempts/{attempt.id}/result").text
    assert (SENTENCE in page) is says  # 3 right + the essay's point = 4 / 5 = 80 %: the essay still decides


def test_a_failed_result_points_to_the_notebook_with_its_count(app, client, make_user, make_question, make_exam):
    """The result of a failed exam listed the answers but not where to practise them: the 错题本 was
    reachable only from the menu."""
    singles = [make_question("single", slug=f"nb-{n}") for n in range(3)]
    exam = make_exam([{"questions": [q.slug for q in singles]}], pass_mark=80.0, shuffle_options=False)
    learner = make_user(("learner",))
    attempt = exam_attempts.start_attempt(learner, exam)
    exam_answers.save_answer(attempt, attempt.items[0], "B")
    exam_attempts.submit(attempt, learner)
    sign_in(client, learner)
    page = client.get(f"/attempts/{attempt.id}/result").text
    assert "本次没有完全答对的 2 道题已记入错题本。" in page and 'href="/notebook/"' in page
    retake = exam_attempts.start_attempt(learner, exam)
    for item in retake.items:
        exam_answers.save_answer(retake, item, "B")
    exam_attempts.submit(retake, learner)
    assert "记入错题本" not in client.get(f"/attempts/{retake.id}/result").text  # all right: nothing to point at
