"""Where each learner stands in each week, for many learners at once.

The same rule, in the same words, as ``lms.programmes.services.week_status``
(the learner's own page): a week counts only when its exam's deciding result
(best or latest finalised attempt, per ``Exam.scoring``) passed; an open
attempt within its time is *in progress*; an attempt waiting for a trainer is
*waiting for grading* — unless its fail is already certain (``lms.reports.waiting``), which the
learner reads as failed, retake open; attempts without a pass are *failed ×N*;
past the due date and not passed is *overdue* — unless the week was due
before the learner joined the programme, which makes it *catch-up* (补学).

All attempts of the learners asked about, on the programme's exams, are read
in one statement as plain rows; nothing here issues a query per learner."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import BigInteger, Integer, and_, case, cast, func, literal, or_, select

from lms import clock, in_list
from lms.content.models import Exam, Programme, ProgrammeItem
from lms.exams.models import Attempt, AttemptState, grace
from lms.extensions import db
from lms.programmes import services as week_rules
from lms.reports import waiting as waiting_rules

NOT_OPEN = "not_open"
# The states a cell is filtered by: week_status's words plus overdue and catch-up.
STATES = (week_rules.NOT_STARTED, week_rules.IN_PROGRESS, week_rules.GRADING, week_rules.FAILED,
          week_rules.PASSED, "overdue", "catch_up")


@dataclass(frozen=True)
class AttemptRow:
    user_id: int
    exam_id: int
    number: int
    state: str
    percent: float | None
    passed: bool | None
    finalised_at: datetime | None
    started_at: datetime
    deadline: datetime
    submitted_at: datetime | None = None  # which quarter an attempt counts for (``lms.reports.quarters``)
    certain_fail: bool = False  # waiting for grading, and full points on what waits would not pass

    @property
    def waits(self) -> bool:
        """Waiting for a trainer and could still pass: the week reads "waiting for grading"."""
        return self.state == AttemptState.GRADING and not self.certain_fail


def roster_weeks(programme: Programme) -> list[ProgrammeItem]:
    """The programme's weeks with an exam (bulletins and retired weeks left out), in order."""
    return [i for i in programme.items if not i.retired and i.kind == "week" and i.exam_id is not None]


def load_attempts(exam_ids: list[int], user_ids: list[int] | None) -> dict[tuple[int, int], list[AttemptRow]]:
    """(user id, exam id) → that learner's attempts of that exam, by number, each waiting for
    grading marked when its fail is certain (``waiting``: its items' sums joined in). One statement."""
    out: dict[tuple[int, int], list[AttemptRow]] = defaultdict(list)
    if not exam_ids or (user_ids is not None and not user_ids):
        return out
    verdict, sums = waiting_rules.verdict_columns(exam_ids)
    query = (select(Attempt.user_id, Attempt.exam_id, Attempt.number, Attempt.state, Attempt.percent, Attempt.passed,
                    Attempt.finalised_at, Attempt.started_at, Attempt.deadline, Attempt.submitted_at, *verdict)
             .join(Exam, Exam.id == Attempt.exam_id).outerjoin(sums, sums.c.attempt_id == Attempt.id)
             .where(Attempt.exam_id.in_(exam_ids)))
    query, wanted = in_list.narrow(query, Attempt.user_id, user_ids)  # many learners: every attempt, sorted here
    for row in db.session.execute(query.order_by(Attempt.number)):
        if wanted is None or row[0] in wanted:
            certain = row[3] == AttemptState.GRADING and waiting_rules.certain_fail(*row[10:])
            out[(row[0], row[1])].append(AttemptRow(*row[:10], certain_fail=certain))
    return out


def deciding(rows: list[AttemptRow], scoring: str) -> AttemptRow | None:
    """The finalised attempt that decides, as ``lms.exams.results.exam_result``."""
    done = [a for a in rows if a.state == AttemptState.FINALISED and a.percent is not None]
    if not done:
        return None
    if scoring == "latest":
        return max(done, key=lambda a: a.number)  # the latest attempt taken, not graded (lms.exams.retakes)
    return max(done, key=lambda a: (a.percent, -a.number))


# ``deciding`` in SQL orders attempts of equal percent by number through one key, percent × this
# − number: exact for the percents the engine writes (two decimals) and numbers under a million.
_KEY_SCALE = 1_000_000_000


def deciding_columns(counts, passed) -> list:
    """``deciding`` in one GROUP BY per (learner, exam), no window over every attempt: the
    aggregates ``best``, ``best_passed``, ``best_failed`` (the highest counted percent; of an
    attempt that passed; that did not) and ``key_passed``, ``key_failed`` (the highest
    percent × scale − number of each: among equal percents, the earliest). ``counts``: the
    condition an attempt's result counts under (finalised, with a percent); ``passed``: its
    passed column. ``deciding_passed`` reads them."""
    won, lost = and_(counts, passed.is_(True)), and_(counts, passed.is_not(True))
    key = Attempt.percent * _KEY_SCALE - Attempt.number
    return [func.max(case((counts, Attempt.percent))).label("best"),
            func.max(case((won, Attempt.percent))).label("best_passed"),
            func.max(case((lost, Attempt.percent))).label("best_failed"),
            func.max(case((won, key))).label("key_passed"), func.max(case((lost, key))).label("key_failed")]


def deciding_passed(c):
    """1 when the deciding attempt passed, else 0, from ``deciding_columns`` (``c``: the subquery's
    columns): the best passed result is the best, and no result that did not pass is above it —
    when a pass and a fail share the best percent (the pass mark changed between them), the earlier
    attempt decides, as on the learner's page (``lms.exams.results.counting_attempt``)."""
    top = and_(c.best_passed.is_not(None), c.best_passed == c.best)
    return case((and_(top, or_(c.best_failed.is_(None), c.best_failed < c.best)), 1),
                (and_(top, c.key_passed > c.key_failed), 1), else_=0)


# ``deciding`` as one integer per attempt, whose largest over a (learner, exam) is the deciding
# attempt's: its percent in hundredths (every writer rounds percents to two places:
# ``exams.results``, ``exams.regrade``), then the earlier number, then whether it passed in the
# lowest bit. One aggregate per group where ``deciding_columns`` needs four or five: a bank's year
# is a million groups (bench/hr_pages.py).
_PERCENT_UNIT = 1 << 22  # above the number's and the passed bit's room
_NUMBER_ROOM = 1 << 20  # attempt numbers below a million


def deciding_key(counts):
    """The aggregate ``max`` of the deciding key over the attempts whose result counts under
    ``counts`` (NULL: none counts). ``key_passed`` and ``key_percent`` read it."""
    key = (cast(func.round(Attempt.percent * 100), BigInteger) * _PERCENT_UNIT
           + (literal(_NUMBER_ROOM, BigInteger) - Attempt.number) * 2
           + func.coalesce(cast(Attempt.passed, Integer), 0))
    return func.max(case((counts, key)))


def key_passed(key):
    """1 when the deciding attempt of ``deciding_key`` passed, else 0 (NULL when none counts)."""
    return key % 2


def key_percent(key):
    """The deciding attempt's percent from ``deciding_key`` (the very float stored: two places)."""
    return (key // _PERCENT_UNIT) / 100.0


@dataclass
class Cell:
    status: str
    overdue: bool = False
    catch_up: bool = False
    finished: int = 0  # attempts with a known result: finalised, or waiting with a certain fail
    attempts: int = 0  # every attempt
    percent: float | None = None  # the deciding result's
    first_try_passed: bool | None = None  # None: no finalised first attempt

    def matches(self, state: str) -> bool:
        if state == "overdue":
            return self.overdue
        if state == "catch_up":
            return self.catch_up
        return self.status == state


def cell_for(item: ProgrammeItem, rows: list[AttemptRow], today: date, now: datetime,
             enrolled_on: date | None = None, limit: timedelta | None = None) -> Cell:
    """``limit``: the exams' grace (``grace()``, read once by ``cells_for`` for thousands of cells)."""
    exam = item.exam
    result = deciding(rows, exam.scoring)
    limit = grace() if limit is None else limit
    open_now = any(a.state == AttemptState.OPEN and now <= a.deadline + limit for a in rows)
    finished = sum(1 for a in rows if a.state == AttemptState.FINALISED or a.certain_fail)
    first = next((a for a in rows if a.number == 1 and a.state == AttemptState.FINALISED), None)
    if result is not None and result.passed:
        status = week_rules.PASSED
    elif open_now:
        status = week_rules.IN_PROGRESS
    elif any(a.waits for a in rows):
        status = week_rules.GRADING
    elif result is not None or any(a.certain_fail for a in rows):
        status = week_rules.FAILED
    elif item.opens_on > today:
        status = NOT_OPEN
    else:
        status = week_rules.NOT_STARTED
    late = item.due_on < today and status not in (week_rules.PASSED, NOT_OPEN)
    catch_up = late and enrolled_on is not None and item.due_on < enrolled_on
    return Cell(status=status, overdue=late and not catch_up, catch_up=catch_up, finished=finished,
                attempts=len(rows), percent=result.percent if result else None,
                first_try_passed=None if first is None else bool(first.passed))


def cells_for(members, weeks: list[ProgrammeItem], today: date | None = None,
              attempts: dict | None = None) -> dict[int, dict[int, Cell]]:
    """user id → week (item id) → Cell, for ``members`` (``Member``s). Reads
    the attempts in one statement unless they are given."""
    today = today or clock.today()
    now = clock.now()
    if attempts is None:
        attempts = load_attempts(sorted({w.exam_id for w in weeks}), [m.user.id for m in members])
    limit = grace()
    return {m.user.id: {w.id: cell_for(w, attempts.get((m.user.id, w.exam_id), []), today, now, m.enrolled_on, limit)
                        for w in weeks}
            for m in members}
