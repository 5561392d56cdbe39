"""Quarterly warning education: a recurring requirement with its own audience
(every RM position rm_* and every mentor), one lesson set and one exam, due
each quarter; a pass counts for the quarter it was made in only."""
from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from lms.content.models import Programme, ProgrammeItem
from lms.content.source.checks import check
from lms.content.source.parser import parse_folder, parse_programme
from lms.extensions import db
from lms.programmes import audience as programme_audience
from lms.programmes import services
from lms.programmes.access import exam_access
from lms.programmes.record import training_record
from tests.conftest import sign_in
from tests.programmes.helpers import take

CONTENT = Path(__file__).resolve().parents[2] / "content"


def _quarterly(exam):
    p = Programme(slug="warning-quarterly", title="警示教育（季度必修）", recurring="quarterly",
                  audience_json=json.dumps({"any": [{"positions": ["rm_*"]}, {"roles": ["mentor"]}]}))
    p.items = [ProgrammeItem(key="quarterly", kind="quarterly", number=1, title="警示教育（季度必修）",
                             exam_id=exam.id, opens_on=date(2025, 10, 1), due_on=date(2025, 12, 31))]
    db.session.add(p)
    db.session.commit()
    return p


def test_the_file_format(english):
    text = ("id: wq\ntitle: 警示教育\nrecurring: quarterly\naudience:\n  - positions: [rm_*]\n  - roles: [mentor]\n"
            "start: 2026-10-01\nlessons: [warning-education/kickbacks]\nexam: exam-wq\n")
    parsed, problems = parse_programme(text, "programmes/wq.yaml")
    assert problems == []
    assert parsed.recurring == "quarterly"
    assert parsed.audience == {"any": [{"branches": [], "positions": ["rm_*"], "roles": []},
                                       {"branches": [], "positions": [], "roles": ["mentor"]}]}
    [item] = parsed.items
    assert (item.kind, item.opens_on, item.due_on, item.lessons) == (
        "quarterly", date(2026, 10, 1), date(2026, 12, 31), ["warning-education/kickbacks"])
    _, problems = parse_programme(text.replace("2026-10-01", "2026-10-05").replace("rm_*", "vp_*")
                                  + "weeks: []\n", "programmes/wq.yaml")
    messages = [(p.source.line, p.message) for p in problems]
    assert (7, "'start' of a quarterly requirement must be the first day of a quarter (2026-10-05 is not)") in messages
    assert any(line == 5 and "unknown position 'vp_*'" in m for line, m in messages)
    assert any(line == 10 and "weeks" in m for line, m in messages)
    _, problems = parse_programme(text.replace("quarterly", "monthly"), "programmes/wq.yaml")
    assert [(p.source.line, p.message) for p in problems] == [
        (3, "unknown recurring 'monthly' (expected one of: quarterly)")]


def test_the_shipped_requirement_checks(app):
    bundle = parse_folder(CONTENT)
    assert check(bundle, db_lookup=False) == []
    [warning] = [p for p in bundle.programmes if p.id == "warning-quarterly"]
    assert warning.recurring == "quarterly" and warning.items[0].exam_id == "exam-warning-quarterly"
    assert len(warning.items[0].lessons) == 5


def test_every_rm_and_every_mentor_each_quarter(client, clock, make_user, make_question, make_exam):
    exam = make_exam([{"questions": [make_question("single").slug]}], open_to_all=False, title="季度警示教育测验")
    p = _quarterly(exam)
    senior = make_user(("learner",), employee_no="RM1", position="rm_senior")
    mentor = make_user(("mentor", "learner"), employee_no="MT1", position="manager")
    teller = make_user(("learner",), employee_no="TL1", position="teller")
    assert [m.user.id for m in programme_audience.members(p)] == [mentor.id, senior.id]
    assert not exam_access(teller, exam).ok and exam_access(senior, exam).ok

    clock.freeze(datetime(2025, 11, 10, 2, 0))  # Q4 2025: passed
    take(senior, exam, clock)
    clock.freeze(datetime(2026, 3, 2, 1, 0))  # Q1 2026: the Q4 pass does not count
    quarters = services.programme_weeks(senior, p)
    assert [(w.opens_on, w.due_on, w.status) for w in quarters] == [
        (date(2025, 10, 1), date(2025, 12, 31), services.PASSED),
        (date(2026, 1, 1), date(2026, 3, 31), services.NOT_STARTED)]
    assert services.week_status(senior, p.items[0]).status == services.NOT_STARTED
    [overview] = services.this_week(senior)
    assert [w.opens_on for w in overview.current] == [date(2026, 1, 1)]
    sign_in(client, senior)
    home = client.get("/").text
    assert "警示教育（季度必修）" in home and "2026 年第 1 季度" in home and "每季度必修" in home

    take(senior, exam, clock)
    assert services.week_status(senior, p.items[0]).status == services.PASSED
    # The mentor missed Q4 and Q1: both overdue in the record once Q1 has ended.
    clock.freeze(datetime(2026, 4, 2, 1, 0))
    [record] = training_record(mentor)
    assert [w.label for w in record.overdue] == ["2025 年第 4 季度", "2026 年第 1 季度"]
    sign_in(client, mentor)
    page = client.get(f"/programmes/{p.id}").text
    assert page.count("本季度已结束") == 2 and page.count(f"/exams/{exam.id}?item=") == 1  # Q2 2026 only
    assert [w.status for w in training_record(senior)[0].weeks] == [services.PASSED] * 2 + [services.NOT_STARTED]


def test_a_quarterly_file_is_published(runner, folder, english):
    from sqlalchemy import select

    (folder / "programmes/wq.yaml").write_text(
        "id: wq\ntitle: 警示教育\nrecurring: quarterly\naudience:\n  - positions: [rm_*]\n  - roles: [mentor]\n"
        "start: 2026-07-01\nlessons: [products/deposits]\nexam: exam-week-01\n", encoding="utf-8")
    result = runner.invoke(args=["content", "publish"])
    assert result.exit_code == 0, result.output
    p = db.session.scalar(select(Programme).where(Programme.slug == "wq"))
    assert p.recurring == "quarterly" and not p.in_order
    assert [(i.kind, i.opens_on, i.due_on, [lesson.slug for lesson in i.lessons]) for i in p.items] == [
        ("quarterly", date(2026, 7, 1), date(2026, 9, 30), ["deposits"])]
    assert p.audience == {"any": [{"branches": [], "positions": ["rm_*"], "roles": []},
                                  {"branches": [], "positions": [], "roles": ["mentor"]}]}


def test_my_training_shows_the_quarter_not_zero_weeks(client, clock, make_user, make_question, make_exam):
    """我的培训 and the requirement's page counted weeks for a quarterly
    requirement: 已通过 0 · 截至本周应完成 0 · 计划总周数 0, beside a quarter
    passed. They say 每季度必修 and where this quarter stands."""
    import re

    exam = make_exam([{"questions": [make_question("single").slug]}], open_to_all=False, title="季度警示教育测验")
    p = _quarterly(exam)
    senior = make_user(("learner",), employee_no="RM1", position="rm_senior")
    clock.freeze(datetime(2025, 11, 10, 2, 0))
    take(senior, exam, clock)
    sign_in(client, senior)
    mine = client.get("/programmes/").text
    block = re.search(rf'<a href="/programmes/{p.id}">.*?</div>', mine, re.S).group(0)
    assert "计划总周数" not in block and "每季度必修" in block
    assert re.search(r"2025 年第 4 季度\s*<span class=\"badge ok\">已通过</span>", block), block
    page = client.get(f"/programmes/{p.id}").text
    assert "计划总周数" not in page and "每季度必修；当季通过只计入当季。" in page
