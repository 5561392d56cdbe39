"""The roster at a bank's size: the download is written a batch of learners
at a time, and the filter by a state is decided by the database. Both must
give what the roster gave before, when every cell of every learner was
computed in Python first (the reference below is that code, kept here)."""
from __future__ import annotations

import io
import random
import zipfile
from datetime import timedelta

import openpyxl
import pytest

from lms import in_list
from lms.reports import cells as cell_rules, exports, roster as roster_rules, state_filter, tables
from lms.reports.cells import STATES
from lms.reports.labels import cell_text
from lms.reports.members import roster_members
from tests.conftest import sign_in
from tests.reports.helpers import add_attempt, make_programme
from tests.statements import counting_statements


def _old_state_filtered(members, weeks, week_id, state, today):
    """The roster's state filter before: a cell per learner and week."""
    chosen = [w for w in weeks if w.id == week_id] or weeks
    cells = cell_rules.cells_for(members, chosen, today)
    return [m for m in members if any(cells[m.user.id][w.id].matches(state) for w in chosen)]


def _old_roster_rows(members, weeks, today):
    """The roster download's rows before: every cell computed, then the rows."""
    cells = cell_rules.cells_for(members, weeks, today)
    return [[m.user.employee_no, m.user.name, m.user.branch.name if m.user.branch else "", tables._position(m.user)]
            + [cell_text(cells[m.user.id][w.id]) for w in weeks] for m in members]


@pytest.fixture
def year(app, clock, make_user, make_branch):
    """Two branches, 30 learners, six weeks (week 3 open today, 4–6 not yet;
    week 2 scored by the latest attempt): passes, retakes, failures, papers
    waiting for grading, attempts open now and long expired, people who never
    started, a learner who joined in week 3 (catch-up), and attempts of week 5
    taken early."""
    rng = random.Random(11)
    branches = [make_branch("ZZ0101", "天元支行"), make_branch("ZZ0102", "芦淞支行")]
    p = make_programme(6)
    p.items[1].exam.scoring = "latest"
    positions = ("teller", "rm_junior", "rm_senior")
    for i in range(30):
        u = make_user(employee_no=f"R{i:02d}", name=f"学员{i}", branch=branches[i % 2], position=positions[i % 3])
        for item in p.items[:3] + ([p.items[4]] if i % 7 == 0 else []):
            for _ in range(rng.choice((0, 1, 1, 2, 3))):
                add_attempt(u, item, rng.choice((40, 70, 80, 95)))
            if rng.random() < 0.2:
                add_attempt(u, item, None, state=rng.choice(("grading", "open")),
                            at=clock.now() - timedelta(minutes=rng.choice((5, 300))))
    return p


def _members(p, late=()):
    members = roster_members(p, None)
    for m in members:
        if m.user.employee_no in late:
            m.enrolled_on = p.items[2].opens_on  # joined in week 3: weeks 1–2 are catch-up
    return members


def test_the_state_filter_keeps_the_same_learners_as_the_cells_did(app, clock, year):
    p = year
    members = _members(year, late=("R03", "R10"))
    weeks = cell_rules.roster_weeks(p)
    today = clock.today()
    seen = set()
    for state in STATES:
        for week_id in [None] + [w.id for w in weeks]:
            chosen = [w for w in weeks if w.id == week_id] or weeks
            new = [m.user.employee_no for m in state_filter.matching(members, chosen, state, today)]
            old = [m.user.employee_no for m in _old_state_filtered(members, weeks, week_id, state, today)]
            assert new == old, (state, week_id)
            if new:
                seen.add(state)
    assert seen == set(STATES)  # every state has learners in this world: none was compared empty


def test_the_state_filter_is_the_same_above_the_in_list_limit(app, clock, year, monkeypatch):
    """Past IN_LIST_LIMIT learners the attempts of everyone are grouped and the
    learners not asked about left out."""
    members = _members(year)
    weeks = cell_rules.roster_weeks(year)
    asked = members[::2]
    expected = {s: [m.user.employee_no for m in _old_state_filtered(asked, weeks, None, s, clock.today())]
                for s in STATES}
    monkeypatch.setattr(in_list, "IN_LIST_LIMIT", 3)
    got = {s: [m.user.employee_no for m in state_filter.matching(asked, weeks, s, clock.today())] for s in STATES}
    assert got == expected


def test_the_roster_filtered_by_a_state_reads_the_same_statements_for_few_or_many(app, client, clock, year,
                                                                                make_user):
    """The page and its download: the statements do not grow with the learners."""
    sign_in(client, make_user(("trainer",), employee_no="trainer"))
    p = year
    urls = [f"/reports/roster?programme={p.id}&state={s}" for s in ("failed", "overdue", "not_started")] + \
           [f"/reports/export/roster.xlsx?programme={p.id}",
            f"/reports/export/roster.csv?programme={p.id}&state=failed"]
    client.get(urls[0])

    def count():
        out = {}
        for url in urls:
            with counting_statements() as statements:
                assert client.get(url).status_code == 200
            out[url] = len(statements)
        return out

    few = count()
    week_1 = year.items[0]
    for i in range(30, 90):  # 60 more learners, each with an attempt
        u = make_user(employee_no=f"R{i:02d}", position="teller")
        add_attempt(u, week_1, 40 + i % 60)
    assert count() == few


def test_the_roster_download_is_what_it_was_cell_for_cell(app, client, clock, year, make_user, monkeypatch):
    """The XLSX written a batch of learners at a time holds the same sheet as
    the workbook built from every row at once: the same headers, rows,
    columns' widths and styles, byte for byte; and so across batches."""
    monkeypatch.setattr(roster_rules, "EXPORT_BATCH", 7)  # 30 learners: five batches, the last one short
    sign_in(client, make_user(("trainer",), employee_no="trainer"))
    p = year
    response = client.get(f"/reports/export/roster.xlsx?programme={p.id}")
    assert response.status_code == 200 and response.mimetype == exports.XLSX
    assert response.headers["Content-Length"] == str(len(response.data))
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        from flask_login import login_user
        login_user(make_user(("trainer",), employee_no="trainer2"))
        weeks = cell_rules.roster_weeks(p)
        members = roster_members(p, None)
        headers, _rows = tables.roster_table(roster_rules.build(p, None, roster_rules.RosterFilter(), page=None))
        old = exports.to_xlsx("花名册", headers, _old_roster_rows(members, weeks, clock.today()))
    new_book = openpyxl.load_workbook(io.BytesIO(response.data))
    old_book = openpyxl.load_workbook(io.BytesIO(old))
    new_rows = [list(r) for r in new_book.active.iter_rows(values_only=True)]
    old_rows = [list(r) for r in old_book.active.iter_rows(values_only=True)]
    assert new_rows == old_rows and len(new_rows) == 31
    assert new_rows[0][:4] == ["工号", "姓名", "机构", "岗位"]

    def sheet(data):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return z.read("xl/worksheets/sheet1.xml"), z.read("xl/styles.xml")

    assert sheet(response.data) == sheet(old)


def test_the_roster_download_filtered_by_a_state_is_what_it_was(app, client, clock, year, make_user, monkeypatch):
    monkeypatch.setattr(roster_rules, "EXPORT_BATCH", 4)
    sign_in(client, make_user(("trainer",), employee_no="trainer", locale="en"))
    p = year
    weeks = cell_rules.roster_weeks(p)
    for state in ("failed", "overdue", "grading"):
        response = client.get(f"/reports/export/roster.csv?programme={p.id}&state={state}")
        numbers = [line.split(",", 1)[0] for line in response.get_data(as_text=True).splitlines()[1:]]
        old = _old_state_filtered(roster_members(p, None), weeks, None, state, clock.today())
        assert numbers == [m.user.employee_no for m in old] and numbers, state


def _cells_computed(monkeypatch) -> list[int]:
    """How many cells (learners × weeks) each call of ``cells_for`` computes."""
    calls: list[int] = []
    real = cell_rules.cells_for

    def counted(members, weeks, *args, **kwargs):
        calls.append(len(members) * len(weeks))
        return real(members, weeks, *args, **kwargs)

    monkeypatch.setattr(cell_rules, "cells_for", counted)
    return calls


def test_the_download_computes_a_batch_of_learners_at_a_time(app, client, clock, year, make_user, monkeypatch):
    """A year's roster (5,000 learners × 52 weeks) held whole took 500 MB: no
    call computes more than a batch's cells."""
    monkeypatch.setattr(roster_rules, "EXPORT_BATCH", 7)
    calls = _cells_computed(monkeypatch)
    sign_in(client, make_user(("trainer",), employee_no="trainer"))
    rows = openpyxl.load_workbook(io.BytesIO(client.get(f"/reports/export/roster.xlsx?programme={year.id}").data))
    assert rows.active.max_row == 31
    assert calls and max(calls) <= 7 * 6


def test_a_page_filtered_by_a_state_computes_only_the_cells_it_shows(app, client, clock, year, make_user,
                                                                     monkeypatch):
    monkeypatch.setattr(roster_rules, "PAGE_SIZE", 5)
    calls = _cells_computed(monkeypatch)
    sign_in(client, make_user(("trainer",), employee_no="trainer"))
    w3 = year.items[2]
    page = client.get(f"/reports/roster?programme={year.id}&week={w3.id}&state=not_started")
    assert page.status_code == 200
    assert sum(calls) <= 5 * 6  # the five rows shown × six weeks; no learner's week evaluated to filter
