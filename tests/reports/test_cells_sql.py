"""The roster's download and the overdue list decide their cells from the database's sums per
learner and exam (``lms.reports.cells_sql``): a year's roster of 20,000 learners read every
attempt into Python and took ~90 s of CPU, past a worker's 60 s. The cells are the page's
(``cells.cells_for``) in every case: passes, retakes, failures, papers waiting for grading,
attempts open now and long expired, an exam scored by its latest attempt, catch-up, weeks not
open yet, and a passed and a failed attempt with the same best percent (the pass mark changed
between them: the earliest decides)."""
from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from lms.extensions import db
from lms.reports import cells as cell_rules, cells_sql
from tests.reports.helpers import add_attempt
from tests.reports.test_roster_year_scale import _members, year  # noqa: F401  (fixture)
from tests.statements import counting_statements


def test_the_sums_give_the_cells_of_the_attempts(app, clock, year, make_user):  # noqa: F811
    week_1 = year.items[0]
    tie = make_user(employee_no="R90", name="同分", position="teller")
    failed = add_attempt(tie, week_1, 80)  # failed under the pass mark of then (85) ...
    failed.passed, failed.pass_mark = False, 85.0
    add_attempt(tie, week_1, 80)  # ... and passed at the same percent after it was lowered to 80
    later = make_user(employee_no="R91", name="后来", position="teller")
    add_attempt(later, week_1, 80)
    later_failed = add_attempt(later, week_1, 80)
    later_failed.passed = False  # the earliest of equals (passed) decides
    db.session.commit()

    members = _members(year, late=("R03", "R10"))
    weeks = cell_rules.roster_weeks(year)
    today = clock.today()
    expected = cell_rules.cells_for(members, weeks, today)
    with counting_statements() as statements:
        got = cells_sql.cells_for(members, weeks, today)
    # The sums (the ties decided in them), the attempts of the exam scored by its latest attempt,
    # and (papers wait for a trainer in this world) whether each waiting paper's fail is already
    # certain (``lms.reports.waiting``). The rest reloads what the counting expired: the weeks and
    # people, which a page has loaded already.
    assert len([s for s in statements if "FROM attempt" in s]) == 3
    assert {u: {w: asdict(c) for w, c in row.items()} for u, row in got.items()} == \
           {u: {w: asdict(c) for w, c in row.items()} for u, row in expected.items()}
    assert got[tie.id][week_1.id].status == "failed" and got[later.id][week_1.id].status == "passed"
    statuses = {c.status for row in got.values() for c in row.values()}
    assert statuses == {"passed", "failed", "in_progress", "grading", "not_started", "not_open"}
    assert any(c.catch_up for row in got.values() for c in row.values())


def test_the_roster_download_and_overdue_list_agree_with_the_page(app, client, clock, year, make_user):  # noqa: F811
    """Every learner's row of the download is their row on the page; every overdue line is an
    overdue cell of the page."""
    import csv
    import io
    import re

    from tests.conftest import sign_in
    from tests.test_labels import visible_text

    clock.advance(timedelta(days=3))
    sign_in(client, make_user(("trainer",), employee_no="trainer"))
    p = year
    rows = list(csv.reader(io.StringIO(
        client.get(f"/reports/export/roster.csv?programme={p.id}").data.decode("utf-8-sig"))))
    html = client.get(f"/reports/roster?programme={p.id}").text
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    page = {}
    for row in body.split("<tr>")[1:]:
        # A week not open yet shows "—" with its words in the title.
        cells = [m.group(1) if (m := re.search(r'class="muted" title="([^"]+)"', c)) else visible_text(c).strip()
                 for c in re.split(r"<td[^>]*>", row)[1:]]
        page[cells[0]] = cells
    assert len(page) == len(rows) - 1 == 30
    for r in rows[1:]:
        assert page[r[0]][4:] == r[4:], r[0]
    overdue = list(csv.reader(io.StringIO(
        client.get(f"/reports/export/overdue.csv?programme={p.id}").data.decode("utf-8-sig"))))
    late = sorted((r[0], r[4]) for r in overdue[1:])
    week_headers = rows[0][4:]
    from_page = sorted((no, week_headers[i].replace("第 ", "").replace(" 周", ""))
                       for no, cells in page.items() for i, text in enumerate(cells[4:]) if text.startswith("逾期"))
    assert [no for no, _w in late] == [no for no, _w in from_page] and late


def test_batches_sharing_their_cells_give_the_cells_of_the_attempts(app, clock, year, monkeypatch):  # noqa: F811
    """A download's batches share the cells made (``cells_sql.Made``); past ``KEPT`` distinct
    sums it starts afresh between batches: the cells are the page's either way."""
    members = _members(year, late=("R03", "R10"))
    weeks = cell_rules.roster_weeks(year)
    today = clock.today()
    expected = {u: {w: asdict(c) for w, c in row.items()} for u, row in cell_rules.cells_for(members, weeks,
                                                                                              today).items()}
    for kept in (50_000, 3):
        monkeypatch.setattr(cells_sql, "KEPT", kept)
        made, got = cells_sql.Made(), {}
        for start in range(0, len(members), 4):
            got.update(cells_sql.cells_for(members[start:start + 4], weeks, today, made))
        assert {u: {w: asdict(c) for w, c in row.items()} for u, row in got.items()} == expected, kept
        assert len(made.sums) <= kept + 4 * len(weeks)
