"""Attempts waiting for a trainer's grading, told apart for many learners at once: the ones
that could still pass, and the ones whose fail is already certain (full points on every answer
still to grade would stay under the pass mark the attempt is judged against).

The learner's own page (``lms.programmes.services.week_status``) reads a week whose every
waiting attempt has a certain fail as "failed — retake", and the retake is open
(``lms.exams.retakes``); the roster, the overdue list, the branch manager's panel and their
downloads say the same from here. The rule is ``lms.exams.results.Provisional.cannot_pass``
itself, fed with each waiting attempt's sums from one GROUP BY over its items: one statement for
every learner asked about, and only the attempts in ``grading`` (a trainer's queue, not the
year's attempts) are read."""
from __future__ import annotations

from sqlalchemy import and_, case, func, select

from lms import in_list
from lms.content.models import Exam
from lms.exams.models import Attempt, AttemptItem, AttemptState
from lms.exams.results import Provisional
from lms.extensions import db


def _waiting_sums(exam_ids: list[int]):
    """Per attempt in ``grading`` on these exams: the points awarded and the points of the
    automatically graded items, the points and number of the items waiting for a trainer —
    ``lms.exams.results.provisional``'s sums, by the database."""
    waiting = and_(AttemptItem.needs_grading.is_(True), AttemptItem.awarded.is_(None))
    return (select(AttemptItem.attempt_id.label("attempt_id"),
                   func.sum(case((waiting, 0.0), else_=func.coalesce(AttemptItem.awarded, 0.0))).label("auto_score"),
                   func.sum(case((waiting, 0.0), else_=AttemptItem.points)).label("auto_max"),
                   func.sum(case((waiting, AttemptItem.points), else_=0.0)).label("pending"),
                   func.sum(case((waiting, 1), else_=0)).label("count"))
            .join(Attempt, Attempt.id == AttemptItem.attempt_id)
            .where(Attempt.state == AttemptState.GRADING, Attempt.exam_id.in_(exam_ids))
            .group_by(AttemptItem.attempt_id))


def verdict_columns(exam_ids: list[int]):
    """(columns, the subquery to outer-join on ``Attempt.id == subquery.c.attempt_id``, and
    ``Exam`` to join) giving ``certain_fail``'s arguments beside each attempt's own columns."""
    sums = _waiting_sums(exam_ids).subquery()
    return [func.coalesce(Attempt.pass_mark, Exam.pass_mark), sums.c.auto_score, sums.c.auto_max, sums.c.pending,
            sums.c.count], sums


def certain_fail(pass_mark, auto_score, auto_max, pending, count) -> bool:
    """``Provisional.cannot_pass`` from one row of ``verdict_columns`` (no sums: no item waits)."""
    if count is None:
        return False
    found = Provisional(auto_score=round(float(auto_score or 0), 4), auto_max=round(float(auto_max or 0), 4),
                        pending_points=round(float(pending or 0), 4), pending_count=int(count))
    return found.cannot_pass(float(pass_mark))


def verdicts(exam_ids: list[int], user_ids: list[int] | None = None) -> dict[tuple[int, int], dict[int, bool]]:
    """(user id, exam id) → {attempt number: its fail is certain} for every attempt in ``grading``
    of these learners (``None``: everyone) on these exams. One statement."""
    out: dict[tuple[int, int], dict[int, bool]] = {}
    if not exam_ids or (user_ids is not None and not user_ids):
        return out
    columns, sums = verdict_columns(exam_ids)
    query = (select(Attempt.user_id, Attempt.exam_id, Attempt.number, *columns)
             .join(Exam, Exam.id == Attempt.exam_id).join(sums, sums.c.attempt_id == Attempt.id))
    query, wanted = in_list.narrow(query, Attempt.user_id, user_ids)  # many: every waiting one, sorted here
    for user_id, exam_id, number, *row in db.session.execute(query):
        if wanted is None or user_id in wanted:
            out.setdefault((user_id, exam_id), {})[number] = certain_fail(*row)
    return out


def all_certain(found: dict[int, bool] | None) -> bool:
    """Every waiting attempt of one learner at one exam has a certain fail (and there is one):
    the week reads "failed — retake", as on the learner's page."""
    return bool(found) and all(found.values())
