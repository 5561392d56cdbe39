"""A quarterly requirement (警示教育) in the reports: each quarter is a column.

The rule is the learner's own (``lms.programmes.services``): a quarter is done
when the exam's deciding result among the attempts submitted inside it (by
the bank's day, ``lms.clock``: a quarter turns at midnight in the bank's zone,
not in UTC) passed; a quarter whose last day is over without that is missed;
the quarter running today is due by its last day; a later one is not yet due.
Quarters before the learner joined the requirement (their enrolment date) are
not asked of them, as on their training record.

The unit every report counts is a quarter (``tally``): the roster's cells, the
branch totals (learners asked, done, missed), the overdue list's lines, the
rankings (a quarter done on time counts for, a missed one against:
``counts_in``) and the branch manager's panel all read them from here.

The columns are every quarter from the requirement's first one to the end of
the current year (a compliance officer reads the year). Every cell of every
learner asked about is worked out from one read of the attempts
(``cells.load_attempts``): nothing here issues a statement per learner.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from lms import clock
from lms.content.models import Programme, ProgrammeItem
from lms.exams.models import AttemptState, grace
from lms.programmes import services as week_rules
from lms.reports.cells import AttemptRow, deciding, load_attempts

DONE = "done"
MISSED = "missed"
DUE = "due"
NOT_DUE = "not_due"
NOT_REQUIRED = "not_required"


@dataclass(frozen=True)
class Quarter:
    """One column: ``id`` keys the cells ("2026-Q3"); ``due_on`` is its last day."""

    id: str
    opens_on: date
    due_on: date

    @property
    def title(self) -> str:
        return week_rules.quarter_label(self.opens_on)


@dataclass
class QuarterCell:
    state: str  # done | missed | due | not_due | not_required
    status: str = week_rules.NOT_STARTED  # the exam's, in the weeks' words (failed, grading, ...)
    on: date | None = None  # done: the day it was passed; due and missed: the quarter's last day
    finished: int = 0  # attempts inside the quarter with a known result (finalised, or a certain fail waiting)
    percent: float | None = None
    first_try_passed: bool | None = None  # the first attempt finalised inside the quarter passed (None: none)
    quarter = True  # tells the cell's words (``labels.cell_text``) from a week's
    catch_up = False  # a quarter before the learner joined is not required, never catch-up

    @property
    def overdue(self) -> bool:
        return self.state == MISSED

    def matches(self, state: str) -> bool:
        """The roster's state filter: overdue is a missed quarter, passed a done one."""
        if state == "overdue":
            return self.state == MISSED
        if state == "catch_up":
            return False
        if self.state not in (MISSED, DUE, DONE):
            return False
        return self.status == state


def requirement(programme: Programme) -> ProgrammeItem | None:
    """The quarterly item with an exam (a quarterly programme has one)."""
    return next((i for i in programme.items if not i.retired and i.kind == week_rules.QUARTERLY
                 and i.exam_id is not None), None)


def quarters(programme: Programme, today: date | None = None) -> list[Quarter]:
    """The columns: from the requirement's first quarter to the last one of the current year."""
    item = requirement(programme)
    if item is None:
        return []
    today = today or clock.today()
    first = week_rules.quarter_of(item.opens_on)[0]
    end = date(max(today, item.opens_on).year, 12, 31)
    out = []
    while first <= end:
        first, last = week_rules.quarter_of(first)
        out.append(Quarter(id=f"{first.year}-Q{(first.month - 1) // 3 + 1}", opens_on=first, due_on=last))
        first = last + timedelta(days=1)
    return out


def _day(row: AttemptRow) -> date:
    return clock.local_date(row.submitted_at or row.finalised_at or row.started_at)


def cell_for(q: Quarter, rows: list[tuple[AttemptRow, date]], scoring: str, today: date, now: datetime,
             required_from: date, limit: timedelta) -> QuarterCell:
    """One learner in one quarter. ``rows``: their attempts at the exam, each with the bank's day
    it was handed in (``_day``); ``required_from``: the first day of the first quarter asked of them."""
    if q.due_on < required_from:
        return QuarterCell(state=NOT_REQUIRED)
    current = q.opens_on <= today <= q.due_on
    dated = [(a, day) for a, day in rows if a.state != AttemptState.OPEN and q.opens_on <= day <= q.due_on]
    inside = [a for a, _day in dated]
    result = deciding(inside, scoring)
    finished = sum(1 for a in inside if a.state == AttemptState.FINALISED or a.certain_fail)
    first = next((a for a in sorted(inside, key=lambda a: a.number) if a.state == AttemptState.FINALISED), None)
    cell = QuarterCell(state=NOT_DUE, finished=finished, percent=result.percent if result else None,
                       first_try_passed=None if first is None else bool(first.passed))
    if result is not None and result.passed:
        cell.state, cell.status = DONE, week_rules.PASSED
        cell.on = min(day for a, day in dated if a.state == AttemptState.FINALISED and a.passed)
        return cell
    if current and any(a.state == AttemptState.OPEN and now <= a.deadline + limit for a, _day in rows):
        cell.status = week_rules.IN_PROGRESS
    elif any(a.waits for a in inside):
        cell.status = week_rules.GRADING
    elif result is not None or any(a.certain_fail for a in inside):  # the learner's page: failed, retake
        cell.status = week_rules.FAILED
    if q.due_on < today:
        cell.state, cell.on = MISSED, q.due_on
    elif current:
        cell.state, cell.on = DUE, q.due_on
    return cell


def cells_for(programme: Programme, members, columns: list[Quarter], today: date | None = None
              ) -> dict[int, dict[str, QuarterCell]]:
    """user id → quarter id → QuarterCell, for ``members`` (``Member``s): one statement."""
    item = requirement(programme)
    if item is None:
        return {m.user.id: {} for m in members}
    today = today or clock.today()
    now, limit = clock.now(), grace()
    attempts = load_attempts([item.exam_id], [m.user.id for m in members])
    first = week_rules.quarter_of(item.opens_on)[0]
    out = {}
    for m in members:
        since = week_rules.quarter_of(max(item.opens_on, m.enrolled_on or first))[0]
        rows = [(a, _day(a)) for a in attempts.get((m.user.id, item.exam_id), [])]  # each day worked out once
        out[m.user.id] = {q.id: cell_for(q, rows, item.exam.scoring, today, now, since, limit) for q in columns}
    return out


def tally(total, cell: QuarterCell) -> None:
    """Count one learner's quarter into a branch total (``roster.Total``): a learner asked for
    it (not a quarter before they joined), done (passed inside it), missed (over without a pass),
    the first attempt inside it and the deciding result. The totals, the panel and the overdue
    list count the same quarters this way."""
    if cell.state == NOT_REQUIRED:
        return
    total.count(passed=cell.state == DONE, overdue=cell.state == MISSED, first_try_passed=cell.first_try_passed,
                percent=cell.percent)


def branch_totals(programme: Programme, members, columns: list[Quarter], today: date, total_class
                  ) -> dict[tuple[int, str], object]:
    """(branch id, quarter id) → ``total_class`` (``roster.Total``), the learners' own branches:
    the cells of ``cells_for`` (one statement) counted by ``tally``."""
    cells = cells_for(programme, members, columns, today)
    table = {}
    for m in members:
        branch = m.user.branch
        if branch is None:
            continue
        mine = cells[m.user.id]
        for q in columns:
            total = table.get((branch.id, q.id))
            if total is None:
                total = table[(branch.id, q.id)] = total_class(branch=branch, week=q)
            tally(total, mine[q.id])
    return table


def counts_in(q: Quarter, cell: QuarterCell, first_day: date, last_day: date) -> bool:
    """Whether a quarter counts in a ranking's period: done on a day inside it (for), or missed
    with its last day inside it (against). A quarter still running and not done counts neither
    way yet, nor does one before the learner joined."""
    if cell.state == DONE:
        return cell.on is not None and first_day <= cell.on <= last_day
    if cell.state == MISSED:
        return first_day <= q.due_on <= last_day
    return False
