"""New programme and exam files from the browser, the writer's round trip
(comments and keys the form does not manage survive), and path tricks."""
from __future__ import annotations

import os
from datetime import date, timedelta

from sqlalchemy import select

from lms.content.models import Exam, Programme
from lms.extensions import db
from lms.schedule import writer
from tests.content.console_samples import trainer  # noqa: F401
from tests.schedule.samples import schedule_dir, this_monday  # noqa: F401
from tests.schedule.test_schedule_programme import fields_of, review_and_publish


def test_trainer_creates_a_programme(client, schedule_dir, trainer, make_branch):
    make_branch("ZZ0101", "天元支行")
    page = client.get("/console/schedule/new-programme")
    assert page.status_code == 200 and 'name="id"' in page.text
    assert '<option value="ZZ0101">天元支行</option>' in page.text
    assert 'value="rm_junior"> <label for="positions-2">初级客户经理</label>' in page.text.replace("\n", "") or \
        "初级客户经理" in page.text
    start = this_monday() + timedelta(days=14)
    data = fields_of(page.text) | {
        "id": "warning-2027q1", "title": "2027 年一季度警示教育", "summary": "每季度必修。", "start": start.isoformat(),
        "branches": ["ZZ0101"], "positions": ["rm_junior", "rm_senior"], "roles": ["learner", "mentor"],
        "weeks-0-title": "警示教育：收受回扣", "weeks-0-lessons": ["products/deposits"], "weeks-0-exam": "exam-week-01"}
    added = client.post("/console/schedule/new-programme", data=data | {"action": "add-week"})
    assert added.status_code == 200 and 'id="week-row-2"' in added.text
    data = fields_of(added.text) | {"weeks-1-title": "警示教育：飞单", "weeks-1-lessons": ["products/loans"],
                                    "weeks-1-exam": "exam-week-02"}
    reviewed, published = review_and_publish(client, data, url="/console/schedule/new-programme")
    assert "+id: warning-2027q1" in reviewed.text and 'id="calendar-week-2"' in reviewed.text
    assert published.status_code == 302, published.text
    assert published.headers["Location"].endswith("/console/programmes/warning-2027q1")
    text = (schedule_dir / "programmes" / "warning-2027q1.yaml").read_text(encoding="utf-8")
    assert text == f"""id: warning-2027q1
title: 2027 年一季度警示教育
summary: 每季度必修。
audience:
  branches: [ZZ0101]
  positions: [rm_junior, rm_senior]
  roles: [learner, mentor]
start: {start.isoformat()}
weeks:
  - title: 警示教育：收受回扣
    lessons: [products/deposits]
    exam: exam-week-01
  - title: 警示教育：飞单
    lessons: [products/loans]
    exam: exam-week-02
"""
    programme = db.session.scalar(select(Programme).where(Programme.slug == "warning-2027q1"))
    assert programme is not None and len(programme.items) == 2
    assert programme.items[1].opens_on == start + timedelta(days=7)


def test_a_new_file_may_not_take_an_id_or_a_path(client, schedule_dir, trainer):
    before = sorted(p.name for p in (schedule_dir / "programmes").iterdir())
    base = fields_of(client.get("/console/schedule/new-programme").text) | {
        "title": "x", "weeks-0-title": "w", "weeks-0-exam": "exam-week-01", "action": "review"}
    for bad in ("rm-foundation", "../courses/products/x", "a/b", "..", "Programme", "x.yaml", "", "a" * 81):
        response = client.post("/console/schedule/new-programme", data=base | {"id": bad})
        assert response.status_code == 422, bad
        assert '<a href="#id">编号</a>' in response.text, bad
    # Adding a week to a new programme named like an existing one stays a new file (and says the id is taken).
    response = client.post("/console/schedule/new-programme", data=base | {"id": "rm-foundation", "action": "add-week"})
    assert 'action="/console/schedule/new-programme"' in response.text and "该编号已被使用" in response.text
    assert sorted(p.name for p in (schedule_dir / "programmes").iterdir()) == before
    exam_base = fields_of(client.get("/console/schedule/new-exam").text) | {"title": "x", "action": "review"}
    response = client.post("/console/schedule/new-exam", data=exam_base | {"id": "exam-week-01"})
    assert response.status_code == 422  # the id of week-01.yaml


def test_path_tricks_are_refused(client, schedule_dir, trainer, tmp_path):
    for url in ("/console/schedule/programmes/..%2Fexams%2Fweek-01", "/console/schedule/programmes/x.yaml",
                "/console/schedule/exams/..", "/console/schedule/exams/missing", "/console/schedule/files/course/x",
                "/console/schedule/files/exam/nope", "/console/schedule/programmes/%2Fetc%2Fpasswd"):
        assert client.get(url).status_code == 404, url
    outside = tmp_path / "outside.yaml"
    outside.write_text("id: outside\ntitle: 外部\n", encoding="utf-8")
    os.symlink(outside, schedule_dir / "programmes" / "linked.yaml")
    assert client.get("/console/schedule/programmes/linked").status_code == 404
    response = client.post("/console/schedule/programmes/linked", data={"title": "x", "action": "publish"})
    assert response.status_code == 404 and outside.read_text(encoding="utf-8") == "id: outside\ntitle: 外部\n"
    # A link elsewhere in the tree: the check refuses it, nothing is published.
    os.unlink(schedule_dir / "programmes" / "linked.yaml")
    os.symlink(outside, schedule_dir / "exams" / "linked.yaml")
    data = fields_of(client.get("/console/schedule/programmes/rm-foundation").text) | {"title": "改名"}
    response = client.post("/console/schedule/programmes/rm-foundation", data=data | {"action": "review"})
    assert response.status_code == 422 and "exams/linked.yaml" in response.text
    # The exams folder itself a link: nothing in it opens.
    os.unlink(schedule_dir / "exams" / "linked.yaml")
    real = schedule_dir / "exams"
    os.rename(real, tmp_path / "exams-elsewhere")
    os.symlink(tmp_path / "exams-elsewhere", real)
    assert client.get("/console/schedule/exams/week-01").status_code == 404
    assert db.session.scalar(select(Exam.title).where(Exam.slug == "exam-week-01")) == "第 1 周测验"


def test_the_console_pages_link_to_the_forms(client, schedule_dir, trainer):
    page = client.get("/console/programmes/rm-foundation").text
    assert 'href="/console/schedule/files/programme/rm-foundation"' in page
    assert client.get("/console/schedule/files/programme/rm-foundation").headers["Location"].endswith(
        "/console/schedule/programmes/rm-foundation")
    assert client.get("/console/schedule/files/exam/exam-week-03").headers["Location"].endswith(
        "/console/schedule/exams/week-03")
    assert 'href="/console/schedule/new-programme"' in client.get("/console/programmes").text
    assert 'href="/console/schedule/new-exam"' in client.get("/console/exams").text


PROGRAMME = """# 季度警示教育
id: warning
title: 警示教育
kind: quarterly     # H1's recurring kind
in_order: true      # H1's key: week N opens when week N-1 is passed
audience:
  branches: []
  positions: [rm_junior]
  roles: [learner]
  people: [E2001]   # individuals HR adds
start: 2027-01-04
weeks:
  # 第一周
  - title: 第 1 周
    lessons: [a/b]
    exam: e1
    note: 保留  # a week's own note
  - title: 第 2 周
    lessons:
      - a/c
      - a/d
    exam: e2
"""


def test_the_writer_keeps_comments_and_keys_it_does_not_manage():
    values = {"title": "警示教育（新）", "summary": "", "start": date(2027, 1, 11),
              "audience": {"branches": ["ZZ01"], "positions": ["rm_junior"], "roles": ["learner"]},
              "weeks": [{"origin": 1, "title": "第 2 周", "lessons": ["a/c"], "exam": "e2", "opens": None,
                         "due": date(2027, 1, 24)},
                        {"origin": 0, "title": "第 1 周", "lessons": ["a/b"], "exam": "e1", "opens": None, "due": None},
                        {"origin": None, "title": "第 3 周", "lessons": [], "exam": "e3", "opens": None, "due": None}],
              "bulletins": []}
    text = writer.write_programme(PROGRAMME, values)
    for kept in ("# 季度警示教育\n", "kind: quarterly     # H1's recurring kind\n",
                 "in_order: true      # H1's key: week N opens when week N-1 is passed\n",
                 "  people: [E2001]   # individuals HR adds\n", "    note: 保留  # a week's own note\n"):
        assert kept in text, kept
    assert "title: 警示教育（新）\n" in text and "start: 2027-01-11\n" in text and "branches: [ZZ01]" in text
    weeks = text.split("weeks:\n")[1]
    assert weeks.index("第 2 周") < weeks.index("第 1 周") < weeks.index("第 3 周")
    assert "    due: 2027-01-24\n" in weeks and "    lessons:\n      - a/c\n" in weeks  # a block list stays a block
    assert "  - title: 第 3 周\n    lessons: []\n    exam: e3\n" in weeks
    assert writer.load(text)["weeks"][1]["note"] == "保留"


def test_the_writer_adds_no_default_it_was_not_given():
    text = "id: e\ntitle: 测验\ndraw:\n  - {count: 2}\n"
    values = {"title": "测验", "course": "", "time_limit": 30, "pass_mark": 60.0, "attempts": None, "cooldown": 0,
              "shuffle_options": True, "layout": "one_page", "review": "after_submit", "scoring": "best",
              "partial_credit": False, "open_to_all": False, "focus_loss_limit": None, "closes_at": None,
              "draw": [{"origin": 0, "count": 2, "questions": []}]}
    assert writer.write_exam(text, values) == text
    changed = writer.write_exam(text, values | {"pass_mark": 80.0, "closes_at": "2027-03-31 18:00"})
    assert changed == "id: e\ntitle: 测验\npass_mark: 80\ncloses_at: 2027-03-31 18:00\ndraw:\n  - {count: 2}\n"


def test_a_week_without_dates_follows_the_week_before(app):
    from lms.content.source.parser import parse_programme

    text = """id: p
title: 计划
start: 2027-01-04
weeks:
  - {title: 第 1 周, exam: e1}
  - {title: 第 2 周, exam: e2, due: 2027-01-19}
  - {title: 第 3 周, exam: e3}
  - {title: 第 4 周, exam: e4, opens: 2027-02-03}
  - {title: 第 5 周, exam: e5}
"""
    parsed, problems = parse_programme(text, "programmes/p.yaml")
    assert problems == []
    dates = [(i.opens_on.isoformat(), i.due_on.isoformat()) for i in parsed.items]
    assert dates == [("2027-01-04", "2027-01-10"),
                     ("2027-01-11", "2027-01-19"),  # extended to Tuesday
                     ("2027-01-25", "2027-01-31"),  # the Monday after week 2 is due: one week later
                     ("2027-02-03", "2027-02-07"),  # opens on a Wednesday, due on the Sunday of its week
                     ("2027-02-08", "2027-02-14")]  # follows week 4


def test_a_new_programme_refused_names_every_field_at_once(client, schedule_dir, trainer):
    """A trainer who leaves the id empty (the help now says what an id is made
    of) and starts on a Tuesday hears of both at once: the start was checked
    only once the id was right, a second refusal for one form."""
    tuesday = this_monday() + timedelta(days=8)
    page = client.get("/console/schedule/new-programme").text
    assert "小写英文字母、数字和“-”（如 rm-foundation-2027）" in page
    data = fields_of(page) | {"title": "下周合规专项培训", "start": tuesday.isoformat(), "weeks-0-title": "w",
                              "weeks-0-exam": "exam-week-01", "action": "review"}
    for slug, id_problem in (("", "新文件需要填写编号。"), ("下周培训", "小写字母、数字和 -，最多 80 个字符")):
        response = client.post("/console/schedule/new-programme", data=data | {"id": slug})
        assert response.status_code == 422
        assert id_problem in response.text, slug
        monday = tuesday - timedelta(days=1)
        assert (f"{tuesday.isoformat()} 是星期二：请选择周一（{monday.isoformat()} 或 "
                f"{(monday + timedelta(days=7)).isoformat()}），每周从周一开始。") in response.text, slug
