"""Demo results, so that a trainer signing in to the demo finds something in
the grading queue and the item analysis, and the roster has results in
every week so far (passed, failed, overdue): generated staff (E1001…) take
the first three weekly exams (today falls in week 3) through the exam engine — start, answer, submit —
with answers drawn from a simple ability model. Essays stay in the queue.
The five named demo accounts are left alone. Loading twice changes nothing."""
from __future__ import annotations

import random

import click
from sqlalchemy import select

from lms import questions
from lms.content.models import Exam
from lms.exams import answers as exam_answers, attempts as exam_attempts, errors as exam_errors
from lms.exams.models import Attempt
from lms.extensions import db
from lms.org.models import User

DEMO_EXAMS = ("exam-week-01", "exam-week-02", "exam-week-03")
TAKERS = 24


def _answer(qtype: str, data: dict, right: bool, rng: random.Random):
    """A well-formed answer of the type, right or wrong."""
    return questions.get(qtype).simulated_answer(data, right, rng)


def take_demo_exams(_password: str) -> None:
    staff = list(db.session.scalars(select(User).where(User.employee_no.like("E1%")).order_by(User.employee_no)))
    staff = [u for u in staff if "learner" in u.roles and u.active][:TAKERS]
    rng = random.Random(2026)
    for slug in DEMO_EXAMS:
        exam = db.session.scalar(select(Exam).where(Exam.slug == slug))
        if exam is None or not staff:
            continue
        if db.session.scalar(select(Attempt.id).where(Attempt.exam_id == exam.id,
                                                      Attempt.user_id.in_([u.id for u in staff])).limit(1)):
            continue  # loaded before
        taken = 0
        for user in staff:
            ability = rng.random()
            try:
                attempt = exam_attempts.start_attempt(user, exam)
            except exam_errors.ExamError:
                continue
            for item in attempt.items:
                version = item.question_version
                right = rng.random() < 0.35 + 0.6 * ability
                exam_answers.save_answer(attempt, item, _answer(version.type, version.data, right, rng))
            exam_attempts.submit(attempt, user)
            taken += 1
        click.echo(f"Demo results: {taken} attempts of {exam.title}.")
