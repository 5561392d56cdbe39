"""The branch manager's home panel: per programme, this week's completion in
their branch tree and how many of their people are overdue."""
from __future__ import annotations

from dataclasses import dataclass

from lms import clock
from lms.org import scope as org_scope
from lms.reports import roster as reports
from lms.reports.cells import roster_weeks


@dataclass
class BranchWeek:
    programme: object
    week: object | None  # the week open today, if any
    total: reports.Total | None
    overdue_people: int
    learners: int


def branch_manager_panel(user) -> dict:
    today = clock.today()
    scope = org_scope.branch_scope(user)
    out = []
    for programme in reports.programmes():
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
