"""An attempt's answers say whose they are: "您的答案" to the learner who gave
them, "学员答案" to everyone else who reads them (the mentor, HR, a branch
manager, the trainer grading), for every question type and a case's parts."""
from __future__ import annotations

import random

from lms import questions
from lms.exams import answers as exam_answers, attempts as exam_attempts, trainer_services
from lms.extensions import db
from lms.mentoring.models import Pairing
from tests.conftest import sign_in

TYPES = ("single", "multiple", "truefalse", "fill", "numeric", "essay", "case")


def test_only_the_learner_reads_your_answer(client, clock, make_user, make_branch, make_question, make_exam):
    branch = make_branch("TY", "天元支行")
    learner = make_user(("learner",), name="学员甲", branch=branch)
    drawn = [make_question(qtype) for qtype in TYPES]
    exam = make_exam([{"questions": [q.slug for q in drawn]}], review_policy="after_submit")
    attempt = exam_attempts.start_attempt(learner, exam)
    rng = random.Random(1)
    for item in attempt.items:
        version = item.question_version
        exam_answers.save_answer(attempt, item, questions.get(version.type).simulated_answer(version.data, True, rng),
                                 clock.now())
    exam_attempts.submit(attempt, learner)
    trainer = make_user(("trainer",))
    essay = next(i for i in attempt.items if i.question_version.type == "essay")
    trainer_services.grade_essay(db.session.get(type(essay), essay.id), essay.points, "", trainer)
    mentor = make_user(("mentor",), branch=branch)  # not sitting this exam himself: he reads the review
    db.session.add(Pairing(mentor_id=mentor.id, apprentice_id=learner.id, start_date=clock.now().date()))
    db.session.commit()

    sign_in(client, learner)
    own = client.get(f"/attempts/{attempt.id}/result").text.split('id="exam-answers"')[1]
    # Single and multiple mark each option picked (1 + 3); the others label the answer given
    # (true/false 1, fill 2 blanks, numeric 1, the essay's heading 1, the case's two parts 2).
    assert own.count("您的答案") == 11 and "学员答案" not in own

    readers = [(mentor, f"/mentoring/apprentices/{learner.id}/attempts/{attempt.id}", 'id="attempt-answers"'),
               (make_user(("hr",)), f"/programmes/people/{learner.id}/attempts/{attempt.id}", 'id="attempt-answers"'),
               (make_user(("branch_manager",), branch=branch), f"/programmes/people/{learner.id}/attempts/{attempt.id}",
                'id="attempt-answers"'),
               (trainer, f"/grading/attempts/{attempt.id}", 'id="attempt-summary"')]
    for reader, url, start in readers:
        sign_in(client, reader)
        page = client.get(url).text
        answers = page.split(start)[1]
        assert "您的答案" not in page, url
        # (The trainer's page heads the essay itself, with the same words.)
        assert answers.count("学员答案") == 11, url


def test_a_sample_paper_has_no_answerer(client, make_user, make_question, make_exam):
    """The trainer's sample paper shows each question as the learner sees it,
    with its key and explanation, and no answer line: nobody sat it."""
    drawn = [make_question(qtype) for qtype in TYPES]
    make_exam([{"questions": [q.slug for q in drawn]}], slug="exam-sample")
    sign_in(client, make_user(("trainer",)))
    paper = client.get("/console/exams/exam-sample/preview").text.split('id="exam-preview"')[1]
    for slug in (q.slug for q in drawn):
        assert slug in paper
    for answer_words in ("您的答案", "学员答案", "未作答"):
        assert answer_words not in paper, answer_words
    # The keys: the options marked (single, multiple, a case's choice part), true/false and
    # numeric, the accepted words of each blank, the essay's marking points.
    assert paper.count("正确答案") >= 5 and "参考答案" in paper and "评分要点" in paper
