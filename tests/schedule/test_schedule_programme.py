"""Scheduling a programme in the browser: the form writes the file (comments
kept), checks the whole tree, previews the calendar, shows the diff and
publishes (audited); a rescheduled week moves for the learner."""
from __future__ import annotations

import errno
import os
import re
from datetime import timedelta
from html.parser import HTMLParser

from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.content.models import ContentRelease, Programme, ProgrammeItem
from lms.extensions import db
from tests.content.console_samples import trainer  # noqa: F401
from tests.schedule.samples import schedule_dir, this_monday  # noqa: F401

URL = "/console/schedule/programmes/rm-foundation"
FILE = "programmes/rm-foundation.yaml"


class _Fields(HTMLParser):
    """The fields of the page's forms, as a browser would post them (no button)."""

    def __init__(self):
        super().__init__()
        self.data: dict = {}
        self.select = None
        self.textarea = None
        self.first_option = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            if a.get("type") == "checkbox":
                self.data.setdefault(name, [])
                if "checked" in a:
                    self.data[name].append(a.get("value", "y"))
            else:
                self.data[name] = a.get("value", "")
        elif tag == "select" and name:
            self.select = (name, "multiple" in a)
            self.data[name] = [] if "multiple" in a else None
        elif tag == "option" and self.select:
            name, multiple = self.select
            self.first_option.setdefault(name, a.get("value", ""))
            if "selected" in a:
                if multiple:
                    self.data[name].append(a.get("value", ""))
                else:
                    self.data[name] = a.get("value", "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select" and self.select:
            name, _multiple = self.select
            if self.data[name] is None:
                self.data[name] = self.first_option.get(name, "")
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data.lstrip("\n") if not self.data[self.textarea] else data


def fields_of(html: str) -> dict:
    parser = _Fields()
    parser.feed(html)
    return {k: v for k, v in parser.data.items() if v != []}


def form_of(client, url=URL) -> dict:
    return fields_of(client.get(url).text)


def week_dates(number: int):
    programme = db.session.scalar(select(Programme).where(Programme.slug == "rm-foundation"))
    item = db.session.scalar(select(ProgrammeItem).where(ProgrammeItem.programme_id == programme.id,
                                                         ProgrammeItem.key == f"week-{number}"))
    db.session.refresh(item)
    return item.opens_on, item.due_on


def review_and_publish(client, data, url=URL, root=None):
    before = {p: p.read_bytes() for p in root.rglob("*.yaml")} if root else None
    reviewed = client.post(url, data=data | {"action": "review"})
    assert reviewed.status_code == 200, reviewed.text
    if root:  # the review writes nothing
        assert {p: p.read_bytes() for p in root.rglob("*.yaml")} == before
    hashes = __import__("re").findall(r'name="reviewed_hash" type="hidden" value="([0-9a-f]{64})"', reviewed.text)
    assert hashes, "no reviewed hash"
    plans = __import__("re").findall(r'name="reviewed_plan" type="hidden" value="([0-9a-f]{64})"', reviewed.text)
    assert plans, "no reviewed plan"  # a publish without it publishes nothing
    return reviewed, client.post(url, data=data | {"action": "publish", "reviewed_hash": hashes[0],
                                                   "reviewed_plan": plans[0]})


def test_trainer_moves_week_4_by_a_week_and_the_weeks_after_follow(client, schedule_dir, trainer):
    monday = this_monday()
    assert week_dates(4) == (monday, monday + timedelta(days=6))
    data = form_of(client)
    assert data["title"] == "客户经理基础培训" and data["weeks-3-exam"] == "exam-week-04"
    assert data["weeks-3-opens"] == "" and data["weeks-3-due"] == ""  # following the schedule
    data["weeks-3-opens"] = (monday + timedelta(days=7)).isoformat()
    data["weeks-3-due"] = (monday + timedelta(days=13)).isoformat()
    reviewed, published = review_and_publish(client, data, root=schedule_dir)
    page = reviewed.text
    assert 'id="schedule-calendar"' in page and 'id="calendar-week-4" class="moved"' in page
    assert f"+    opens: {(monday + timedelta(days=7)).isoformat()}" in page  # the diff of the file
    assert 'id="schedule-clean"' in page
    assert published.status_code == 302, published.text
    text = (schedule_dir / FILE).read_text(encoding="utf-8")
    assert "# 基础培训：每周一开放、周日截止。" in text and "title: 第 4 周 财务报表  # 本周" in text  # comments kept
    assert week_dates(4) == (monday + timedelta(days=7), monday + timedelta(days=13))
    assert week_dates(5) == (monday + timedelta(days=14), monday + timedelta(days=20))  # follows week 4
    assert week_dates(3) == (monday - timedelta(days=7), monday - timedelta(days=1))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "content.published")
                              .order_by(AuditEvent.seq.desc()))
    assert event is not None and f"web:{FILE}" in event.details and event.actor_id == trainer.id


def test_a_stale_form_is_refused_and_changes_nothing(client, schedule_dir, trainer):
    data = form_of(client)
    path = schedule_dir / FILE
    path.write_text(path.read_text(encoding="utf-8") + "# 另一位培训师的改动\n", encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    data["title"] = "改名"
    response = client.post(URL, data=data | {"action": "publish", "reviewed_hash": "0" * 64})
    assert response.status_code == 409 and "changed by someone else" not in response.text  # Chinese UI
    assert path.read_text(encoding="utf-8") == before
    assert db.session.scalar(select(Programme.title)) == "客户经理基础培训"


def test_invalid_values_are_refused_naming_the_field(client, schedule_dir, trainer):
    releases = db.session.scalar(select(func.count()).select_from(ContentRelease))
    before = (schedule_dir / FILE).read_text(encoding="utf-8")
    monday = this_monday()
    # The check (the whole tree): file:line and the week.
    data = form_of(client) | {"weeks-3-opens": (monday + timedelta(days=3)).isoformat(),
                              "weeks-3-due": (monday + timedelta(days=1)).isoformat()}
    response = client.post(URL, data=data | {"action": "review"})
    assert response.status_code == 422 and 'id="schedule-publish"' not in response.text
    # Said at the week's field, with file:line; the check's message names the week (never "第 4 周：第 4 周：…").
    opens, due = (monday + timedelta(days=3)).isoformat(), (monday + timedelta(days=1)).isoformat()
    assert re.search(rf"<code>{FILE}:\d+</code> 第 4 周：截止日期 \({due}\) 早于开始日期 \({opens}\)</small>", response.text)
    assert "第 4 周：第 4 周" not in response.text
    # A week overlapping the next one: named by the week, once.
    data = form_of(client) | {"weeks-4-opens": (monday + timedelta(days=2)).isoformat()}
    response = client.post(URL, data=data | {"action": "review"})
    assert response.status_code == 422
    assert re.search(rf"<code>{FILE}:\d+</code> 第 5 周（{(monday + timedelta(days=2)).isoformat()} 开始）与第 4 周"
                     r"（[0-9-]+ 截止）时间重叠</small>", response.text)
    # The form's own validation: the refusal links to each field (with its week); the field says what is wrong.
    bad = form_of(client) | {"start": "2026-13-40", "title": "", "weeks-1-due": "下周"}
    response = client.post(URL, data=bad | {"action": "publish", "reviewed_hash": "0" * 64})
    assert response.status_code == 422
    assert '<a href="#title">标题</a>' in response.text and '<a href="#weeks-1-due">第 2 周 · 截止</a>' in response.text
    assert re.search(r'<a href="#start">开始[^<]*</a>', response.text)
    assert '<small class="error">此项必填。</small>' in response.text
    format_help = "不是有效的日期：请按 YYYY-MM-DD 格式填写，例如 2026-03-01。</small>"
    assert f'<small class="error">“2026-13-40”{format_help}' in response.text  # the start
    assert f'<small class="error">“下周”{format_help}' in response.text  # week 2's due
    # An exam that does not exist (a value no select offers) is refused by the check, naming the week.
    response = client.post(URL, data=form_of(client) | {"weeks-1-exam": "exam-nope", "action": "review"})
    assert response.status_code == 422
    assert re.search(rf"<code>{FILE}:\d+</code> 第 2 周：未知的考试 &#39;exam-nope&#39;</small>", response.text)
    assert (schedule_dir / FILE).read_text(encoding="utf-8") == before
    assert db.session.scalar(select(func.count()).select_from(ContentRelease)) == releases


def test_the_learner_sees_week_4_move_and_its_exam_opens_later(client, schedule_dir, make_user):
    from lms.content.models import Exam
    from tests.conftest import sign_in

    monday = this_monday()
    learner = make_user(("learner",), name="李学员")
    trainer_user = make_user(("trainer",), name="陈培训")
    exam_id = db.session.scalar(select(Exam.id).where(Exam.slug == "exam-week-04"))
    sign_in(client, learner)
    home = client.get("/").text
    assert "第 4 周 财务报表" in home and f"{monday.isoformat()} 开放" in home  # this week
    assert client.get(f"/exams/{exam_id}").status_code == 200
    sign_in(client, trainer_user)
    data = form_of(client)
    data["weeks-3-opens"] = (monday + timedelta(days=7)).isoformat()
    data["weeks-3-due"] = (monday + timedelta(days=13)).isoformat()
    _reviewed, published = review_and_publish(client, data)
    assert published.status_code == 302
    sign_in(client, learner)
    page = client.get(f"/exams/{exam_id}")
    assert page.status_code == 403
    assert f"该考试将于 {(monday + timedelta(days=7)).isoformat()} 随所在培训周开放。" in page.text
    home = client.get("/").text
    assert "第 3 周 复习" in home and "第 4 周 财务报表" not in home  # not this week any more


def test_after_flask_demo_the_form_starts_from_the_published_dates(client, app, tmp_path, trainer):
    """flask demo publishes the shipped programme moved to today; the file keeps
    its dates. The form says so and offers the published dates, so that moving
    week 4 does not bring the whole programme back to the file's dates."""
    from lms import clock
    from lms.content.publishing.demo import move_programmes_to_today
    from lms.content.publishing.publish import publish
    from lms.content.source.parser import parse_folder
    from tests.schedule.samples import write_schedule_content

    root = write_schedule_content(tmp_path / "content")
    app.config["CONTENT_DIR"] = str(root)
    bundle = parse_folder(root)
    move_programmes_to_today(bundle, clock.today(), week=3)  # the file has today in week 4
    publish(bundle, None, "demo", checked=True)
    monday = this_monday()
    assert week_dates(3) == (monday, monday + timedelta(days=6))
    page = client.get(URL).text
    assert 'id="schedule-shifted"' in page and 'href="?adopt=published"' in page
    # It said "相差 7 天" / "lie 7 days from" (or "-273 days"): which way, without a minus sign.
    assert "已发布的各周比文件中的日期晚 7 天" in page
    assert "比文件中的日期晚 7 天。发布后会写入文件。" in client.get(URL + "?adopt=published").text
    data = form_of(client, URL + "?adopt=published")
    file_start = monday - timedelta(days=21)
    assert data["start"] == (file_start + timedelta(days=7)).isoformat()
    data["weeks-3-opens"] = (monday + timedelta(days=14)).isoformat()
    data["weeks-3-due"] = (monday + timedelta(days=20)).isoformat()
    reviewed, published = review_and_publish(client, data)
    assert "-start: " + file_start.isoformat() in reviewed.text
    assert published.status_code == 302
    assert week_dates(3) == (monday, monday + timedelta(days=6))  # this week stays this week
    assert week_dates(4) == (monday + timedelta(days=14), monday + timedelta(days=20))
    assert f"start: {(file_start + timedelta(days=7)).isoformat()}" in (root / FILE).read_text(encoding="utf-8")
    assert 'id="schedule-shifted"' not in client.get(URL).text  # file and published agree again


def test_weeks_removed_or_reordered_in_the_form_stay_the_same_weeks(client, schedule_dir, trainer, make_user):
    """The form cannot ask the trainer to write ``id:``: removing week 2 and
    moving week 5 before week 4 write the moved weeks' old keys as their ids, so
    the publish is not refused and every learner's record stays with its week
    (week 3, which a learner passed, stays the row ``week-3``)."""
    from tests.reports.helpers import add_attempt

    learner = make_user(("learner",), name="李学员")
    before = {i.key: i for i in db.session.scalars(select(ProgrammeItem))}
    add_attempt(learner, before["week-3"], 100)
    add_attempt(learner, before["week-4"], None, state="open")
    data = form_of(client)
    data["weeks-1-remove"] = "y"
    data["weeks-3-order"], data["weeks-4-order"] = "5", "4"
    reviewed, published = review_and_publish(client, data, root=schedule_dir)
    assert "is retired" in reviewed.text or "停用" in reviewed.text
    assert published.status_code == 302, published.text
    text = (schedule_dir / FILE).read_text(encoding="utf-8")
    assert "  - id: week-3\n    title: 第 3 周 复习" in text
    assert "  - id: week-5\n    title: 第 5 周 关键比率" in text
    assert "  - title: 第 4 周 财务报表" in text  # the fourth row again: its place is its key
    after = {i.key: i for i in db.session.scalars(select(ProgrammeItem).where(ProgrammeItem.retired.is_(False)))}
    assert [(i.number, i.key) for i in sorted(after.values(), key=lambda i: i.number)] == [
        (1, "week-1"), (2, "week-3"), (3, "week-5"), (4, "week-4")]
    assert after["week-3"].id == before["week-3"].id and after["week-3"].exam.slug == "exam-week-03"
    assert after["week-4"].id == before["week-4"].id and after["week-4"].exam.slug == "exam-week-04"
    assert db.session.get(ProgrammeItem, before["week-2"].id).retired


def test_a_row_added_where_a_removed_week_was_gets_an_id_of_its_own(client, schedule_dir, trainer, make_user):
    """Week 5 removed in the form (a learner had taken its exam); later a new
    week added as the fifth row: by its place it would be week-5, the removed
    week's row. The form gives it its exam's id, so the publish is not refused
    and the removed week stays removed with its records."""
    from tests.content.console_samples import publish_folder
    from tests.reports.helpers import add_attempt
    from tests.schedule.samples import EXAM

    learner = make_user(("learner",), name="李学员")
    week_5 = db.session.scalar(select(ProgrammeItem).where(ProgrammeItem.key == "week-5"))
    add_attempt(learner, week_5, 40)
    data = form_of(client)
    data["weeks-4-remove"] = "y"
    assert review_and_publish(client, data)[1].status_code == 302
    (schedule_dir / "exams" / "week-06.yaml").write_text(EXAM.format(n=6), encoding="utf-8")
    publish_folder(schedule_dir)
    data = form_of(client)
    data |= {"weeks-4-origin": "", "weeks-4-title": "第 5 周 新专题", "weeks-4-exam": "exam-week-06",
             "weeks-4-lessons": ["products/deposits"]}
    _reviewed, published = review_and_publish(client, data)
    assert published.status_code == 302, published.text
    assert "  - id: exam-week-06\n    title: 第 5 周 新专题" in (schedule_dir / FILE).read_text(encoding="utf-8")
    db.session.refresh(week_5)
    assert week_5.retired and week_5.exam.slug == "exam-week-05"
    new = db.session.scalar(select(ProgrammeItem).where(ProgrammeItem.key == "exam-week-06"))
    assert new is not None and new.number == 5 and not new.retired


def test_a_plan_that_changed_after_the_review_is_shown_before_it_is_published(client, schedule_dir, trainer,
                                                                               tmp_path):
    """The trainer reviewed "week 4 moves a week"; meanwhile a colleague published the programme from another
    checkout under a new title. The file here did not change, so Publish used to go through and put the old
    title back unseen. Now nothing is published; the page says so and shows the plan of now (the title too)."""
    import shutil
    from pathlib import Path

    from lms.content.publishing.publish import publish
    from lms.content.source.parser import parse_folder

    monday = this_monday()
    data = form_of(client)
    data["weeks-3-opens"] = (monday + timedelta(days=7)).isoformat()
    data["weeks-3-due"] = (monday + timedelta(days=13)).isoformat()
    reviewed = client.post(URL, data=data | {"action": "review"})
    fields = fields_of(reviewed.text)
    assert fields["reviewed_plan"]
    checkout = tmp_path / "checkout"
    shutil.copytree(schedule_dir, checkout)
    theirs = checkout / FILE
    theirs.write_text(theirs.read_text(encoding="utf-8").replace("title: 客户经理基础培训", "title: 客户经理基础培训（新版）", 1),
                      encoding="utf-8")
    publish(parse_folder(checkout, Path(FILE)))
    before = (schedule_dir / FILE).read_text(encoding="utf-8")

    refused = client.post(URL, data=data | {"action": "publish", "reviewed_hash": fields["reviewed_hash"],
                                            "reviewed_plan": fields["reviewed_plan"]})
    assert refused.status_code == 409
    assert "不再是您审阅时的内容" in refused.text and "未发布任何内容" in refused.text
    assert (schedule_dir / FILE).read_text(encoding="utf-8") == before
    assert db.session.scalar(select(Programme.title).where(Programme.slug == "rm-foundation")) == "客户经理基础培训（新版）"
    assert week_dates(4) == (monday, monday + timedelta(days=6))


def test_a_publish_without_the_reviewed_plan_publishes_nothing_and_shows_the_plan(client, schedule_dir, trainer):
    """A scheduling form opened before the plan's fingerprint existed (or a request made by hand) posts Publish
    with the YAML's hash but no reviewed plan. It used to publish whatever the plan was then, unseen. Now nothing
    is written or published: the page says the changes were not reviewed and shows them, ready to publish."""
    monday = this_monday()
    data = form_of(client)
    data["weeks-3-opens"] = (monday + timedelta(days=7)).isoformat()
    data["weeks-3-due"] = (monday + timedelta(days=13)).isoformat()
    fields = fields_of(client.post(URL, data=data | {"action": "review"}).text)
    before = (schedule_dir / FILE).read_text(encoding="utf-8")

    refused = client.post(URL, data=data | {"action": "publish", "reviewed_hash": fields["reviewed_hash"]})
    assert refused.status_code == 409
    assert "未附带您审阅过的变更" in refused.text and "未发布任何内容" in refused.text
    assert 'id="calendar-week-4" class="moved"' in refused.text
    assert (schedule_dir / FILE).read_text(encoding="utf-8") == before
    assert week_dates(4) == (monday, monday + timedelta(days=6))
    again = fields_of(refused.text)
    published = client.post(URL, data=data | {"action": "publish", "reviewed_hash": again["reviewed_hash"],
                                              "reviewed_plan": again["reviewed_plan"]})
    assert published.status_code == 302, published.text
    assert week_dates(4) == (monday + timedelta(days=7), monday + timedelta(days=13))


def test_a_row_origin_that_is_no_number_counts_as_a_new_row(client, schedule_dir, trainer):
    """Each row carries its place in the file (``origin``, hidden); ² or ፩ there (a hand-made
    form: digits to str.isdigit, not to int) answered 500. Such a row is a new row, as an empty origin."""
    before = (schedule_dir / FILE).read_text(encoding="utf-8")
    data = form_of(client)
    for odd in ("²", "፩"):
        response = client.post(URL, data=data | {"weeks-4-origin": odd, "action": "review"})
        plain = client.post(URL, data=data | {"weeks-4-origin": "", "action": "review"})
        assert response.status_code == plain.status_code != 500
    assert (schedule_dir / FILE).read_text(encoding="utf-8") == before


def test_a_start_past_the_years_the_app_reckons_with_is_refused_at_its_field(client, schedule_dir, trainer):
    """9999-12-27 is a Monday: its weeks were counted past the last day Python holds and the trainer got
    "not found". Now the review names the field and the file is not touched."""
    before = (schedule_dir / FILE).read_text(encoding="utf-8")
    response = client.post(URL, data=form_of(client) | {"start": "9999-12-27", "action": "review"})
    assert response.status_code == 422 and "1900-01-01" in response.text and "9999-12-27" in response.text
    assert (schedule_dir / FILE).read_text(encoding="utf-8") == before
def test_a_week_moved_onto_a_full_disk_says_so_and_leaves_the_file_whole(client, schedule_dir, trainer,
                                                                         monkeypatch):
    """The schedule's files are written as the editor's are: a full disk is named, nothing half-written."""
    data = form_of(client)
    data["weeks-3-opens"] = (this_monday() + timedelta(days=7)).isoformat()
    reviewed = client.post(URL, data=data | {"action": "review"})
    fingerprints = {name: re.search(rf'name="{name}" type="hidden" value="([0-9a-f]{{64}})"', reviewed.text).group(1)
                    for name in ("reviewed_hash", "reviewed_plan")}
    before, releases = (schedule_dir / FILE).read_bytes(), db.session.scalar(select(func.count(ContentRelease.id)))
    real_fdopen = os.fdopen

    def disk_full(fd, mode="r", *args, **kwargs):
        if "w" in mode:
            os.close(fd)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_fdopen(fd, mode, *args, **kwargs)

    monkeypatch.setattr(os, "fdopen", disk_full)
    published = client.post(URL, data=data | {"action": "publish", **fingerprints})
    assert published.status_code == 409
    assert "服务器磁盘已满" in published.text and "未发布任何内容" in published.text and FILE in published.text
    assert (schedule_dir / FILE).read_bytes() == before
    assert not [p for p in (schedule_dir / FILE).parent.iterdir() if p.name.startswith(".edit-")]
    assert db.session.scalar(select(func.count(ContentRelease.id))) == releases
