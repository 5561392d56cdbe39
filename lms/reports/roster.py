"""The roster (learners × weeks), the totals per branch and week, and the
overdue list, for one programme, within the viewer's branch scope.

A page costs a fixed number of statements whatever the number of learners:
the programme and its weeks, the branches, the people (three plain reads,
``members.roster_members``) and the attempts of the learners shown (one).
A download and the overdue list read the database's sums per learner and
exam (``cells_sql``), one statement per ``EXPORT_BATCH`` learners."""
from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms import clock, in_list
from lms.content.models import Programme, ProgrammeItem
from lms.extensions import db
from lms.programmes.services import QUARTERLY
from lms.reports import aggregates, cells as cell_rules, cells_sql, quarters as quarter_rules, state_filter
from lms.reports.members import Member, roster_members
from lms.text_search import matches

PAGE_SIZE = 50
# The learners whose cells a download computes at a time (one statement each, an IN list the
# database answers from its index): a year of 5,000 learners × 52 weeks is never held at once.
EXPORT_BATCH = in_list.IN_LIST_LIMIT


def programmes() -> list[Programme]:
    return list(db.session.scalars(
        select(Programme).where(Programme.retired.is_(False)).order_by(Programme.title, Programme.slug)
        .options(selectinload(Programme.items).selectinload(ProgrammeItem.exam))))


@dataclass
class RosterFilter:
    """What the roster is narrowed to; every field optional. ``branch_ids``
    is the chosen branch's subtree (already checked against the scope)."""

    q: str = ""
    branch_ids: list[int] | None = None
    position: str = ""
    week_id: int | None = None
    state: str = ""
    quarter: str = ""  # a quarterly requirement's one quarter ("2026-Q3"), as ``week_id`` is a week

    def chosen(self, columns: list) -> list:
        """The columns the filter names (one week, or one quarter), or all of them."""
        wanted = self.quarter or self.week_id
        if not wanted:
            return columns
        return [c for c in columns if c.id == wanted]

    def keep(self, member: Member) -> bool:
        user = member.user
        if self.branch_ids is not None and user.branch_id not in self.branch_ids:
            return False
        if self.position and (user.current_position is None or user.current_position.position != self.position):
            return False
        if self.q:
            if not matches(self.q, names=(user.name, user.branch.name if user.branch else ""),
                           codes=(user.employee_no,)):
                return False
        return True


def columns(programme: Programme, today: date) -> list:
    """The roster's columns: the weeks with an exam, or a quarterly requirement's quarters."""
    if programme.recurring == QUARTERLY:
        return quarter_rules.quarters(programme, today)
    return cell_rules.roster_weeks(programme)


def _cells(programme: Programme, members, columns: list, today: date, many: cells_sql.Made | None = None) -> dict:
    """``many``: a batch of a download or of the overdue list, its weeks' cells from the
    database's sums (``cells_sql``: the same cells, without every attempt read into Python),
    those of the batches before given (one ``cells_sql.Made`` for all of them)."""
    if programme.recurring == QUARTERLY:
        return quarter_rules.cells_for(programme, members, columns, today)
    if many is not None:
        return cells_sql.cells_for(members, columns, today, many)
    return cell_rules.cells_for(members, columns, today)


@dataclass
class Roster:
    programme: Programme
    weeks: list  # ProgrammeItem, or a quarterly requirement's quarter_rules.Quarter
    members: list[Member]  # after the filter (this page's rows are ``rows``)
    rows: list[Member]
    cells: dict[int, dict[int, cell_rules.Cell]] | None  # None: every row, computed as ``row_cells`` goes
    page: int = 1
    pages: int = 1
    total: int = 0
    today: date = field(default_factory=clock.today)

    def row_cells(self) -> Iterator[tuple[Member, dict[int, cell_rules.Cell]]]:
        """Each row with its cells (week id → Cell), in order; for a download
        the cells of ``EXPORT_BATCH`` learners at a time."""
        if self.cells is not None:
            for m in self.rows:
                yield m, self.cells[m.user.id]
            return
        made = cells_sql.Made()
        for start in range(0, len(self.rows), EXPORT_BATCH):
            batch = self.rows[start:start + EXPORT_BATCH]
            cells = _cells(self.programme, batch, self.weeks, self.today, many=made)
            for m in batch:
                yield m, cells.pop(m.user.id)


def _state_filtered(members: list[Member], weeks: list[ProgrammeItem], flt: RosterFilter, today: date):
    """The members whose cell (in the chosen week, or in any week) is in the
    chosen state: decided by the database (``state_filter``), not by a cell
    per learner and week."""
    chosen = [w for w in weeks if w.id == flt.week_id] or weeks
    return state_filter.matching(members, chosen, flt.state, today)


def build(programme: Programme, scope, flt: RosterFilter, page: int | None = 1,
          today: date | None = None) -> Roster:
    """The roster's page ``page`` (``None``: every row, for the exports, whose
    cells ``Roster.row_cells`` computes a batch of learners at a time)."""
    today = today or clock.today()
    weeks = columns(programme, today)
    members = [m for m in roster_members(programme, scope) if flt.keep(m)]
    if flt.state and programme.recurring == QUARTERLY:  # the chosen quarter (or any) in that state: one read
        every = quarter_rules.cells_for(programme, members, flt.chosen(weeks), today)
        members = [m for m in members if any(c.matches(flt.state) for c in every[m.user.id].values())]
    elif flt.state:
        members = _state_filtered(members, weeks, flt, today)
    total = len(members)
    if page is None:  # every row, for a download: the cells as the rows are written (``row_cells``)
        return Roster(programme=programme, weeks=weeks, members=members, rows=members, cells=None, total=total,
                      today=today)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = members[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    cells = _cells(programme, rows, weeks, today)
    return Roster(programme=programme, weeks=weeks, members=members, rows=rows, cells=cells, page=page,
                  pages=pages, total=total, today=today)


# --- totals per branch and week -----------------------------------------------------

@dataclass
class Total:
    """One branch in one week."""

    branch: object
    week: ProgrammeItem
    learners: int = 0
    passed: int = 0
    overdue: int = 0
    first_tries: int = 0  # learners with a finalised first attempt
    first_try_passed: int = 0
    score_sum: float = 0.0  # of the results that count
    score_count: int = 0

    def count(self, *, passed: bool, overdue: bool, first_try_passed: bool | None, percent: float | None) -> None:
        """One learner asked for this week (or quarter): passed, overdue, their first
        finalised attempt (None: none yet) and the result that counts (None: none)."""
        self.learners += 1
        self.passed += passed
        self.overdue += overdue
        if first_try_passed is not None:
            self.first_tries += 1
            self.first_try_passed += first_try_passed
        if percent is not None:
            self.score_sum += percent
            self.score_count += 1

    @property
    def completion(self) -> float | None:
        return self.passed / self.learners if self.learners else None

    @property
    def first_try_pass_rate(self) -> float | None:
        return self.first_try_passed / self.first_tries if self.first_tries else None

    @property
    def mean_score(self) -> float | None:
        return self.score_sum / self.score_count if self.score_count else None

    def add(self, other: Total) -> None:
        for name in ("learners", "passed", "overdue", "first_tries", "first_try_passed", "score_sum", "score_count"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def add_cell(total: Total, cell: cell_rules.Cell) -> None:
    total.count(passed=cell.status == "passed", overdue=cell.overdue, first_try_passed=cell.first_try_passed,
                percent=cell.percent)


@dataclass
class Totals:
    programme: Programme
    weeks: list[ProgrammeItem]  # the weeks shown (opened so far, or the chosen one)
    branches: list  # Branch, in code order
    table: dict[tuple[int, int], Total]  # (branch id, week id) → Total
    bank: dict[int, Total]  # week id → every branch together


def totals(programme: Programme, scope, flt: RosterFilter, today: date | None = None,
           members: list[Member] | None = None, passes_only: bool = False) -> Totals:
    """Per branch (the learner's own branch) and week: learners, passed
    (completion), overdue, first-try pass rate and mean score. Weeks opened
    so far unless one is chosen. A quarterly requirement counts quarters the
    same way (``quarters.tally``: learners asked, done, missed). ``members``:
    ``roster_members(programme, scope)`` when the caller has them already
    (the rankings page). ``passes_only``: learners, passed (completion) and overdue only, for
    the rankings' completion chart (``aggregates.branch_week_totals``)."""
    today = today or clock.today()
    every = columns(programme, today)
    weeks = flt.chosen(every) if (flt.week_id or flt.quarter) else [w for w in every if w.opens_on <= today]
    members = [m for m in (roster_members(programme, scope) if members is None else members) if flt.keep(m)]
    if programme.recurring == QUARTERLY:
        table = quarter_rules.branch_totals(programme, members, weeks, today, Total)
    else:
        table = aggregates.branch_week_totals(members, weeks, today, Total, passes_only)
    bank = {w.id: Total(branch=None, week=w) for w in weeks}
    branches = {}
    for (branch_id, week_id), total in table.items():
        branches[branch_id] = total.branch
        bank[week_id].add(total)
    return Totals(programme=programme, weeks=weeks, branches=sorted(branches.values(), key=lambda b: b.code),
                  table=table, bank=bank)


# --- the overdue list ------------------------------------------------------------------

@dataclass
class Overdue:
    member: Member
    week: ProgrammeItem | quarter_rules.Quarter  # a quarterly requirement: the missed quarter
    cell: cell_rules.Cell | quarter_rules.QuarterCell
    days: int


def overdue(programme: Programme, scope, flt: RosterFilter, today: date | None = None) -> list[Overdue]:
    """Every (learner, week) past due and not passed, longest overdue first; for a
    quarterly requirement every (learner, quarter) missed, one line each."""
    return list(overdue_lines(programme, scope, flt, today))


def overdue_lines(programme: Programme, scope, flt: RosterFilter, today: date | None = None) -> OverdueLines:
    """``overdue`` for a download: the lines counted (``len``) and made one at a time as they are
    written (iterating), longest overdue first (the weeks by due date), then by branch code and
    工号 (the members' order), a learner's weeks due the same day in the programme's order. The
    cells are worked out here, a batch of learners at a time; what is kept of them is, per week,
    the overdue learners' places in the list and their cells (a few bytes a line, the cells
    shared): not a line object per overdue week."""
    today = today or clock.today()
    weeks = [w for w in flt.chosen(columns(programme, today)) if w.due_on < today]
    members = [m for m in roster_members(programme, scope) if flt.keep(m)]
    found = {w.id: (array("l"), []) for w in weeks}
    slots = [(week_id, places.append, kept.append) for week_id, (places, kept) in found.items()]
    made, state = cells_sql.Made(), flt.state
    for start in range(0, len(members), EXPORT_BATCH):
        batch = members[start:start + EXPORT_BATCH]
        cells = _cells(programme, batch, weeks, today, many=made)
        for place, m in enumerate(batch, start=start):
            mine = cells.pop(m.user.id)
            for week_id, add_place, add_cell in slots:
                cell = mine[week_id]
                if cell.overdue and (not state or cell.matches(state)):
                    add_place(place)
                    add_cell(cell)
    return OverdueLines(members, weeks, found, today)


@dataclass
class OverdueLines:
    members: list[Member]
    weeks: list
    found: dict[int, tuple]  # week id → (the overdue learners' places in ``members``, their cells)
    today: date

    def __len__(self) -> int:
        return sum(len(places) for places, _cells in self.found.values())

    def __iter__(self) -> Iterator[Overdue]:
        weeks, members = self.weeks, self.members
        for due_on in sorted({w.due_on for w in weeks}):
            days = (self.today - due_on).days
            same_day = [w for w in weeks if w.due_on == due_on]
            if len(same_day) == 1:
                lines = ((place, same_day[0], cell) for place, cell in zip(*self.found[same_day[0].id]))
            else:  # weeks due the same day: each learner's in the programme's order
                lines = ((place, w, cell) for place, _order, w, cell in sorted(
                    ((place, order, w, cell) for order, w in enumerate(same_day)
                     for place, cell in zip(*self.found[w.id])), key=lambda line: line[:2]))
            for place, w, cell in lines:
                yield Overdue(member=members[place], week=w, cell=cell, days=days)
