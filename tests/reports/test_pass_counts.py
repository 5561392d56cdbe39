"""The branch totals (``aggregates``) and the rankings count passes from one
set of facts per learner and exam (``aggregates.learner_exam_results``): on
one mixed year, each still gives what its rule says attempt by attempt —
the totals the roster's cells, the rankings ``standing_of``."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from lms import clock as bank_clock
from lms.extensions import db
from lms.org.models import User
from lms.reports import aggregates, cells as cell_rules, rankings as ranking_rules
from lms.reports.members import roster_members
from lms.reports.roster import Total, add_cell
from tests.reports.helpers import add_attempt, make_programme


def test_the_totals_and_the_rankings_count_one_mixed_year_as_their_rules_say(app, clock, make_user, make_branch):
    rng = random.Random(2026)
    branches = [make_branch("ZZ0101", "天元支行"), make_branch("ZZ0102", "芦淞支行")]
    p = make_programme(4)
    p.items[2].exam.scoring = "latest"
    for i in range(18):
        user = make_user(employee_no=f"M{i:02d}", branch=branches[i % 2])
        for item in p.items[:3]:
            for _ in range(rng.choice((0, 1, 2, 3))):  # retakes; equal results of the same outcome
                add_attempt(user, item, rng.choice((50, 79, 80, 95)))
            if rng.random() < 0.2:
                add_attempt(user, item, None, state=rng.choice(("grading", "open")),
                            at=clock.now() - timedelta(minutes=rng.choice((5, 300))))
    members = roster_members(p, None)
    weeks = [w for w in cell_rules.roster_weeks(p) if w.opens_on <= clock.today()]

    totals = aggregates.branch_week_totals(members, weeks, None, Total)
    cells = cell_rules.cells_for(members, weeks)
    expected: dict = {}
    for m in members:
        for w in weeks:
            add_cell(expected.setdefault((m.user.branch.id, w.id), Total(branch=m.user.branch, week=w)),
                     cells[m.user.id][w.id])
    fields = ("learners", "passed", "overdue", "first_tries", "first_try_passed", "score_count")
    assert {k: [getattr(t, f) for f in fields] + [round(t.score_sum, 4)] for k, t in totals.items()} == \
        {k: [getattr(t, f) for f in fields] + [round(t.score_sum, 4)] for k, t in expected.items()}
    assert sum(t.passed for t in totals.values()) and sum(t.first_tries for t in totals.values())

    first, last = p.items[0].opens_on, clock.today()
    result = ranking_rules.rankings(p, None, first, last, top=None)
    start, end = bank_clock.day_start(first), bank_clock.day_start(last + timedelta(days=1))
    attempts = cell_rules.load_attempts([w.exam_id for w in p.items], None)
    assert len(result.learners) > 10
    for ranked in result.learners:
        user_id = db.session.scalar(select(User.id).where(User.employee_no == ranked.member.user.employee_no))
        want = ranking_rules.Standing()
        for w in p.items:
            want.add(ranking_rules.standing_of(attempts.get((user_id, w.exam_id), []), w.exam.scoring, start, end))
        got = ranked.standing
        assert (got.taken, got.passed, got.first_tries, got.first_passed, got.attempts, got.score_count) == \
            (want.taken, want.passed, want.first_tries, want.first_passed, want.attempts, want.score_count)
        assert abs(got.score_sum - want.score_sum) < 1e-9
