"""The branch manager's home panel: per programme, this week's completion in
their branch tree and how many of their people are overdue."""
from __future__ import annotations

from dataclasses import dataclass

from lms import clock
from lms.org import scope as org_scope
from lms.programmes.services import QUARTERLY, quarter_label, quarter_of
from lms.reports import quarters as quarter_rules, roster as reports, state_filter
from lms.reports.cells import roster_weeks
from lms.reports.members import roster_members_of


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
    id: str  # "2026-Q4", the roster's quarter filter
    passed: int
    learners: int

    @property
    def completion(self) -> float | None:
        return self.passed / self.learners if self.learners else None


def branch_manager_panel(user) -> dict:
    """Per programme, for everyone of the manager's branches (a city's thousands): the people
    read once for every programme, the weeks' totals and the overdue people decided by the
    database (``state_filter``), a quarterly requirement's quarters from one read of its exam's
    attempts — a fixed number of statements whatever the number of people (tested; measured
    by bench/branch_panel_city.py)."""
    today = clock.today()
    scope = org_scope.branch_scope(user)
    programmes = reports.programmes()
    everyone = roster_members_of(programmes, scope)
    out = []
    for programme in programmes:
        members = everyone[programme.id]
        if not members:
            continue
        if programme.recurring == QUARTERLY:
            out.append(_quarterly_block(programme, members, today))
            continue
        weeks = roster_weeks(programme)
        current = next((w for w in weeks if w.opens_on <= today <= w.due_on), None)
        totals = reports.totals(programme, scope, reports.RosterFilter(week_id=current.id), today,
                                members=members) if current else None
        late = state_filter.matching(members, [w for w in weeks if w.due_on < today], "overdue", today)
        out.append(BranchWeek(programme=programme, week=current,
                              total=totals.bank[current.id] if totals else None,
                              overdue_people=len(late), learners=len(members)))
    return {"branch": user.branch, "programmes": out}


def _quarterly_block(programme, members, today) -> BranchWeek:
    """A quarterly requirement has quarters, not weeks: the panel counts who has passed it this
    quarter and who has missed an earlier one (the overdue list's lines), from one read of the
    attempts for every person of the manager's branches (``quarters.cells_for``), as each
    learner's 本周培训 and training record show them."""
    first = quarter_of(today)[0]
    columns = [q for q in quarter_rules.quarters(programme, today) if q.opens_on <= first]
    cells = quarter_rules.cells_for(programme, members, columns, today)
    this_quarter = next((q.id for q in columns if q.opens_on == first), None)
    # This quarter counted as the branch totals count it (``quarters.tally``), so the panel and
    # /reports/totals say the same "n of m".
    total = reports.Total(branch=None, week=None)
    if this_quarter:
        for mine in cells.values():
            quarter_rules.tally(total, mine[this_quarter])
    missed = sum(1 for mine in cells.values() if any(c.overdue for c in mine.values()))
    return BranchWeek(programme=programme, week=None, total=None, overdue_people=missed, learners=len(members),
                      quarter=QuarterPassed(label=quarter_label(first), id=this_quarter or "", passed=total.passed,
                                            learners=total.learners))
