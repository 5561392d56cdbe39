"""Drawing the questions of an attempt.

Rules kept here: rule by rule (``Exam.draw``), never the same question twice,
only current versions of questions that are not retired; questions the
learner has not seen come first, and within those (and among seen ones)
questions on knowledge points they got wrong, in any exam; ties are broken by
the attempt's seeded random generator, so an attempt's draw is reproducible.

Reads only: the transaction is the caller's (``lms.exams.attempts.start_attempt``
draws inside its own ``BEGIN IMMEDIATE``; the trainer's preview only reads).
"""
from __future__ import annotations

import random

from sqlalchemy import select

from lms.content.draws import draw_pool
from lms.content.models import Exam, Question, QuestionTag, QuestionVersion
from lms.exams.models import Attempt, AttemptItem
from lms.extensions import db


def learner_history(user, exam) -> tuple[set[int], set[str]]:
    """Questions the learner has seen and the knowledge points (tags) they got
    wrong, in any attempt of any exam: a retake of a weekly exam also picks up
    what went wrong in last week's."""
    seen = set(db.session.scalars(
        select(QuestionVersion.question_id).join(AttemptItem, AttemptItem.question_version_id == QuestionVersion.id)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id).where(Attempt.user_id == user.id)))
    missed = set(db.session.scalars(
        select(QuestionTag.tag).join(AttemptItem, AttemptItem.question_version_id == QuestionTag.version_id)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.user_id == user.id, AttemptItem.correct.is_(False))))
    return seen, missed


def _candidates(rule: dict, exam: Exam) -> list[tuple[int, int]]:
    """(version id, question id) of the current versions matching a rule;
    ids only, so that a bank of thousands is cheap to draw from."""
    stmt = draw_pool(rule, exam.course_id).order_by(Question.id)
    return [(row[0], row[1]) for row in db.session.execute(stmt)]


def _versions_on(tags: set[str], version_ids: list[int]) -> set[int]:
    """Which of these versions carry one of ``tags``."""
    if not tags or not version_ids:
        return set()
    return set(db.session.scalars(select(QuestionTag.version_id).where(
        QuestionTag.tag.in_(list(tags)), QuestionTag.version_id.in_(version_ids))))


def draw(exam: Exam, rng: random.Random, seen: set[int] = frozenset(), missed: set[str] = frozenset()
         ) -> list[QuestionVersion]:
    """The questions of one attempt, rule by rule, never one twice: current
    versions of questions that are not retired. Among candidates, questions the
    learner has not seen come first, and within those (and among seen ones)
    questions on knowledge points they missed; ties are broken by ``rng``."""
    chosen: list[int] = []  # version ids, in order
    taken: set[int] = set()  # question ids
    for rule in exam.draw:
        if "questions" in rule:
            rows = {slug: (qid, vid) for slug, qid, vid in db.session.execute(
                select(Question.slug, Question.id, Question.current_version_id).where(
                    Question.slug.in_(list(rule["questions"])), Question.retired.is_(False)))}
            for slug in rule["questions"]:
                qid, vid = rows.get(slug, (None, None))
                if vid is not None and qid not in taken:
                    chosen.append(vid)
                    taken.add(qid)
            continue
        pool = [(vid, qid) for vid, qid in _candidates(rule, exam) if qid not in taken]
        on_missed = _versions_on(set(missed), [vid for vid, _ in pool])
        keyed = sorted(((qid in seen), vid not in on_missed, rng.random(), vid, qid) for vid, qid in pool)
        picked = [(k[3], k[4]) for k in keyed[: int(rule.get("count", 0))]]
        rng.shuffle(picked)
        for vid, qid in picked:
            chosen.append(vid)
            taken.add(qid)
    versions = {v.id: v for v in db.session.scalars(select(QuestionVersion).where(QuestionVersion.id.in_(chosen)))}
    return [versions[vid] for vid in chosen]
