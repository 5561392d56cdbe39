"""Results: grading an attempt, the pass gate, the result that counts and
who may review the answers. Where pass/fail is decided: ``recompute_result``.

Rules kept here:
- every item is graded automatically by its question type; essays (and cases
  with an essay part) wait for a trainer (``needs_grading``);
- score and percent are the sum of the items' awarded points; the attempt
  passes when its percent reaches the exam's pass mark; it is ``finalised``
  once no item waits for a trainer, ``grading`` until then;
- on the first move to ``finalised`` every question not fully right goes into
  the learner's 错题本 (notebook);
- the result that counts is the best finalised attempt (highest percent,
  earliest on a tie) or the latest, per ``Exam.scoring``;
- the key and explanations are shown per ``Exam.review_policy``.

``grade_attempt`` and ``recompute_result`` only flush: they join the
transaction of the service that calls them (``lms.exams.attempts.finalise``,
a trainer's grading in ``lms.exams.trainer_services``), which owns it
(``lms.database.transaction``). The rest only read.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _
from sqlalchemy import select

from lms import clock
from lms.content.models import Exam, QuestionVersion
from lms import questions as question_types
from lms.exams.models import Attempt, AttemptItem, AttemptState, NotebookEntry, grace
from lms.exams.signals import attempt_finalised, send_after_commit
from lms.extensions import db


def open_attempt(user, exam) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(
        Attempt.exam_id == exam.id, Attempt.user_id == user.id, Attempt.state == AttemptState.OPEN))


def attempts_of(user, exam) -> list[Attempt]:
    return list(db.session.scalars(select(Attempt).where(
        Attempt.exam_id == exam.id, Attempt.user_id == user.id).order_by(Attempt.number)))


def exam_result(user, exam) -> Attempt | None:
    """The finalised attempt that decides the learner's result: the best
    (highest percent, earliest on a tie) or the latest, per ``Exam.scoring``."""
    return counting_attempt(exam, attempts_of(user, exam))


def counting_attempt(exam, attempts) -> Attempt | None:
    """``exam_result`` among these attempts of one learner (read once for many exams)."""
    done = [a for a in attempts if a.state == AttemptState.FINALISED and a.percent is not None]
    if not done:
        return None
    if exam.scoring == "latest":
        # The latest attempt taken, not the latest graded: an attempt graded after a retake
        # (``lms.exams.retakes``: its fail was certain) never replaces the retake's result.
        return max(done, key=lambda a: a.number)
    return max(done, key=lambda a: (a.percent, -a.number))


def has_passed(user, exam) -> bool:
    result = exam_result(user, exam)
    return bool(result and result.passed)


@dataclass(frozen=True)
class Provisional:
    """An attempt waiting for grading: what the automatically graded questions
    scored, and how much a trainer still has to grade."""

    auto_score: float  # points awarded to the automatically graded questions
    auto_max: float  # their points
    pending_points: float  # points of the questions waiting for a trainer
    pending_count: int

    def cannot_pass(self, pass_mark: float) -> bool:
        """Even full points on every answer waiting for a trainer would stay
        under the pass mark (computed as ``finalise`` computes pass): the
        learner learns now that a retake is coming, not after the grading."""
        total = self.auto_max + self.pending_points
        if not total:
            return False
        best = round(round(self.auto_score + self.pending_points, 4) / total * 100, 2)
        return best + 1e-9 < pass_mark


def provisional(attempt: Attempt) -> Provisional:
    """The provisional score of an attempt in ``grading``: the objective part
    (every item graded automatically) against its points; the essays (and
    cases with an essay part) wait. Never decides pass or fail."""
    items = list(attempt.items)
    waiting = [i for i in items if i.needs_grading and i.awarded is None]
    auto = [i for i in items if i not in waiting]
    return Provisional(auto_score=round(sum(i.awarded or 0.0 for i in auto), 4),
                       auto_max=round(sum(i.points for i in auto), 4),
                       pending_points=round(sum(i.points for i in waiting), 4), pending_count=len(waiting))


def fail_is_certain(attempt: Attempt) -> bool:
    """An attempt waiting for grading that cannot pass whatever the trainer
    gives (``Provisional.cannot_pass`` at the pass mark it is judged
    against): it does not hold a retake back (``lms.exams.retakes``) and its
    week reads "failed — retake", not "waiting for grading"."""
    return attempt.state == AttemptState.GRADING and provisional(attempt).cannot_pass(attempt.judged_pass_mark)


def grade_attempt(attempt: Attempt) -> None:
    """Grade every item automatically, under the partial-credit rule the
    attempt started with (``Attempt.partial_credit``); essays (and cases with
    an essay part) wait for a trainer with ``needs_grading``."""
    partial = attempt.scored_with_partial_credit
    for item in attempt.items:
        version = item.question_version
        grade = question_types.grade(version.type, version.data, item.answer, partial_credit=partial)
        item.grade_json = json.dumps(grade.to_dict())
        if grade.fraction is None:
            item.needs_grading = True
            item.awarded = None
            item.correct = None
        else:
            item.needs_grading = False
            item.awarded = round(grade.fraction * item.points, 4)
            item.correct = grade.fraction >= 1.0


def recompute_result(attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Sum the items' ``awarded`` into score and percent, decide pass/fail
    against the pass mark the attempt started under (``Attempt.pass_mark``); the attempt is ``finalised`` once no item
    waits for a trainer (``needs_grading`` with nothing awarded), ``grading``
    until then. Called after submit and after a trainer grades an essay or
    overrides a score. On the first move to ``finalised`` every wrong answer
    goes into the learner's notebook (错题本) and ``attempt_finalised`` is
    sent once that commits (``lms.exams.signals``). Flushes; the caller commits."""
    now = now or clock.now()
    if attempt.is_open:
        raise ValueError("an open attempt has no result yet")
    items = list(attempt.items)
    attempt.max_score = sum(i.points for i in items)
    waiting = any(i.awarded is None and i.needs_grading for i in items)
    for item in items:
        if item.needs_grading and item.awarded is not None and item.correct is None:
            item.correct = item.awarded >= item.points - 1e-9
    if waiting:
        attempt.state = AttemptState.GRADING
        attempt.score = attempt.percent = attempt.passed = None
        db.session.flush()
        return attempt
    attempt.score = round(sum(i.awarded or 0.0 for i in items), 4)
    attempt.percent = round(attempt.score / attempt.max_score * 100, 2) if attempt.max_score else 0.0
    attempt.passed = attempt.percent + 1e-9 >= attempt.judged_pass_mark
    first_time = attempt.state != AttemptState.FINALISED
    graded_late = attempt.state == AttemptState.GRADING
    attempt.state = AttemptState.FINALISED
    if first_time:
        attempt.finalised_at = now
        # Graded by a trainer after the submit: the answers were given at the submit, and the
        # learner may have retaken the exam and practised since (lms.exams.retakes).
        _note_mistakes(attempt, (attempt.submitted_at or attempt.deadline) if graded_late else now)
        send_after_commit(attempt_finalised, attempt.id)
    db.session.flush()
    return attempt


def _note_mistakes(attempt: Attempt, now: datetime) -> None:
    """Every question not fully right into the notebook: a wrong answer as
    wrong, one with part of the points as *partly right* (the learner should
    still see what they missed)."""
    for item in attempt.items:
        outcome = item.outcome
        if outcome in ("wrong", "partly"):
            note_wrong(attempt.user_id, item.question_version, outcome == "partly", now)


def note_wrong(user_id: int, version: QuestionVersion, partly: bool, now: datetime, *,
               answered_now: bool = True, entries: dict | None = None) -> None:
    """Put the question of ``version`` in the learner's 错题本 (wrong, or
    partly right): insert it, or count one more time, point it at this
    version and put it back on the list if it had been cleared. Serves a
    submitted attempt and a re-grade (``lms.exams.regrade``); a re-grade
    (``answered_now=False``) leaves the entry's last wrong time, as the
    answer was given at submit, not now, and passes the learners' entries it
    has loaded (``entries``, by (user, question); kept up to date).

    ``now`` is when the wrong answer was given. An answer older than what the
    entry already holds (an attempt graded by a trainer after a retake) adds
    one wrong time and changes nothing else: it neither reopens an entry the
    learner has cleared since nor points it back at an older version."""
    key = (user_id, version.question_id)
    if entries is not None:
        entry = entries.get(key)
    else:
        entry = db.session.scalar(select(NotebookEntry).where(
            NotebookEntry.user_id == user_id, NotebookEntry.question_id == version.question_id))
    if entry is None:
        entry = NotebookEntry(user_id=user_id, question_id=version.question_id, version_id=version.id,
                              first_wrong_at=now, last_wrong_at=now, times_wrong=1, partly_right=partly)
        db.session.add(entry)
        if entries is not None:
            entries[key] = entry
        return
    entry.times_wrong += 1
    if answered_now and (now < entry.last_wrong_at or (entry.cleared_at is not None and now < entry.cleared_at)):
        entry.first_wrong_at = min(entry.first_wrong_at, now)
        return  # answered before the entry's last wrong answer or its clearing: history only
    if answered_now:
        entry.last_wrong_at = now
    entry.version_id = version.id
    entry.partly_right = partly
    entry.cleared_at = None


def policy_shows_key(exam: Exam, passed: bool, now: datetime | None = None) -> bool:
    """The review policy, decided here only: does ``exam`` show its key and
    explanations to a learner whose attempt at it is finalised, given whether
    they have passed it (``has_passed``)? After submitting: always; after
    passing: once passed; after closing: once no answer to it is accepted any
    more (``review_opens_at``); never: never. Every page that shows a key
    (the result page, a mentor's or HR's read-only attempt, the 错题本 and its
    practice) asks this, through ``review_allowed`` or directly."""
    policy = exam.review_policy
    if policy == "after_submit":
        return True
    if policy == "after_pass":
        return passed
    if policy == "after_close":
        opens = review_opens_at(exam)
        return opens is not None and (now or clock.now()) >= opens
    return False


def review_opens_at(exam: Exam) -> datetime | None:
    """When an exam shown after closing shows its answers: the close plus the
    grace (``grace``), in which an attempt whose deadline was the close still
    saves and submits — another learner's review must not help it then."""
    return exam.closes_at + grace() if exam.closes_at is not None else None


def review_allowed(attempt: Attempt, now: datetime | None = None) -> bool:
    """May the learner see the key and explanations of a finalised attempt,
    per ``Exam.review_policy`` (``policy_shows_key``)?"""
    if attempt.state != AttemptState.FINALISED:
        return False
    exam = attempt.exam
    passed = exam.review_policy == "after_pass" and has_passed(attempt.user, exam)
    return policy_shows_key(exam, passed, now)


def exam_in_progress_with(user, question_ids, now: datetime | None = None) -> Exam | None:
    """The exam ``user`` is taking now (an open attempt within deadline +
    grace) that holds a version of one of these questions, or None. While it
    is open, no page shows these questions' key to them (a review in another
    tab, the 错题本's practice): it would say which answer to give."""
    question_ids = list(question_ids)
    if not question_ids:
        return None
    now = now or clock.now()
    attempt = db.session.scalar(
        select(Attempt)
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .where(Attempt.user_id == user.id, Attempt.state == AttemptState.OPEN,
               Attempt.deadline >= now - grace(), QuestionVersion.question_id.in_(question_ids))
        .order_by(Attempt.id).limit(1))
    return attempt.exam if attempt is not None else None


def review_paused(exam: Exam) -> str:
    """Why a review the policy allows is not shown now: an exam holding its questions is open."""
    return _("The answers and explanations are shown again once you have submitted %(exam)s, which you are "
             "taking now.", exam=exam.title)


def review_withheld_from_viewer(viewer, attempt: Attempt) -> str:
    """Why ``viewer`` does not see the answers of someone else's attempt
    (``lms.programmes.access.review_allowed_to``)."""
    in_exam = exam_in_progress_with(viewer, [item.question_version.question_id for item in attempt.items])
    if in_exam is not None and review_allowed(attempt):
        return review_paused(in_exam)
    if review_allowed(attempt) and attempt.exam.review_policy == "after_submit":
        return _("The answers and explanations are shown to you once you have taken this exam yourself.")
    return review_withheld(attempt.exam)


def review_withheld(exam: Exam) -> str:
    """Why the answers of a finalised attempt are not shown: said the same way
    on the result page and in the 错题本."""
    if exam.review_policy == "after_pass":
        return _("The answers and explanations are shown once you have passed this exam.")
    if exam.review_policy == "after_close":
        return _("The answers and explanations are shown after the exam closes.")
    return _("This exam does not show the answers.")
