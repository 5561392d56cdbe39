"""HR's downloads of a whole bank: the roster and the overdue list decide their cells from the
database's sums (``cells_sql``), a batch of learners at a time, and the CSV is sent as its rows
are made. What they say must be what the old way said — every cell worked out in Python from
every attempt (``cells.cells_for``), the overdue lines collected and then sorted (the reference
below is that code, kept here) — on a mixed organisation: retakes, papers waiting for grading,
attempts open now and long expired, weeks a trainer moved after people took them, a quarterly
requirement, leavers, and people who moved into the programme's branches during the year
(catch-up weeks from the day they moved)."""
from __future__ import annotations

import csv
import io
import random
from dataclasses import asdict
from datetime import date, datetime, timedelta

import pytest

from lms import clock as lms_clock
from lms.audit import services as audit
from lms.database import transaction
from lms.exams.models import Attempt
from lms.extensions import db
from lms.reports import cells as cell_rules, cells_sql, exports, roster as roster_rules
from lms.reports.labels import cell_text
from lms.reports.members import roster_members
from tests.conftest import sign_in
from tests.reports.helpers import make_programme
from tests.reports.test_panel_and_demo import _warning_education

TODAY = datetime(2026, 4, 22, 3, 0)  # UTC: 11:00 on 22 April in the bank, week 14 of 16, 2026 Q2
START = date(2026, 1, 19)


def _old_overdue(programme, members, weeks, today, state=""):
    """The overdue list before: every cell from the attempts, the lines collected, then sorted."""
    cells = roster_rules._cells(programme, members, weeks, today)  # not ``many``: the cells of cells.py
    out = [roster_rules.Overdue(member=m, week=w, cell=cells[m.user.id][w.id], days=(today - w.due_on).days)
           for m in members for w in weeks if cells[m.user.id][w.id].overdue]
    if state:
        out = [o for o in out if o.cell.matches(state)]
    out.sort(key=lambda o: (-o.days, o.member.user.branch.code if o.member.user.branch else "",
                            o.member.user.employee_no))
    return out


def _lines(items) -> list[tuple]:
    return [(o.member.user.employee_no, o.week.id, o.days, asdict(o.cell)) for o in items]


def _attempt(user, item, number, percent, at, state="finalised"):
    """``helpers.add_attempt`` without its query and commit per attempt (hundreds here)."""
    finalised = state == "finalised"
    db.session.add(Attempt(
        exam_id=item.exam_id, user_id=user.id, programme_item_id=item.id, number=number, seed=1, state=state,
        started_at=at, deadline=at + timedelta(minutes=30), submitted_at=at + timedelta(minutes=10) if state != "open"
        else None, finalised_at=at + timedelta(minutes=10) if finalised else None,
        end_reason="submitted" if state != "open" else "", score=percent, max_score=100.0,
        percent=percent if finalised else None, passed=percent >= 80.0 if finalised else None, pass_mark=80.0))


@pytest.fixture
def mixed(app, clock, make_user, make_branch, monkeypatch):
    """A city (two sub-branches) and a branch outside it; 16 weekly exams for the city's RMs;
    36 people: retakes, grading, open and expired attempts, leavers (with attempts), people
    moved into the city in week 5 and week 9, weeks 2 and 6 moved after people took them, a
    quarterly requirement taken in some quarters. Batches of 7 learners (many batches)."""
    monkeypatch.setattr(roster_rules, "EXPORT_BATCH", 7)
    rng = random.Random(20261202)
    city = make_branch("ZZ01", "株洲分行")
    subs = [make_branch("ZZ0101", "天元支行", parent=city), make_branch("ZZ0102", "芦淞支行", parent=city)]
    outside = make_branch("XX01", "湘潭分行")
    clock.freeze(datetime.combine(START, datetime.min.time()))
    weekly = make_programme(16, audience={"branches": ["ZZ01"], "positions": ["rm_*"]}, start=START)
    weekly.items[3].exam.scoring = "latest"
    warning = _warning_education()
    db.session.commit()
    people, movers, warning_tries = [], {}, {}
    for i in range(36):
        moved = i % 9 == 4
        user = make_user(employee_no=f"M{i:03d}", name=f"学员{i}", branch=outside if moved else subs[i % 2],
                         position=("rm_junior", "rm_senior", "teller")[i % 3] if i % 11 else "rm_intermediate",
                         position_start=date(2025, 6, 1))
        people.append(user)
        if moved:
            movers[user.id] = 5 if i % 2 else 9
    for week in range(1, 15):
        day = datetime.combine(START + timedelta(days=7 * (week - 1)), datetime.min.time())
        clock.freeze(day + timedelta(hours=1))
        for user in people:
            if movers.get(user.id) == week:  # moved into the city this week: earlier weeks are catch-up
                old = user.branch
                user.branch = subs[user.id % 2]
                with transaction(immediate=True):
                    audit.record("user.updated", user, actor=audit.SYSTEM,
                                 branch={"before": old.code, "after": user.branch.code})
        item = weekly.items[week - 1]
        for user in people:
            tries = rng.choice((0, 0, 1, 1, 1, 2, 3))
            for number in range(1, tries + 1):
                _attempt(user, item, number, rng.choice((40, 70, 80, 80, 95)), day + timedelta(hours=rng.randint(2, 90)))
            if week >= 13 and rng.random() < 0.15:
                _attempt(user, item, tries + 1, None, TODAY - timedelta(minutes=rng.choice((5, 300))),
                         state=rng.choice(("grading", "open")))
        if week % 6 == 1:
            for user in people[::4]:
                warning_tries[user.id] = warning_tries.get(user.id, 0) + 1
                _attempt(user, warning.items[0], warning_tries[user.id], rng.choice((60, 90)), day + timedelta(hours=5))
        db.session.commit()
    # A trainer moves week 2 a week later (onto week 3's dates) and week 6 three days earlier,
    # after people took them.
    for n, shift in ((2, 7), (6, -3)):
        item = weekly.items[n - 1]
        item.opens_on, item.due_on = item.opens_on + timedelta(days=shift), item.due_on + timedelta(days=shift)
    # Leavers: left the bank with their attempts kept.
    for user in people[7::10]:
        user.active = False
    db.session.commit()
    clock.freeze(TODAY)
    return weekly, warning, people


def test_the_sums_give_the_cells_of_the_attempts_on_a_mixed_year(app, mixed):
    weekly, _warning, _people = mixed
    today = lms_clock.today()
    members = roster_members(weekly, None)
    weeks = cell_rules.roster_weeks(weekly)
    assert len(members) > 18 and any(m.enrolled_on > START for m in members)  # the movers came in later
    expected = cell_rules.cells_for(members, weeks, today)
    got = cells_sql.cells_for(members, weeks, today)
    assert {u: {w: asdict(c) for w, c in row.items()} for u, row in got.items()} == \
           {u: {w: asdict(c) for w, c in row.items()} for u, row in expected.items()}
    every = [c for row in got.values() for c in row.values()]
    assert {c.status for c in every} >= {"passed", "failed", "not_started", "not_open", "grading"}
    assert any(c.catch_up for c in every) and any(c.overdue for c in every)


def test_the_overdue_list_is_the_old_list_line_by_line(app, mixed):
    weekly, warning, _people = mixed
    today = lms_clock.today()
    for programme, state in [(p, s) for p in (weekly, warning) for s in ("", "failed", "not_started")]:
        flt = roster_rules.RosterFilter(state=state)
        members = roster_members(programme, None)
        weeks = [w for w in roster_rules.columns(programme, today) if w.due_on < today]
        old = _lines(_old_overdue(programme, members, weeks, today, state))
        assert _lines(roster_rules.overdue_lines(programme, None, flt, today)) == old
        assert _lines(roster_rules.overdue(programme, None, flt, today)) == old
        assert len(old) > (0 if state else 10), (programme.title, state)
    # Week 2 was moved onto week 3's dates: two weeks due the same day, each learner's in the
    # programme's order, as the old (stable) sort left them.
    assert weekly.items[1].due_on == weekly.items[2].due_on


def test_the_csv_downloads_are_the_old_rows_and_are_streamed(app, client, mixed, make_user, monkeypatch):
    weekly, warning, _people = mixed
    monkeypatch.setattr(exports, "CSV_BLOCK", 5)
    sign_in(client, make_user(("hr",), employee_no="hr"))
    today = lms_clock.today()
    for programme in (weekly, warning):
        members = roster_members(programme, None)
        weeks = roster_rules.columns(programme, today)
        cells = roster_rules._cells(programme, members, weeks, today)
        response = client.get(f"/reports/export/roster.csv?programme={programme.id}")
        # Sent in blocks as the rows were made (no length known before), not one body made first.
        assert response.status_code == 200 and "Content-Length" not in response.headers
        assert len(response.response) > 2
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        assert [r[0] for r in rows[1:]] == [m.user.employee_no for m in members]
        assert [r[4:] for r in rows[1:]] == [[cell_text(cells[m.user.id][w.id]) for w in weeks] for m in members]

        due = [w for w in weeks if w.due_on < today]
        old = _old_overdue(programme, members, due, today)
        response = client.get(f"/reports/export/overdue.csv?programme={programme.id}")
        assert response.status_code == 200 and "Content-Length" not in response.headers
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        assert [(r[0], r[4], r[6], r[7]) for r in rows[1:]] == \
               [(o.member.user.employee_no, o.week.title, str(o.days), cell_text(o.cell)) for o in old]
        assert len(rows) > 20


def test_a_download_outside_the_managers_branches_is_refused_before_any_byte(app, client, mixed, make_user):
    """The scope is checked in the view, before the streamed body: a 404, not a 200 that breaks."""
    weekly, _warning, people = mixed
    from lms.org.models import Branch

    tianyuan = db.session.query(Branch).filter_by(code="ZZ0101").one()
    outside = db.session.query(Branch).filter_by(code="XX01").one()
    manager = make_user(("branch_manager",), employee_no="mgr", branch=tianyuan)
    sign_in(client, manager)
    for table in ("roster", "overdue"):
        response = client.get(f"/reports/export/{table}.csv?programme={weekly.id}&branch={outside.id}")
        assert response.status_code == 404
        response = client.get(f"/reports/export/{table}.csv?programme={weekly.id}")
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        assert rows[1:] and {r[2] for r in rows[1:]} == {"天元支行"}


def test_an_xlsx_a_worker_could_not_finish_is_not_offered(app, client, mixed, make_user, monkeypatch):
    """The year's roster as XLSX at 20,000 people outlasted gunicorn's 60 s (the worker killed, a
    broken file). Above ``XLSX_MAX_CELLS`` the page says so before HR presses, offers CSV and a
    narrower filter; the XLSX address itself (kept from before) goes back to the page saying so."""
    weekly, _warning, _people = mixed
    from lms.org.models import Branch

    members = roster_members(weekly, None)
    whole = len(members) * (4 + len(cell_rules.roster_weeks(weekly)))
    monkeypatch.setattr(exports, "XLSX_MAX_CELLS", whole - 1)
    sign_in(client, make_user(("hr",), employee_no="hr", locale="en"))
    html = client.get(f"/reports/roster?programme={weekly.id}").text
    assert 'id="xlsx-too-large"' in html and "/reports/export/roster.xlsx" not in html
    assert f"Too large for XLSX (about {whole:,} cells)" in html and "/reports/export/roster.csv" in html
    response = client.get(f"/reports/export/roster.xlsx?programme={weekly.id}")
    assert response.status_code == 302 and f"/reports/roster?programme={weekly.id}" in response.location
    assert "Too large for XLSX" in client.get(response.location).text

    branch = db.session.query(Branch).filter_by(code="ZZ0101").one()
    html = client.get(f"/reports/roster?programme={weekly.id}&branch={branch.id}").text
    assert 'id="xlsx-too-large"' not in html and "/reports/export/roster.xlsx" in html
    response = client.get(f"/reports/export/roster.xlsx?programme={weekly.id}&branch={branch.id}")
    assert response.status_code == 200 and response.mimetype == exports.XLSX

    lines = len(roster_rules.overdue(weekly, None, roster_rules.RosterFilter()))
    monkeypatch.setattr(exports, "XLSX_MAX_CELLS", lines * 8 - 1)
    html = client.get(f"/reports/overdue?programme={weekly.id}").text
    assert 'id="xlsx-too-large"' in html and "/reports/export/overdue.xlsx" not in html
    assert client.get(f"/reports/export/overdue.xlsx?programme={weekly.id}").status_code == 302
    monkeypatch.setattr(exports, "XLSX_MAX_CELLS", lines * 8)
    assert client.get(f"/reports/export/overdue.xlsx?programme={weekly.id}").status_code == 200
