"""HR's and branch managers' pages at a bank's size (bench/hr_pages.py) read less than they used
to; what they show stays the same. Each cut is checked on a mixed population (ties across a
pass-mark change, papers waiting for grading with a certain fail and with a chance, an attempt
open now and one long expired, catch-up weeks, an exam scored by its latest attempt, a leaver
with attempts, people off the roster with attempts) with an IN list and past ``IN_LIST_LIMIT``."""
from __future__ import annotations

import html
import re

import pytest

from lms import in_list
from lms.extensions import db
from lms.reports import cells as cell_rules, overdue_page, roster as roster_rules, state_filter
from lms.reports.members import roster_members
from tests.conftest import sign_in
from tests.reports.helpers import add_attempt, make_programme
from tests.reports.test_in_list_paths import mixed  # noqa: F401  (fixture)
from tests.statements import statements_of
from tests.test_labels import visible_text


def _rows(page: str) -> list[list[str]]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[visible_text(c).strip() for c in re.split(r"<td[^>]*>", row)[1:]] for row in body.split("<tr")[1:]]


def _walk(client, url: str) -> tuple[list[list[str]], list[str]]:
    """Every page's rows from ``url`` on, following 下一页, and each page's visible text."""
    rows, texts = [], []
    while url:
        page = client.get(url).text
        rows += _rows(page)
        texts.append(visible_text(page))
        found = re.search(r'<a href="([^"]+)"[^>]*>下一页', page)
        url = html.unescape(found.group(1)) if found else None
    return rows, texts


@pytest.fixture
def with_leaver(mixed, make_user):  # noqa: F811
    """``mixed`` and an RM who has left (inactive) with overdue and passed weeks of their own."""
    p, people, outsiders = mixed
    leaver = make_user(employee_no="L01", name="离职者", branch=people[1].branch, position="rm_junior")
    add_attempt(leaver, p.items[0], 40)
    add_attempt(leaver, p.items[1], 95)
    leaver.active = False
    db.session.commit()
    return p, people, outsiders


@pytest.mark.parametrize("limit, bits", [(None, 60), (1, 60), (None, 2)],
                         ids=["in-list", "whole-table", "two-weeks-a-statement"])
def test_the_overdue_weeks_read_from_the_passed_weeks_alone_are_the_cells_overdue_weeks(app, clock, with_leaver,
                                                                                        monkeypatch, limit, bits):
    """The overdue list and the roster filtered by "overdue" (or "catch-up", or "passed") ask the
    database only which weeks passed; every other state still reads every kind of week. Both say
    what each learner's cells say, also when the weeks are read a few at a time (``BITS``; week 2
    is scored by its latest attempt, so the first statement's weeks are not consecutive)."""
    p, _people, _outsiders = with_leaver
    if limit:
        monkeypatch.setattr(in_list, "IN_LIST_LIMIT", limit)
    monkeypatch.setattr(state_filter, "BITS", bits)
    today = clock.today()
    with app.test_request_context():
        members = roster_members(p, None)
        weeks = cell_rules.roster_weeks(p)
        cells = cell_rules.cells_for(members, weeks, today)
        asked = []
        real = state_filter._week_states
        monkeypatch.setattr(state_filter, "_week_states", lambda *a: asked.append(a[3:]) or real(*a))
        for states in (("overdue",), ("catch_up",), ("passed",), ("overdue", "failed"), ("failed",),
                       ("not_started",), ("grading",), ("in_progress",)):
            for chosen in (weeks, [w for w in weeks if w.due_on < today], weeks[:1]):
                masks = state_filter.week_masks(members, chosen, states, today)
                expected = [sum(1 << i for i, w in enumerate(chosen)
                                if all(cells[m.user.id][w.id].matches(s) for s in states)) for m in members]
                assert masks == expected, (states, [w.title for w in chosen])
    # The passed weeks alone were asked for exactly when every state read only them.
    assert [a == (True,) for a in asked] == [True] * 9 + [False] * 15


@pytest.mark.parametrize("limit", [None, 1], ids=["in-list", "whole-table"])
def test_the_overdue_pages_and_the_roster_filtered_by_overdue_list_what_the_cells_say(app, client, clock, with_leaver,
                                                                                     make_user, monkeypatch, limit):
    p, people, outsiders = with_leaver
    if limit:
        monkeypatch.setattr(in_list, "IN_LIST_LIMIT", limit)
    monkeypatch.setattr(overdue_page, "PAGE_SIZE", 3)
    monkeypatch.setattr(roster_rules, "PAGE_SIZE", 4)
    today = clock.today()
    with app.test_request_context():
        lines = [(o.member.user.employee_no, o.week.title) for o in roster_rules.overdue(
            p, None, roster_rules.RosterFilter(), today)]  # the download's lines: every cell decided in full
        members = roster_members(p, None)
        cells = cell_rules.cells_for(members, cell_rules.roster_weeks(p), today)
        overdue_people = [m.user.employee_no for m in members if any(c.overdue for c in cells[m.user.id].values())]
    sign_in(client, make_user(("hr",), employee_no="hr"))
    rows, texts = _walk(client, f"/reports/overdue?programme={p.id}")
    assert [(r[0], r[3]) for r in rows] == lines
    assert all(f"{len(lines)} 项逾期" in t for t in texts) and len(texts) == -(-len(lines) // 3)
    shown = {no for no, _w in lines}
    assert {"P03", "P05", "P12"} <= shown and not {"L01", "T01", "HR1"} & shown
    assert ("P03", "第 1 周") in lines and ("P04", "第 1 周") not in lines  # the tie: as on the learner's page
    rows, _texts = _walk(client, f"/reports/roster?programme={p.id}&state=overdue")
    assert [r[0] for r in rows] == overdue_people and {"P03", "P12"} <= set(overdue_people)


def test_the_overdue_page_and_roster_filter_cost_the_same_statements_for_10_or_40_learners_either_side_of_the_limit(
        app, client, clock, make_user, make_branch, monkeypatch):
    monkeypatch.setattr(in_list, "IN_LIST_LIMIT", 20)  # 10 learners: an IN list; 40: the whole table
    branches = [make_branch("ZZ0101", "天元支行"), make_branch("ZZ0102", "芦淞支行")]
    p = make_programme(4)
    urls = (f"/reports/overdue?programme={p.id}", f"/reports/overdue?programme={p.id}&page=2",
            f"/reports/roster?programme={p.id}&state=overdue", f"/reports/roster?programme={p.id}&state=catch_up",
            f"/reports/overdue?programme={p.id}&branch={branches[0].id}")
    sign_in(client, make_user(("hr",), employee_no="hr"))

    def add_learners(start, stop):
        for i in range(start, stop):
            u = make_user(employee_no=f"N{i:03d}", branch=branches[i % 2], position="teller")
            add_attempt(u, p.items[0], 50 + i)
            if i % 2:
                add_attempt(u, p.items[1], 90)

    add_learners(0, 10)
    client.get(urls[0])
    with_10 = {url: statements_of(client, url)[0] for url in urls}
    add_learners(10, 40)
    with_40 = {url: statements_of(client, url)[0] for url in urls}
    assert "N039" in client.get(f"/reports/roster?programme={p.id}").text
    assert with_10 == with_40


@pytest.mark.parametrize("limit", [None, 1], ids=["in-list", "whole-table"])
def test_the_top_of_the_rankings_is_the_head_of_every_learners_ranking_ties_and_all(app, clock, with_leaver,
                                                                                    make_user, monkeypatch, limit):
    """The rankings page ranks only up to the places it shows (``top``); each cut is the head of
    the whole ranking: the same ranks, the same 并列 marks, the same notes on a broken tie."""
    from datetime import date

    from lms.reports import rankings

    p, people, _outsiders = with_leaver
    for n in range(3):  # three equal records: one rank shared
        twin = make_user(employee_no=f"Q{n:02d}", branch=people[1].branch, position="rm_junior")
        add_attempt(twin, p.items[0], 90)
    if limit:
        monkeypatch.setattr(in_list, "IN_LIST_LIMIT", limit)

    def seen(result):
        return [(r.rank, r.tied, r.member.user.employee_no, r.tie_note) for r in result.learners], \
            [(r.rank, r.tied, r.branch.code, r.learners, r.tie_note) for r in result.branches]

    with app.test_request_context():
        every, branches = seen(rankings.rankings(p, None, date(2026, 1, 1), clock.today(), top=None))
        assert len(every) > 5 and any(tied for _r, tied, _n, _t in every)
        assert "L01" not in {no for _r, _t, no, _n in every}
        for top in range(1, len(every) + 1):
            assert seen(rankings.rankings(p, None, date(2026, 1, 1), clock.today(), top=top)) == (
                [r for r in every if r[0] <= top], branches), top


def test_the_deciding_attempt_read_as_one_key_is_the_learners_page_on_two_place_percents(app, clock, make_user,
                                                                                         make_branch):
    """The overdue weeks and the branch totals read each (learner, exam) from one key (percent in
    hundredths, then the earlier attempt, then passed): two-place percents a hundredth apart, equal
    two-place percents across a pass-mark change either way round, a fail after a pass, and a
    result of 0 % decide as the learner's page does."""
    branch = make_branch("ZZ0101", "天元支行")
    p = make_programme(2)
    w1 = p.items[0]
    records = {"K01": [(79.99, 80), (80.0, 80)], "K02": [(80.0, 80), (79.99, 80)],
               "K03": [(83.33, 80), (83.33, 85)], "K04": [(83.33, 85), (83.33, 80)],
               "K05": [(0.0, 80)], "K06": [(99.99, 80), (100.0, 100.01)], "K07": [(66.67, 60), (66.66, 60)]}
    for no, record in records.items():
        user = make_user(employee_no=no, branch=branch)
        for percent, mark in record:
            attempt = add_attempt(user, w1, percent)
            attempt.pass_mark, attempt.passed = mark, percent >= mark
        db.session.commit()
    today = clock.today()
    with app.test_request_context():
        members = roster_members(p, None)
        weeks = cell_rules.roster_weeks(p)
        cells = cell_rules.cells_for(members, weeks, today)
        overdue = state_filter.week_masks(members, [w1], ("overdue",), today)
        totals = roster_rules.totals(p, None, roster_rules.RosterFilter(week_id=w1.id), today)
    assert {m.user.employee_no: cells[m.user.id][w1.id].status for m in members} == {
        "K01": "passed", "K02": "passed", "K03": "passed", "K04": "failed", "K05": "failed", "K06": "failed",
        "K07": "passed"}
    assert overdue == [int(cells[m.user.id][w1.id].overdue) for m in members] == [0, 0, 0, 1, 1, 1, 0]
    (total,) = totals.table.values()
    assert (total.passed, total.overdue, total.first_tries, total.first_try_passed, total.score_count) == (4, 3, 7, 4, 7)
    assert round(total.score_sum, 4) == round(sum(cells[m.user.id][w1.id].percent for m in members), 4) == 493.33


@pytest.mark.parametrize("limit", [None, 1], ids=["in-list", "whole-table"])
def test_the_branch_totals_count_every_figure_as_the_cells_say(app, clock, with_leaver, monkeypatch, limit):
    """Every figure of the branch totals (learners, passed, overdue, first tries and their passes,
    the results and their sum) per branch and week, on the mixed population with a leaver: what
    the roster's cells say, a late joiner's catch-up week and the week scored by its latest
    attempt included."""
    p, _people, _outsiders = with_leaver
    if limit:
        monkeypatch.setattr(in_list, "IN_LIST_LIMIT", limit)
    today = clock.today()
    with app.test_request_context():
        members = roster_members(p, None)
        result = roster_rules.totals(p, None, roster_rules.RosterFilter(), today)
        cells = cell_rules.cells_for(members, result.weeks, today)
        expected = {}
        for m in members:
            for w in result.weeks:
                roster_rules.add_cell(expected.setdefault((m.user.branch_id, w.id), roster_rules.Total(
                    branch=m.user.branch, week=w)), cells[m.user.id][w.id])
    fields = ("learners", "passed", "overdue", "first_tries", "first_try_passed", "score_count")

    def figures(table):
        return {k: [getattr(t, f) for f in fields] + [round(t.score_sum, 4)] for k, t in table.items()}

    assert figures(result.table) == figures(expected)
    assert sum(t.learners for t in result.table.values()) == 12 * len(result.weeks)
    assert sum(t.passed for t in result.table.values()) and sum(t.overdue for t in result.table.values())


@pytest.mark.parametrize("limit", [None, 1], ids=["in-list", "whole-table"])
def test_the_rankings_completion_chart_shows_the_completion_of_the_branch_totals(app, client, clock, with_leaver,
                                                                                make_user, monkeypatch, limit):
    """The rankings page counts only the passes for its completion chart (``passes_only``): each
    branch's learners, passes, overdue and completion in each week are the branch totals' own,
    and the chart's table on the page says the totals' percentages."""
    from lms.reports import chart

    p, _people, _outsiders = with_leaver
    if limit:
        monkeypatch.setattr(in_list, "IN_LIST_LIMIT", limit)
    today = clock.today()
    with app.test_request_context():
        full = roster_rules.totals(p, None, roster_rules.RosterFilter(), today)
        light = roster_rules.totals(p, None, roster_rules.RosterFilter(), today, passes_only=True)
        expected = [[visible_text(text) for text in cells] for _b, cells in chart.completion_chart(full)["table"]]
    assert {k: (t.learners, t.passed, t.overdue, t.completion) for k, t in light.table.items()} == \
        {k: (t.learners, t.passed, t.overdue, t.completion) for k, t in full.table.items()}
    assert any(t.passed for t in full.table.values()) and any(t.overdue for t in full.table.values())
    sign_in(client, make_user(("hr",), employee_no="hr"))
    page = client.get(f"/reports/rankings?programme={p.id}").text
    table = page.split('id="completion-table"', 1)[1].split("</tbody>", 1)[0]
    rows = [[visible_text(c).strip() for c in re.split(r"<td[^>]*>", row)[1:]] for row in table.split("<tr")[2:]]
    assert rows == expected and len(rows) == 2
