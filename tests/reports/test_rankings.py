"""Rankings (十佳客户经理): the rule on the page, ties shared (并列) and
explained, the period, the branch table and the completion chart."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import select

from lms.org.models import User
from lms.reports import rankings as rules
from lms.reports.members import roster_members
from tests.conftest import sign_in
from tests.reports.helpers import add_attempt, make_programme


def test_ties_share_a_rank_and_the_next_rank_skips(app, clock, make_user, make_branch):
    branch = make_branch("ZZ0101", "天元支行")
    p = make_programme(3)
    w1, w2, _w3 = p.items
    a, b, c, d, e = (make_user(employee_no=no, branch=branch) for no in ("A", "B", "C", "D", "E"))
    for u in (a, b):                   # both: 2 of 2 passed at first try, mean 90
        add_attempt(u, w1, 90)
        add_attempt(u, w2, 90)
    add_attempt(c, w1, 60)             # 2 of 2 passed, one at the second try
    add_attempt(c, w1, 95)
    add_attempt(c, w2, 95)
    add_attempt(d, w1, 85)             # 2 of 2 at first try but a lower mean than A, B
    add_attempt(d, w2, 85)
    add_attempt(e, w1, 50)             # 0 of 1
    result = rules.rankings(p, None, date(2026, 2, 1), date(2026, 3, 2))
    order = [(r.rank, r.tied, r.member.user.employee_no) for r in result.learners]
    assert order == [(1, True, "A"), (1, True, "B"), (3, False, "D"), (4, False, "C"), (5, False, "E")]
    assert result.learners[2].tie_note == "mean_score"   # same pass and first-try rates as A and B
    assert result.learners[3].tie_note == "first_try"
    top = rules.rankings(p, None, date(2026, 2, 1), date(2026, 3, 2), top=1)
    assert [r.member.user.employee_no for r in top.learners] == ["A", "B"]  # everyone tied with the last place


def test_fewer_attempts_break_the_last_tie(app, clock, make_user):
    p = make_programme(2)
    w1 = p.items[0]
    one, two = make_user(employee_no="one"), make_user(employee_no="two")
    add_attempt(one, w1, 90)
    add_attempt(two, w1, 90)
    add_attempt(two, w1, 80)   # the best counts (90), but one more attempt
    result = rules.rankings(p, None, date(2026, 2, 1), date(2026, 3, 2))
    assert [(r.rank, r.member.user.employee_no, r.tie_note) for r in result.learners] == \
        [(1, "one", ""), (2, "two", "attempts")]


def test_only_attempts_finalised_in_the_period_count(app, clock, make_user):
    p = make_programme(3)
    w1, w2, _ = p.items
    learner = make_user(employee_no="l")
    add_attempt(learner, w1, 50)   # finalised in February (week 1 opened 2026-02-16)
    add_attempt(learner, w2, 90)   # week 2: 2026-02-23
    feb = rules.rankings(p, None, date(2026, 2, 16), date(2026, 2, 22))
    [row] = feb.learners
    assert (row.standing.taken, row.standing.passed) == (1, 0)
    assert rules.period_dates("month", p, date(2026, 3, 2)) == (date(2026, 3, 1), date(2026, 3, 2))
    assert rules.period_dates("quarter", p, date(2026, 5, 20)) == (date(2026, 4, 1), date(2026, 5, 20))
    assert rules.period_dates("programme", p, date(2026, 3, 2)) == (date(2026, 2, 16), date(2026, 3, 2))
    assert rules.period_dates("range", p, None, date(2026, 3, 9), date(2026, 3, 1)) == \
        (date(2026, 3, 1), date(2026, 3, 9))


def test_the_page_shows_the_rule_both_tables_and_the_chart(client, clock, make_user, make_branch):
    city = make_branch("ZZ01", "株洲分行")
    tianyuan = make_branch("ZZ0101", "天元支行", parent=city)
    lusong = make_branch("ZZ0102", "芦淞支行", parent=city)
    p = make_programme(3)
    w1, w2, _ = p.items
    for no, branch, scores in (("T1", tianyuan, (90, 90)), ("T2", tianyuan, (90, 90)), ("L1", lusong, (50, 85))):
        u = make_user(employee_no=no, branch=branch)
        for item, s in zip((w1, w2), scores):
            add_attempt(u, item, s)
    sign_in(client, make_user(("hr",), employee_no="hr"))
    page = client.get(f"/reports/rankings?programme={p.id}&period=programme").text
    rule = page.split('id="ranking-rule"', 1)[1].split("</section>", 1)[0]
    assert "通过率" in rule and "首次通过率" in rule and "平均分" in rule and "并列" in rule
    learners = page.split('id="rankings-learners"', 1)[1].split("</section>", 1)[0]
    assert learners.count("并列") == 2 and learners.index("T1") < learners.index("L1")
    branches = page.split('id="rankings-branches"', 1)[1].split("</section>", 1)[0]
    assert branches.index("天元支行") < branches.index("芦淞支行")
    chart = page.split('id="completion-chart"', 1)[1].split("</section>", 1)[0]
    assert "<svg" in chart and chart.count("<polyline") == 2 and 'role="img"' in chart
    table = chart.split('id="completion-table"', 1)[1]
    tianyuan_row = re.search(r"<th scope=\"row\">天元支行</th>(.*?)</tr>", table).group(1)
    assert re.findall(r"<td>([^<]*)</td>", tianyuan_row) == ["100%", "100%", "0%"]
    assert "<title>芦淞支行 · 第 1 周：0%</title>" in chart and "<title>天元支行 · 第 2 周：100%</title>" in chart
    assert "<script" not in chart and "style=" not in chart
    mine = client.get(f"/reports/rankings?branch={lusong.id}").text
    assert "T1" not in mine.split('id="rankings-learners"', 1)[1].split("</section>", 1)[0]


def test_members_follow_the_audience_and_the_scope(app, make_user, make_branch):
    city = make_branch("ZZ01", "株洲分行")
    tianyuan = make_branch("ZZ0101", "天元支行", parent=city)
    other = make_branch("CS01", "长沙分行")
    p = make_programme(1, audience={"branches": ["ZZ01"], "positions": ["teller"], "roles": ["learner"]})
    make_user(employee_no="in", branch=tianyuan, position="teller")
    make_user(employee_no="rm", branch=tianyuan, position="rm_junior")
    make_user(employee_no="far", branch=other, position="teller")
    make_user(employee_no="gone", branch=tianyuan, position="teller", active=False)
    make_user(("hr",), employee_no="hr", branch=tianyuan, position="teller")
    assert [m.user.employee_no for m in roster_members(p, None)] == ["in"]
    assert roster_members(p, [other.id]) == [] and roster_members(p, []) == []


def test_the_database_counts_what_standing_of_says_and_reads_no_attempt_row(app, clock, make_user, make_branch):
    """A bank's year (5,000 learners, ~300,000 attempts) made the page read every
    attempt into Python (18 s at a tenth of that). The counting is the database's
    now: the same standings as ``standing_of`` attempt by attempt (retakes, a
    failed first try, equal best results, one outside the period, one still
    being graded), in as many statements for six learners as for one."""
    from sqlalchemy import event

    from lms.exams.models import Attempt
    from lms import in_list
    from lms.extensions import db
    from lms.reports import cells

    branch = make_branch("ZZ0102", "芦淞支行")
    p = make_programme(3)
    w1, w2, w3 = p.items
    first, last = date(2026, 2, 16), date(2026, 3, 2)

    def counted() -> tuple[dict, int, bool]:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        db.session.expire_all()
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            result = rules.rankings(p, None, first, last, top=None)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        rows_read = any("attempt.finalised_at" in s and "GROUP BY" not in s.upper() and "row_number" not in s
                        for s in statements)
        return ({r.member.user.employee_no: r.standing for r in result.learners}, len(statements), rows_read)

    add_attempt(make_user(employee_no="U0", branch=branch), w1, 90)
    _one, few, rows_read = counted()
    assert not rows_read
    people = [make_user(employee_no=f"U{n}", branch=branch) for n in range(1, 6)]
    add_attempt(people[0], w1, 60)                       # failed first try, passed at the second
    add_attempt(people[0], w1, 95)
    add_attempt(people[0], w2, 85)
    add_attempt(people[1], w1, 90)                       # equal best results: the first decides
    add_attempt(people[1], w1, 90)
    add_attempt(people[1], w2, 40)
    add_attempt(people[2], w2, None, state="grading")    # not finalised: not counted
    add_attempt(people[2], w3, 70)
    add_attempt(people[3], w1, 100, at=datetime(2026, 1, 5, 9))  # before the period
    add_attempt(people[3], w3, 80)
    add_attempt(people[4], w1, 50)
    add_attempt(people[4], w1, 55)
    add_attempt(people[4], w1, 79)
    standings, many, rows_read = counted()
    assert many == few and not rows_read

    start, end = datetime(2026, 2, 16), datetime(2026, 3, 3)
    attempts = cells.load_attempts([w.exam_id for w in p.items], None)
    for no, s in standings.items():
        user_id = db.session.scalar(select(User.id).where(User.employee_no == no))
        expected = rules.Standing()
        for w in p.items:
            expected.add(rules.standing_of(attempts.get((user_id, w.exam_id), []), w.exam.scoring, start, end))
        assert (s.taken, s.passed, s.first_tries, s.first_passed, s.attempts, s.score_count) == \
            (expected.taken, expected.passed, expected.first_tries, expected.first_passed, expected.attempts,
             expected.score_count), no
        assert abs(s.mean_score - expected.mean_score) < 1e-9, no
    assert (standings["U1"].passed, standings["U1"].first_passed, standings["U1"].attempts) == (2, 1, 3)
    assert "U4" in standings and standings["U4"].taken == 1      # the January attempt is outside
    assert db.session.query(Attempt).count() == 14


def test_the_page_reads_the_programmes_audience_once(client, clock, make_user, make_branch, monkeypatch):
    """The rankings and the weekly completion beside them are of the same
    people: their audience (5,000 people in a bank, ~0.3 s of CPU each time)
    is worked out once for the page."""
    from lms.reports import members as member_rules

    calls = []
    real = member_rules.members
    monkeypatch.setattr(member_rules, "members", lambda *a, **k: calls.append(1) or real(*a, **k))
    p = make_programme(3)
    add_attempt(make_user(employee_no="T1", branch=make_branch("ZZ0101", "天元支行")), p.items[0], 90)
    sign_in(client, make_user(("hr",), employee_no="hr"))
    page = client.get(f"/reports/rankings?programme={p.id}")
    assert page.status_code == 200 and "T1" in page.text
    assert len(calls) == 1


def _standings_attempt_by_attempt(p, user_ids: dict, first: date, last: date) -> dict:
    """employee no → ``standing_of`` summed over the weeks, the rule read attempt by attempt."""
    from lms import clock as bank_clock
    from lms import in_list
    from lms.reports import cells

    start, end = bank_clock.day_start(first), bank_clock.day_start(last + rules.timedelta(days=1))
    attempts = cells.load_attempts([w.exam_id for w in p.items], None)
    out = {}
    for no, user_id in user_ids.items():
        s = rules.Standing()
        for w in p.items:
            s.add(rules.standing_of(attempts.get((user_id, w.exam_id), []), w.exam.scoring, start, end))
        out[no] = s
    return out


@pytest.mark.parametrize("in_list_limit", [400, 0], ids=["IN list", "every learner of the exams"])
def test_a_tie_between_a_pass_and_a_fail_is_decided_by_the_earlier_attempt(app, clock, make_user, make_branch,
                                                                          monkeypatch, in_list_limit):
    """The database folds each learner's attempts per exam (best, best passed,
    best not passed, and their earliest: ``cells.deciding_columns``) instead of
    numbering every attempt of the year with a window. Equal best results where the pass mark changed between the two
    attempts (75 % failed under 80, 75 % passed under 70, or the other way
    round) go to the earlier one, as ``cells.deciding`` says; retakes, the
    first try and the period count as before; a branch's rankings and a
    bank's (no IN list of thousands of ids: ``in_list_limit`` 0) leave out
    whoever is not on the roster."""
    from sqlalchemy import event

    from lms import in_list
    from lms.extensions import db
    from lms.reports import cells

    monkeypatch.setattr(in_list, "IN_LIST_LIMIT", in_list_limit)
    north, south = make_branch("ZZ0101", "天元支行"), make_branch("ZZ0102", "芦淞支行")
    p = make_programme(3)
    w1, w2, w3 = p.items
    fail_then_pass, pass_then_fail, retaker, steady = (
        make_user(employee_no=no, branch=north) for no in ("FP", "PF", "RT", "ST"))
    southerner = make_user(employee_no="SO", branch=south)
    outsider = make_user(("hr",), employee_no="HR1", branch=north)  # took the exam, not on the roster

    def marked(attempt, pass_mark: float):
        attempt.pass_mark, attempt.passed = pass_mark, attempt.percent >= pass_mark
        db.session.commit()

    marked(add_attempt(fail_then_pass, w1, 75), 80)      # failed under 80 …
    marked(add_attempt(fail_then_pass, w1, 75), 70)      # … the same 75 passed after the mark went down to 70
    add_attempt(fail_then_pass, w2, 90)
    marked(add_attempt(pass_then_fail, w1, 75), 70)      # passed under 70 …
    marked(add_attempt(pass_then_fail, w1, 75), 80)      # … and the same 75 failed after it went up to 80
    add_attempt(pass_then_fail, w2, 85)
    add_attempt(retaker, w1, 60)
    add_attempt(retaker, w1, 70)
    add_attempt(retaker, w1, 95)
    add_attempt(retaker, w2, 80)
    add_attempt(retaker, w3, 40)
    add_attempt(steady, w1, 90)
    add_attempt(steady, w1, 90)                          # equal results, both passed: not a tie to resolve
    add_attempt(steady, w2, 100)
    add_attempt(steady, w3, None, state="grading")
    add_attempt(southerner, w1, 85)
    add_attempt(outsider, w1, 100)
    first, last = date(2026, 2, 16), date(2026, 3, 2)
    ids = {u.employee_no: u.id for u in (fail_then_pass, pass_then_fail, retaker, steady, southerner)}
    expected = _standings_attempt_by_attempt(p, ids, first, last)

    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        bank = rules.rankings(p, None, first, last, top=None)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    got = {r.member.user.employee_no: r.standing for r in bank.learners}
    assert set(got) == {"FP", "PF", "RT", "ST", "SO"}
    for no, s in got.items():
        e = expected[no]
        assert (s.taken, s.passed, s.first_tries, s.first_passed, s.attempts, s.score_count, s.mean_score) == \
            (e.taken, e.passed, e.first_tries, e.first_passed, e.attempts, e.score_count, e.mean_score), no
    assert (got["FP"].passed, got["PF"].passed) == (1, 2)  # FP's week 1 failed (the earlier 75), PF's passed
    assert (got["RT"].passed, got["RT"].first_passed, got["RT"].attempts) == (2, 1, 5)  # w1 at the third try
    assert got["RT"].mean_score == pytest.approx((95 + 80 + 40) / 3)
    assert (got["ST"].taken, got["ST"].passed, got["ST"].attempts) == (2, 2, 3)
    # The ties decided by the database too (``cells.deciding_passed``): no attempt read one by one.
    # (``cells.load_attempts``: every attempt by number, the waiting papers' sums joined in by a GROUP BY.)
    per_attempt = [s for s in statements if "attempt.finalised_at" in s and s.rstrip().endswith("ORDER BY attempt.number")]
    assert per_attempt == []
    north_only = rules.rankings(p, None, first, last, branch_ids=[north.id], top=None)
    assert {r.member.user.employee_no for r in north_only.learners} == {"FP", "PF", "RT", "ST"}
    assert [(r.branch.code, r.learners) for r in north_only.branches] == [("ZZ0101", 4)]
    [south_row] = [r for r in bank.branches if r.branch.code == "ZZ0102"]
    assert (south_row.standing.taken, south_row.standing.passed, south_row.standing.attempts) == (1, 1, 1)
