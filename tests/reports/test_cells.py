"""Each roster cell says what the learner's own week page says (week_status),
computed for many learners at once."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from lms.programmes import services
from lms.reports import cells as cell_rules
from lms.reports.labels import cell_text
from lms.reports.members import roster_members
from tests.reports.helpers import add_attempt, make_programme


def _cells(programme, today=None):
    members = roster_members(programme, None)
    return members, cell_rules.cells_for(members, cell_rules.roster_weeks(programme), today)


def test_every_state_agrees_with_week_status(app, clock, make_user, make_branch):
    branch = make_branch("ZZ0101", "天元支行")
    p = make_programme(4)
    w1, w2, w3, w4 = p.items
    passed = make_user(employee_no="passed", branch=branch)
    add_attempt(passed, w1, 50)
    add_attempt(passed, w1, 90)
    failed_twice = make_user(employee_no="failed2", branch=branch)
    add_attempt(failed_twice, w3, 40)
    add_attempt(failed_twice, w3, 70)
    grading = make_user(employee_no="grading", branch=branch)
    add_attempt(grading, w3, None, state="grading")
    busy = make_user(employee_no="busy", branch=branch)
    add_attempt(busy, w3, None, state="open", at=clock.now() - timedelta(minutes=5))
    abandoned = make_user(employee_no="abandoned", branch=branch)
    add_attempt(abandoned, w3, None, state="open", at=clock.now() - timedelta(hours=3))
    idle = make_user(employee_no="idle", branch=branch)

    members, cells = _cells(p)
    by_no = {m.user.employee_no: m.user.id for m in members}
    from lms.org.models import User
    from lms.extensions import db
    for m in members:
        user = db.session.get(User, m.user.id)
        for item in (w1, w2, w3):
            ws = services.week_status(user, item)
            cell = cells[m.user.id][item.id]
            assert (cell.status, cell.overdue) == (ws.status, ws.overdue), (m.user.employee_no, item.number)
    assert cells[by_no["passed"]][w1.id].status == "passed"
    assert cell_text(cells[by_no["passed"]][w1.id]) == "已通过 90%（2 次）"
    assert cell_text(cells[by_no["failed2"]][w3.id]) == "未通过 ×2"
    assert cell_text(cells[by_no["idle"]][w1.id]) == "逾期 · 未开始"
    assert cells[by_no["failed2"]][w3.id].status == "failed" and cells[by_no["failed2"]][w3.id].finished == 2
    assert cells[by_no["grading"]][w3.id].status == "grading"
    assert cells[by_no["busy"]][w3.id].status == "in_progress"
    assert cells[by_no["abandoned"]][w3.id].status == "not_started"
    assert cells[by_no["idle"]][w1.id].overdue and cells[by_no["idle"]][w1.id].status == "not_started"
    assert cells[by_no["idle"]][w4.id].status == "not_open" and not cells[by_no["idle"]][w4.id].overdue


def test_latest_scoring_decides_like_the_exam_says(app, clock, make_user):
    p = make_programme(2)
    w1 = p.items[0]
    w1.exam.scoring = "latest"
    learner = make_user(employee_no="l")
    add_attempt(learner, w1, 90)
    add_attempt(learner, w1, 50)
    members, cells = _cells(p)
    cell = cells[learner.id][w1.id]
    assert cell.status == services.week_status(learner, w1).status == "failed"
    assert cell.overdue and cell.percent == 50


def test_weeks_due_before_enrolment_are_catch_up_not_overdue(app, clock, make_user):
    p = make_programme(4)
    w1, w2, w3, _w4 = p.items
    make_user(employee_no="late-joiner")
    members = roster_members(p, None)
    members[0].enrolled_on = w3.opens_on  # joined in week 3
    cells = cell_rules.cells_for(members, cell_rules.roster_weeks(p))
    row = cells[members[0].user.id]
    assert row[w1.id].catch_up and not row[w1.id].overdue
    assert row[w2.id].catch_up and cell_text(row[w2.id]) .startswith("补学")
    assert not row[w3.id].catch_up and not row[w3.id].overdue


def test_branch_totals_counted_by_the_database_equal_the_cells(app, clock, make_user, make_branch):
    """The GROUP BY totals (lms.reports.aggregates) and the cells, one by one,
    give the same numbers: best and latest scoring, retakes, grading, open
    attempts, late joiners (catch-up)."""
    import random

    from lms.reports import aggregates
    from lms.reports.roster import Total, add_cell

    rng = random.Random(7)
    branches = [make_branch("ZZ0101", "天元支行"), make_branch("ZZ0102", "芦淞支行")]
    p = make_programme(4)
    p.items[1].exam.scoring = "latest"
    for i in range(24):
        u = make_user(employee_no=f"R{i:02d}", branch=branches[i % 2])
        for item in p.items[:3]:
            for _ in range(rng.choice((0, 1, 1, 2, 3))):
                add_attempt(u, item, rng.choice((40, 70, 80, 95)))
            if rng.random() < 0.15:
                add_attempt(u, item, None, state=rng.choice(("grading", "open")),
                            at=clock.now() - timedelta(minutes=rng.choice((5, 300))))
    members = roster_members(p, None)
    members[3].enrolled_on = p.items[2].opens_on
    weeks = [w for w in cell_rules.roster_weeks(p) if w.opens_on <= clock.today()]
    fast = aggregates.branch_week_totals(members, weeks, None, Total)
    cells = cell_rules.cells_for(members, weeks)
    slow = {}
    for m in members:
        for w in weeks:
            add_cell(slow.setdefault((m.user.branch.id, w.id), Total(branch=m.user.branch, week=w)),
                     cells[m.user.id][w.id])
    fields = ("learners", "passed", "overdue", "first_tries", "first_try_passed", "score_count")
    assert {k: [getattr(t, f) for f in fields] + [round(t.score_sum, 4)] for k, t in fast.items()} == \
        {k: [getattr(t, f) for f in fields] + [round(t.score_sum, 4)] for k, t in slow.items()}
    assert any(t.passed for t in fast.values()) and any(t.overdue for t in fast.values())
