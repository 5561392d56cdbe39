"""A trainer inserts, removes or reorders weeks of a live programme
(tests/content/fixtures/aml_str, made four weeks long; today falls in week 3).

Learners are in the middle of it: 安 passed weeks 1–3, 包 passed 1–2 and is in
the middle of week 3's exam, 曹 passed week 1 and is overdue on week 2 (her
mentor was alerted). Weeks without ``id:`` are keyed by their place, and what
learners did hangs on that key (notifications, attempts): a publish that would
give a week's key to another week is refused on the line of the week that
moved, saying what to write; with the ids written, every record stays with its
week, and the plan says what is inserted, moved or removed and who it reaches.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.content.models import Programme, ProgrammeItem
from lms.exams.models import Attempt
from lms.extensions import db
from lms.mentoring.models import Pairing
from lms.mentoring.signoff import overdue_weeks
from lms.notify.models import Notification
from lms.programmes import services as programmes
from tests.conftest import sign_in
from tests.reports.helpers import add_attempt

FILE = "programmes/aml-str.yaml"

HEAD = """id: aml-str-weekly
title: 反洗钱可疑交易识别（四周）
summary: 每周一训
audience:
  positions: [rm_*]
start: 2026-02-16
weeks:
"""
WEEKS = {
    1: "  - title: 第 1 周 概述\n    lessons: [aml-str/overview]\n    exam: exam-aml-str\n",
    2: "  - title: 第 2 周 典型特征\n    lessons: [aml-str/patterns]\n    exam: exam-aml-str-2\n",
    3: "  - title: 第 3 周 资金回流\n    exam: exam-aml-str-3\n",
    4: "  - title: 第 4 周 报告流程\n    exam: exam-aml-str-4\n",
    "new": "  - title: 监管紧急专题：跨境可疑交易\n    exam: exam-aml-urgent\n",
}
TITLES = {n: WEEKS[n].split("title: ")[1].split("\n")[0] for n in WEEKS}


def programme_text(*weeks, ids: dict | None = None) -> str:
    """The file with these weeks in this order; ``ids``: week → the id written under it."""
    ids = ids or {}
    out = HEAD
    for week in weeks:
        text = WEEKS[week]
        if week in ids:
            text = text.replace("\n", f"\n    id: {ids[week]}\n", 1)
        out += text
    return out


def line_of(text: str, week) -> int:
    """The file line of that week's first line (problems name it)."""
    return text.splitlines().index(WEEKS[week].splitlines()[0]) + 1


@pytest.fixture
def live(app, clock, runner, course_folder, make_user, make_branch):
    """The four-week programme published and lived in up to today (Monday of week 3)."""
    root = course_folder("aml_str")
    (root / "programmes" / "aml-str.yaml").unlink()
    exam_2 = (root / "exams" / "aml-str-exam-2.yaml").read_text(encoding="utf-8")
    for slug, title in (("exam-aml-str-3", "第 3 周测验"), ("exam-aml-str-4", "第 4 周测验"),
                        ("exam-aml-urgent", "紧急专题测验")):
        (root / "exams" / f"{slug}.yaml").write_text(
            exam_2.replace("id: exam-aml-str-2", f"id: {slug}").replace("第 2 周测验：典型可疑特征", title),
            encoding="utf-8")
    (root / FILE).write_text(programme_text(1, 2, 3, 4), encoding="utf-8")
    make_user(("trainer",), employee_no="trainer-aml")
    published = runner.invoke(args=["content", "publish", "--as", "trainer-aml"])
    assert published.exit_code == 0, published.output

    branch = make_branch("B01")
    people = {name: make_user(("learner",), name=name, branch=branch, position="rm_junior")
              for name in ("安", "包", "曹")}
    mentor = make_user(("mentor",), name="师傅", branch=branch)
    db.session.add(Pairing(mentor_id=mentor.id, apprentice_id=people["曹"].id, start_date=date(2026, 1, 5)))
    db.session.commit()
    week = {i.number: i for i in items()}
    for n in (1, 2, 3):
        add_attempt(people["安"], week[n], 90)
    for n in (1, 2):
        add_attempt(people["包"], week[n], 90)
    add_attempt(people["包"], week[3], None, state="open", deadline=clock.now().replace(hour=23))
    add_attempt(people["曹"], week[1], 90)
    add_attempt(people["曹"], week[2], 20)
    add_attempt(people["曹"], week[2], 30)
    scan = runner.invoke(args=["notify", "scan"])
    assert scan.exit_code == 0, scan.output
    assert opened(week[3]) == {"包", "曹"}  # 安 passed it before the scan
    assert [w.week for w in overdue_weeks(people["曹"])] == [TITLES[2]]
    return root, people, mentor


def items() -> list[ProgrammeItem]:
    return list(db.session.scalars(select(ProgrammeItem).where(ProgrammeItem.retired.is_(False))
                                   .where(ProgrammeItem.kind == "week").order_by(ProgrammeItem.number)))


def opened(item: ProgrammeItem) -> set[str]:
    """Who was told that this week opened."""
    return {n.recipient.name for n in db.session.scalars(
        select(Notification).where(Notification.kind == "week_opened", Notification.subject == f"item:{item.id}"))}


def weeks_seen_by(user) -> list[tuple[str, str]]:
    """(title, status) of every week, as the learner's programme page lists them."""
    programme = db.session.scalar(select(Programme).where(Programme.slug == "aml-str-weekly"))
    return [(w.item.title, w.status) for w in programmes.programme_weeks(user, programme)
            if w.item.kind == "week"]


def write(root: Path, text: str) -> None:
    (root / FILE).write_text(text, encoding="utf-8")


# --- inserting a week ---------------------------------------------------------------

def test_inserting_a_week_without_ids_is_refused_on_the_line_of_the_week_that_moved(live, runner, english):
    root, people, _mentor = live
    before = {(i.key, i.exam.slug) for i in items()}
    text = programme_text(1, 2, "new", 3, 4)
    write(root, text)
    for command in ("plan", "publish"):
        result = runner.invoke(args=["content", command])
        assert result.exit_code == 1, result.output
        assert (f"{FILE}:{line_of(text, 3)}: week 4 (exam exam-aml-str-3) was published as week-3, “{TITLES[3]}”: "
                "without an id it becomes week-4") in result.output
        assert "Write `id: week-3` under this week so that it stays the same week." in result.output
        assert (f"{FILE}:{line_of(text, 4)}: week 5 (exam exam-aml-str-4) was published as week-4, “{TITLES[4]}”: "
                "without an id it becomes week-5 while other weeks of this file move too. Write `id: week-4`"
                in result.output)
        assert (f"{FILE}:{line_of(text, 'new')}: week 3 is new here, but week-3 is the published week “{TITLES[3]}”"
                in result.output)
        assert "give this week an id of its own (for example `id: exam-aml-urgent`)" in result.output
    assert {(i.key, i.exam.slug) for i in items()} == before  # nothing moved


def test_a_new_week_given_the_key_a_week_still_has_is_a_duplicate(live, runner, english):
    root, _people, _mentor = live
    text = programme_text(1, 2, "new", 3, 4, ids={3: "week-3", 4: "week-4"})
    write(root, text)
    result = runner.invoke(args=["content", "publish"])
    assert result.exit_code == 1
    assert (f"{FILE}:{line_of(text, 3)}: week 4: its id 'week-3' is already that of week 3 "
            f"(line {line_of(text, 'new')})") in result.output


def test_inserting_a_week_with_ids_keeps_every_record_with_its_week(live, runner, client, english):
    root, people, mentor = live
    old = {i.key: i.id for i in items()}
    write(root, programme_text(1, 2, "new", 3, 4, ids={"new": "aml-urgent", 3: "week-3", 4: "week-4"}))

    plan = runner.invoke(args=["content", "plan"])
    assert plan.exit_code == 0, plan.output
    assert (f"“{TITLES['new']}” is inserted as week 3 (2026-03-02 – 2026-03-08); the weeks after it that have no "
            "dates of their own move with it. It is open now: 3 learners must pass it.") in plan.output
    assert (f"“{TITLES[3]}” moves from week 3 to week 4 (due 2026-03-08 → 2026-03-15); it stays the same week: "
            "1 learner who passed it stays passed") in plan.output
    assert f"“{TITLES[4]}” moves from week 4 to week 5" in plan.output
    assert "is retired" not in plan.output and "gets another exam" not in plan.output
    # The certification that requires the programme completed reads the weeks after publishing.
    assert ("反洗钱可疑交易识别（四周）: certifications that require it completed (反洗钱可疑交易识别资格) count its weeks "
            "as they are after publishing") in plan.output
    assert runner.invoke(args=["content", "publish"]).exit_code == 0

    # Each row is still its week: same id, same exam, a new place.
    now = {i.key: i for i in items()}
    assert [(i.number, i.key) for i in items()] == [(1, "week-1"), (2, "week-2"), (3, "aml-urgent"), (4, "week-3"),
                                                     (5, "week-4")]
    assert now["week-3"].id == old["week-3"] and now["week-3"].exam.slug == "exam-aml-str-3"
    # The learner: their pass of the old week 3 is on that week (now the fourth), the new week is to do.
    assert weeks_seen_by(people["安"]) == [(TITLES[1], "passed"), (TITLES[2], "passed"),
                                          (TITLES["new"], "not_started"), (TITLES[3], "passed"),
                                          (TITLES[4], "not_started")]
    sign_in(client, people["安"])
    page = client.get(f"/programmes/{now['week-3'].programme_id}").text
    assert page.index(TITLES["new"]) < page.index(TITLES[3]) < page.index(TITLES[4])
    # 包's exam in progress is still the old week 3's.
    attempt = db.session.scalar(select(Attempt).where(Attempt.user_id == people["包"].id, Attempt.state == "open"))
    assert attempt.programme_item_id == old["week-3"]
    assert weeks_seen_by(people["包"])[3] == (TITLES[3], "in_progress")
    # Notifications: everybody is told the new week opened; the old week 3 is not announced again.
    assert runner.invoke(args=["notify", "scan"]).exit_code == 0
    assert opened(now["aml-urgent"]) == {"安", "包", "曹"}
    assert opened(now["week-3"]) == {"包", "曹"}
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "week_opened", Notification.subject == f"item:{old['week-3']}")) == 2
    # The mentor still sees 曹 overdue on week 2 (the same week), and the progress counts the new week: due so
    # far are the weeks open now (1, 2 and the new 3) and the moved week 4 安 passed before it moved, so that
    # due minus passed is the one week 安 has to do now (it read 3 of 3, as if 安 had nothing to do).
    assert [w.week for w in overdue_weeks(people["曹"])] == [TITLES[2]]
    progress = programmes.this_week(people["安"])[0].progress
    assert (progress.passed, progress.due, progress.total, progress.behind) == (3, 4, 5, 1)


# --- removing a week ------------------------------------------------------------------

def test_removing_a_week_without_ids_is_refused_and_with_ids_retires_that_week(live, runner, client, make_user,
                                                                              english):
    root, people, _mentor = live
    old = {i.key: i.id for i in items()}
    text = programme_text(1, 3, 4)
    write(root, text)
    refused = runner.invoke(args=["content", "publish"])
    assert refused.exit_code == 1
    assert (f"{FILE}:{line_of(text, 3)}: week 2 (exam exam-aml-str-3) was published as week-3" in refused.output)
    assert "Write `id: week-3` under this week" in refused.output

    write(root, programme_text(1, 3, 4, ids={3: "week-3", 4: "week-4"}))
    plan = runner.invoke(args=["content", "plan"])
    assert plan.exit_code == 0, plan.output
    # The plan names the week that goes (week 2, which 安 and 包 passed), not the last one.
    assert f"{TITLES[2]} of 反洗钱可疑交易识别（四周） is retired" in plan.output
    assert "2 learners passed its exam" in plan.output
    assert TITLES[4] + " of" not in plan.output
    assert (f"“{TITLES[3]}” moves from week 3 to week 2 (due 2026-03-08 → 2026-03-01)") in plan.output
    assert "It is now past its due date: 2 learners who have not passed it are overdue at once" in plan.output
    assert runner.invoke(args=["content", "publish"]).exit_code == 0

    assert [(i.number, i.key, i.id) for i in items()] == [(1, "week-1", old["week-1"]), (2, "week-3", old["week-3"]),
                                                          (3, "week-4", old["week-4"])]
    retired = db.session.get(ProgrammeItem, old["week-2"])
    assert retired.retired and retired.exam.slug == "exam-aml-str-2"
    assert weeks_seen_by(people["安"]) == [(TITLES[1], "passed"), (TITLES[3], "passed"), (TITLES[4], "not_started")]
    # 曹's overdue week was the removed one: her mentor no longer sees it; the moved week is now due.
    assert [w.week for w in overdue_weeks(people["曹"])] == [TITLES[3]]
    # HR's training record of 曹: the removed week is gone, the moved one is listed once, overdue.
    sign_in(client, make_user(("hr",), name="周人事", locale="en"))
    record = client.get(f"/programmes/people/{people['曹'].id}")
    assert record.status_code == 200
    weeks_table = record.text.split("removed-weeks")[0]
    assert TITLES[2] not in weeks_table and TITLES[3] in weeks_table
    # The removed week's attempts stay on the record, below, not counted.
    removed = record.text.split('class="record removed-weeks"')[1]
    assert f'id="record-removed-{old["week-2"]}"' in removed and TITLES[2] in removed
    assert removed.count("Not passed") == 2
    # Of the three weeks open now, week 1 passed; week 2 does not count.
    assert '<dd class="progress-passed">1</dd>' in record.text and '<dd class="progress-due">3</dd>' in record.text


# --- reordering -----------------------------------------------------------------------

def test_swapping_two_weeks_keeps_passes_and_notifications_with_their_weeks(live, runner, english):
    root, people, _mentor = live
    old = {i.key: i.id for i in items()}
    text = programme_text(1, 2, 4, 3)
    write(root, text)
    refused = runner.invoke(args=["content", "publish"])
    assert refused.exit_code == 1
    assert f"{FILE}:{line_of(text, 3)}: week 4 (exam exam-aml-str-3) was published as week-3" in refused.output
    assert f"{FILE}:{line_of(text, 4)}: week 3 (exam exam-aml-str-4) was published as week-4" in refused.output

    write(root, programme_text(1, 2, 4, 3, ids={3: "week-3", 4: "week-4"}))
    plan = runner.invoke(args=["content", "plan"])
    assert plan.exit_code == 0, plan.output
    assert f"“{TITLES[4]}” moves from week 4 to week 3" in plan.output
    assert f"“{TITLES[3]}” moves from week 3 to week 4" in plan.output
    assert runner.invoke(args=["content", "publish"]).exit_code == 0
    assert [(i.number, i.key, i.id) for i in items()][2:] == [(3, "week-4", old["week-4"]),
                                                              (4, "week-3", old["week-3"])]
    assert weeks_seen_by(people["安"])[2:] == [(TITLES[4], "not_started"), (TITLES[3], "passed")]
    assert runner.invoke(args=["notify", "scan"]).exit_code == 0
    # The week open now is a different week: everyone hears of it once; the old week 3 is not announced again.
    assert opened(db.session.get(ProgrammeItem, old["week-4"])) == {"安", "包", "曹"}
    assert opened(db.session.get(ProgrammeItem, old["week-3"])) == {"包", "曹"}


def test_weeks_nobody_has_started_may_move_without_ids(live, runner, english):
    """Week 4 and a new week 5, both ahead: no records hang on them, so the
    file needs no ids; the plan says week 4's exam changes."""
    root, _people, _mentor = live
    write(root, programme_text(1, 2, 3, "new", 4))
    plan = runner.invoke(args=["content", "plan"])
    assert plan.exit_code == 0, plan.output
    assert "week 4 “监管紧急专题：跨境可疑交易” gets another exam (exam-aml-str-4 → exam-aml-urgent)" in plan.output
    assert runner.invoke(args=["content", "publish"]).exit_code == 0
    assert [i.exam.slug for i in items()] == ["exam-aml-str", "exam-aml-str-2", "exam-aml-str-3", "exam-aml-urgent",
                                             "exam-aml-str-4"]


def test_a_new_week_at_the_place_of_a_removed_one_does_not_take_its_records(live, runner, english):
    """Week 2 removed (with ids), then a new week written where it was: by its
    place it would be week-2 again, the removed week's row, whose learners
    were told about the removed week (曹 overdue, her mentor alerted) and would
    never hear of the new one. Refused; with an id of its own it is a new week."""
    root, people, _mentor = live
    write(root, programme_text(1, 3, 4, ids={3: "week-3", 4: "week-4"}))
    assert runner.invoke(args=["content", "publish"]).exit_code == 0
    removed = db.session.scalar(select(ProgrammeItem).where(ProgrammeItem.key == "week-2"))
    text = programme_text(1, "new", 3, 4, ids={3: "week-3", 4: "week-4"})
    write(root, text)
    refused = runner.invoke(args=["content", "publish"])
    assert refused.exit_code == 1
    assert (f"{FILE}:{line_of(text, 'new')}: week 2 would take the key week-2 of the removed week “{TITLES[2]}” "
            "(exam exam-aml-str-2), which 3 learners have records of: give this week an id of its own "
            "(for example `id: exam-aml-urgent`).") in refused.output
    write(root, programme_text(1, "new", 3, 4, ids={"new": "aml-urgent", 3: "week-3", 4: "week-4"}))
    assert runner.invoke(args=["content", "publish"]).exit_code == 0
    db.session.refresh(removed)
    assert removed.retired and removed.exam.slug == "exam-aml-str-2"
    new = db.session.scalar(select(ProgrammeItem).where(ProgrammeItem.key == "aml-urgent"))
    assert runner.invoke(args=["notify", "scan"]).exit_code == 0
    # Its dates (week 2's) are past: everyone is told they are overdue on it, 曹 too.
    assert {n.recipient.name for n in db.session.scalars(select(Notification).where(
        Notification.kind == "overdue", Notification.subject == f"item:{new.id}"))} == {"安", "包", "曹"}
    # Putting week 2 back as it was (same exam) restores it: no id needed.
    write(root, programme_text(1, 2, 3, 4, ids={3: "week-3", 4: "week-4"}))
    assert runner.invoke(args=["content", "publish"]).exit_code == 0
    db.session.refresh(removed)
    assert not removed.retired and removed.number == 2


def test_a_week_moved_later_is_reminded_again_before_its_new_due_date(live, runner, clock, english):
    """Friday of week 3: 包 and 曹 are told week 3 is due on Sunday. The trainer
    inserts a week before it: week 3 is now due a week later. Two days before
    the new date they are reminded once more (once), not never."""
    from datetime import datetime

    root, people, _mentor = live
    week_3 = db.session.scalar(select(ProgrammeItem).where(ProgrammeItem.key == "week-3"))

    def reminded() -> list[str]:
        return sorted(n.recipient.name for n in db.session.scalars(select(Notification).where(
            Notification.kind == "due_soon", Notification.subject.like(f"item:{week_3.id}%"))))

    clock.freeze(datetime(2026, 3, 6, 1, 0))
    assert runner.invoke(args=["notify", "scan"]).exit_code == 0
    assert reminded() == ["包", "曹"]
    write(root, programme_text(1, 2, "new", 3, 4, ids={"new": "aml-urgent", 3: "week-3", 4: "week-4"}))
    assert runner.invoke(args=["content", "publish"]).exit_code == 0
    assert runner.invoke(args=["notify", "scan"]).exit_code == 0
    assert reminded() == ["包", "曹"]  # not due within two days any more: nothing new
    clock.freeze(datetime(2026, 3, 13, 1, 0))
    for _run in range(2):
        assert runner.invoke(args=["notify", "scan"]).exit_code == 0
    assert reminded() == ["包", "包", "曹", "曹"]
    assert {n.params["due_on"] for n in db.session.scalars(select(Notification).where(
        Notification.kind == "due_soon", Notification.subject == f"item:{week_3.id}:due:2026-03-15"))} == {
        "2026-03-15"}
