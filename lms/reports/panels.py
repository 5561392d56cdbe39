"""The branch manager's home panel: per programme, this week's completion in
their branch tree and how many of their people are overdue."""
from __future__ import annotations

from dataclasses import dataclass

from lms import clock
from lms.org import scope as org_scope
from lms.programmes.services import QUARTERLY, quarter_label, quarter_of, this_week_of
from lms.reports import roster as reports
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
    """A quarterly requirement has no weeks (the roster's columns): the panel counts who has
    passed it this quarter, as each learner's 本周培训 shows it, rather than "no week is open
    today" while the quarter is running."""
    people = [m.user for m in reports.roster_members(programme, scope)]
    if not people:
        return None
    passed, label = 0, quarter_label(quarter_of(today)[0])
    for mine in this_week_of(people, today).values():
        current = [w for t in mine if t.programme.id == programme.id for w in t.current]
        passed += any(w.done for w in current)
    return BranchWeek(programme=programme, week=None, total=None, overdue_people=0, learners=len(people),
                      quarter=QuarterPassed(label=label, passed=passed, learners=len(people)))
