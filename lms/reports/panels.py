"""The branch manager's home panel: per programme, this week's completion in
their branch tree and how many of their people are overdue."""
from __future__ import annotations

from dataclasses import dataclass

from lms import clock
from lms.org import scope as org_scope
from lms.programmes.services import QUARTERLY, quarter_label, quarter_of
from lms.reports import quarters as quarter_rules, roster as reports
from lms.reports.cells import roster_weeks


@dataclass
class BranchWeek:
    programme: object
    week: object | None  # the week open today, if any
    total: reports.Total | None
    overdue_people: int
    learners: int
    quarter: QuarterPassed | None = None  # a quarterly requirement (警示教育): this quarter instead of a week


@dataclass
class QuarterPassed:
    label: str  # "2026 Q4"
    passed: int
    learners: int

    @property
    def completion(self) -> float | None:
        return self.passed / self.learners if self.learners else None


def branch_manager_panel(user) -> dict:
    today = clock.today()
    scope = org_scope.branch_scope(user)
    out = []
    for programme in reports.programmes():
        if programme.recurring == QUARTERLY:
            block = _quarterly_block(programme, scope, today)
            if block is not None:
                out.append(block)
            continue
        current = next((w for w in roster_weeks(programme) if w.opens_on <= today <= w.due_on), None)
        flt = reports.RosterFilter(week_id=current.id if current else None)
        totals = reports.totals(programme, scope, flt, today) if current else None
        late = reports.overdue(programme, scope, reports.RosterFilter(), today)
        learners = len(reports.roster_members(programme, scope))
        if not learners:
            continue
        out.append(BranchWeek(programme=programme, week=current,
                              total=totals.bank[current.id] if totals else None,
                              overdue_people=len({o.member.user.id for o in late}), learners=learners))
    return {"branch": user.branch, "programmes": out}


def _quarterly_block(programme, scope, today) -> BranchWeek | None:
    """A quarterly requirement has quarters, not weeks: the panel counts who has passed it this
    quarter and who has missed an earlier one (the overdue list's lines), from one read of the
    attempts for every person of the manager's branches (``quarters.cells_for``), as each
    learner's 本周培训 and training record show them."""
    members = reports.roster_members(programme, scope)
    if not members:
        return None
    first = quarter_of(today)[0]
    columns = [q for q in quarter_rules.quarters(programme, today) if q.opens_on <= first]
    cells = quarter_rules.cells_for(programme, members, columns, today)
    this_quarter = next((q.id for q in columns if q.opens_on == first), None)
    passed = sum(1 for mine in cells.values() if this_quarter and mine[this_quarter].state == quarter_rules.DONE)
    missed = sum(1 for mine in cells.values() if any(c.overdue for c in mine.values()))
    return BranchWeek(programme=programme, week=None, total=None, overdue_people=missed, learners=len(members),
                      quarter=QuarterPassed(label=quarter_label(first), passed=passed, learners=len(members)))
