"""The branch manager's home panel and menu; the demo's roster has failed
learners in 天元支行's week 3."""
from __future__ import annotations

from tests.conftest import sign_in
from tests.reports.helpers import add_attempt, make_programme
from tests.reports.test_roster_pages import bank  # noqa: F401  (fixture)


def test_branch_manager_home_shows_this_weeks_completion_and_overdue(client, bank, make_user):  # noqa: F811
    manager = make_user(("branch_manager",), employee_no="manager", branch=bank["tianyuan"])
    sign_in(client, manager)
    home = client.get("/").text
    panel = home.split('id="branch-manager-panel"', 1)[1].split("</section>", 1)[0]
    assert "天元支行" in panel
    assert "第 3 周：3 人中 1 人已通过" in panel and "33.3%" in panel
    # T1, T2, T3 all missed week 2 (due yesterday).
    assert '<div class="stat error"><a href="/reports/overdue?programme=%d">3</a></div>' % bank["programme"].id in panel
    nav = home.split('class="mainnav"', 1)[1].split("</nav>", 1)[0]
    assert "/reports/roster" in nav and "/reports/rankings" in nav


def test_each_figure_of_the_branch_managers_panel_opens_the_rows_it_counts(client, bank, make_user):  # noqa: F811
    """Monday morning: "3 人中 1 人已通过" opens the roster of this week's passes, and the overdue count
    the overdue list, both within the manager's branches — the same people the figures count."""
    import re

    from tests.reports.test_roster_pages import _rows

    manager = make_user(("branch_manager",), employee_no="manager", branch=bank["tianyuan"])
    sign_in(client, manager)
    panel = client.get("/").text.split('id="branch-manager-panel"', 1)[1].split("</section>", 1)[0]
    p, w3 = bank["programme"], bank["weeks"][2]
    passed = f"/reports/roster?programme={p.id}&amp;week={w3.id}&amp;state=passed"
    assert f'<div class="stat"><a href="{passed}">33.3%</a></div>' in panel
    assert _rows(client.get(passed.replace("&amp;", "&")).text) == ["T2"]
    overdue = f"/reports/overdue?programme={p.id}"
    assert f'<div class="stat error"><a href="{overdue}">3</a></div>' in panel
    listed = client.get(overdue).text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert sorted(set(re.findall(r">(T\d)<", listed))) == ["T1", "T2", "T3"]


def test_learners_have_no_report_menu(client, clock, make_user):
    sign_in(client, make_user(("learner",), employee_no="l"))
    assert "/reports/" not in client.get("/").text


def test_the_demo_roster_shows_failed_learners_in_tianyuan_week_3(app, runner, clock):
    from sqlalchemy import select

    from lms.content.models import Programme
    from lms.extensions import db
    from lms.org.models import Branch
    from lms.reports import roster as reports

    result = runner.invoke(args=["demo", "--password", "demo-pass-2024"])
    assert result.exit_code == 0, result.output
    programme = db.session.scalar(select(Programme).where(Programme.slug == "rm-foundation"))
    tianyuan = db.session.scalar(select(Branch).where(Branch.name == "天元支行"))
    week3 = next(w for w in programme.items if w.kind == "week" and w.number == 3)
    flt = reports.RosterFilter(branch_ids=tianyuan.subtree_ids(), week_id=week3.id, state="failed")
    roster = reports.build(programme, None, flt)
    assert roster.total >= 2
    assert all(roster.cells[m.user.id][week3.id].status == "failed" for m in roster.rows)


def test_a_quarterly_requirement_shows_this_quarters_passes_not_no_week_open(client, bank, make_user):  # noqa: F811
    """警示教育 is due every quarter and has no weeks: the branch manager's panel said "今天没有开放
    的培训周" (and 0 overdue) all quarter long, while each learner's 本周培训 shows it open until
    the quarter's end. It now counts who has passed it this quarter."""
    warning = _warning_education()
    make_user(employee_no="T4", name="赵敏", branch=bank["tianyuan"], position="rm_senior")
    add_attempt(bank["people"]["T2"], warning.items[0], 90)  # passed in this quarter (2026 Q1)
    manager = make_user(("branch_manager",), employee_no="manager", branch=bank["tianyuan"])
    sign_in(client, manager)

    panel = client.get("/").text.split('id="branch-manager-panel"', 1)[1].split("</section>", 1)[0]
    block = panel.split("警示教育（季度必修）", 1)[1]
    assert "本季度（2026 年第 1 季度）：2 人中 1 人已通过" in block and "50%" in block
    passed = f"/reports/roster?programme={warning.id}&amp;quarter=2026-Q1&amp;state=passed"
    assert f'<a href="{passed}">50%</a>' in block
    from tests.reports.test_roster_pages import _rows
    assert _rows(client.get(passed.replace("&amp;", "&")).text) == ["T2"]
    assert "今天没有开放的培训周" not in block


def _warning_education():
    """A quarterly requirement for every RM, its window this quarter (the tests' clock: 2026 Q1)."""
    import json
    from datetime import date

    from lms.content.models import Exam, Programme, ProgrammeItem
    from lms.extensions import db

    exam = Exam(slug="exam-warning", title="季度警示教育测验", draw_json="[]", pass_mark=80.0, max_attempts=None,
                open_to_all=False)
    db.session.add(exam)
    db.session.flush()
    warning = Programme(slug="warning-quarterly", title="警示教育（季度必修）", recurring="quarterly",
                        audience_json=json.dumps({"positions": ["rm_*"]}))
    warning.items = [ProgrammeItem(key="quarterly", kind="quarterly", number=1, title="警示教育（季度必修）",
                                   exam_id=exam.id, opens_on=date(2026, 1, 1), due_on=date(2026, 3, 31))]
    db.session.add(warning)
    db.session.commit()
    return warning


def test_the_reports_of_a_quarterly_requirement_say_where_its_quarters_are(client, bank, make_user):  # noqa: F811
    """The roster of 警示教育 listed its people under no column at all (it has no weeks). The
    roster and the overdue list now have its quarters (tests/reports/test_quarterly_reports.py)
    and say what a quarter's cell means; the totals and rankings count quarters
    (tests/reports/test_quarterly_totals.py) and say what a quarter done and missed are."""
    warning = _warning_education()
    add_attempt(bank["people"]["T2"], warning.items[0], 90)
    sign_in(client, make_user(("hr",), employee_no="hr"))
    for page in ("totals", "rankings"):
        html = client.get(f"/reports/{page}?programme={warning.id}").text
        assert 'id="quarterly-units"' in html and "逾期名单" in html, page
        assert 'id="quarterly-units"' not in client.get(f"/reports/{page}?programme={bank['programme'].id}").text
    for page in ("roster", "overdue"):
        html = client.get(f"/reports/{page}?programme={warning.id}").text
        assert 'id="quarterly-columns"' in html and "季度最后一天前完成" in html, page
        assert 'id="quarterly-columns"' not in client.get(f"/reports/{page}?programme={bank['programme'].id}").text
    record = client.get(f"/reports/people/{bank['people']['T2'].id}").text
    assert "警示教育（季度必修）" in record and "2026 年第 1 季度" in record


def test_a_persons_report_names_each_quarter_with_its_own_due_date(client, bank, make_user, clock):  # noqa: F811
    """A quarterly requirement's rows on /reports/people/<id> all read 警示教育（季度必修） with the
    first quarter's due date, the missed quarter and the passed one told apart by nothing but
    the badge; each row now names its quarter and its own last day."""
    from datetime import datetime

    from tests.test_labels import visible_text

    warning = _warning_education()
    clock.freeze(datetime(2026, 5, 6, 2, 0))  # 2026 Q2: Q1 was missed
    add_attempt(bank["people"]["T2"], warning.items[0], 90, at=datetime(2026, 5, 5, 2, 0))
    sign_in(client, make_user(("hr",), employee_no="hr"))
    record = client.get(f"/reports/people/{bank['people']['T2'].id}").text
    section = visible_text(record.split("警示教育（季度必修）</h2>", 1)[1].split("</section>", 1)[0])
    assert "2026 年第 1 季度 2026-03-31 · 已逾期" in section
    assert "2026 年第 2 季度 2026-06-30 已通过" in section
