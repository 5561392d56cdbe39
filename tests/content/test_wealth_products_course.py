"""A retail product trainer's own course, from nothing: 个人理财与存款产品
(tests/content/fixtures/wealth). Lessons with an eight-column product table,
①②③ and ※ notes, dates written 2026年1月1日 and 2026/01/01, a suitability
flow in nested lists, a regulation quote, a risk disclosure, emoji, an image
whose name has a space and a PDF in Chinese; a bank with true/false keys
written √ × 是 否, blanks of dates and percentages, a very long option and an
explanation with a table; a weekly programme that starts in the past and
skips 国庆. Each test starts from the files as the trainer first wrote them
(the fixture is the version after the checker's messages) where that matters."""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from lms import questions as question_types
from lms.content.models import Exam, Programme, ProgrammeItem, Question
from lms.content.source.parser import parse_folder
from lms.content.source.stem_references import check_stem_references
from lms.exams.models import Attempt
from lms.extensions import db
from tests.conftest import sign_in
from tests.exams.takers import as_posted

SHIPPED = Path(__file__).resolve().parents[2] / "content"
BANK = "courses/wealth/questions/理财题库.md"
LESSON = "courses/wealth/lessons/02-适当性.md"
PROGRAMME = "programmes/wealth-2026.yaml"


@pytest.fixture
def wealth(app, course_folder):
    return course_folder("wealth")


def _rm(make_user, branch, number, name):
    return make_user(("learner",), name=name, employee_no=number, branch=branch, position="rm_junior")


def _edit(root: Path, path: str, old: str, new: str) -> None:
    file = root / path
    text = file.read_text(encoding="utf-8")
    assert old in text, old
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def _check(runner):
    return runner.invoke(args=["content", "check"])


def _publish(runner, *args):
    result = runner.invoke(args=["content", "publish", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _line(root: Path, path: str, text: str) -> int:
    lines = (root / path).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def _question(slug):
    return db.session.scalar(select(Question).where(Question.slug == slug))


def _exam(n):
    return db.session.scalar(select(Exam).where(Exam.slug == f"exam-retail-wealth-w{n}"))


def _week(number):
    programme = db.session.scalar(select(Programme).where(Programme.slug == "retail-wealth-weekly"))
    return db.session.scalar(select(ProgrammeItem).where(ProgrammeItem.programme_id == programme.id,
                                                         ProgrammeItem.number == number))


# --- the bank as the trainer wrote it -------------------------------------------------

def test_true_false_keys_written_as_trainers_write_them(runner, wealth):
    """`answer: √`, `×`, `是`, `否` were "'answer' 必须是 true 或 false（对 / 错）" in a bank
    file, while the Excel import of the same bank took them."""
    check = _check(runner)
    assert check.exit_code == 0, check.output
    assert "检查通过：1 门课程、2 个课时、19 道题、3 场考试、1 个培训计划、2 个附件" in check.output
    _publish(runner)
    keys = {slug: _question(slug).current_version.data["correct"]
            for slug in ("wm-002", "wm-003", "wm-004", "wm-005", "wm-006", "wm-007", "wm-008", "wm-009")}
    assert keys == {"wm-002": True, "wm-003": False, "wm-004": True, "wm-005": False,   # 对 错 √ ×
                    "wm-006": True, "wm-007": False, "wm-008": True, "wm-009": False}   # 正确 错误 是 否


def test_matching_and_ordering_questions_say_what_to_write_instead(runner, wealth):
    _edit(wealth, BANK, "## wm-001\ntype: case\n", "## wm-001\ntype: 配对题\n")
    _edit(wealth, BANK, "## wm-018\ntype: single\n", "## wm-018\ntype: ordering\n")
    check = _check(runner)
    assert check.exit_code == 1
    matching, ordering = _line(wealth, BANK, "type: 配对题"), _line(wealth, BANK, "type: ordering")
    assert (f"{BANK}:{matching}: 试题 wm-001：没有配对（连线）题型：请写成案例题 (type: case)，每个要配对的项目一个小题"
            in check.output), check.output
    assert f"{BANK}:{ordering}: 试题 wm-018：没有排序题型：请写成单选题，选项是几种顺序" in check.output


def test_options_that_differ_only_in_full_or_half_width_are_a_problem(runner, wealth):
    """"2.80%" and "2.80％", "1万元(含)" and "1万元（含）": the learner saw two options
    that read the same, one of them the key, and the bank published."""
    _edit(wealth, BANK, "- [ ] 1000元\n", "- [ ] 1万元(含)\n")
    _edit(wealth, BANK, "- [x] 2.80%\n- [ ] 3.10%\n", "- [x] 2.80%\n- [ ] 2.80％\n")
    check = _check(runner)
    assert check.exit_code == 1
    assert (f"{BANK}:{_line(wealth, BANK, '- [x] 1万元（含）')}: 试题 wm-013：选项 B 与选项 A 读起来相同"
            "（至多是全角、半角字符或空格不同）：学员无法区分" in check.output), check.output
    assert f"{BANK}:{_line(wealth, BANK, '- [ ] 2.80％')}: 试题 wm-014：选项 B 与选项 A 读起来相同" in check.output


def test_a_question_that_leans_on_another_question_is_a_problem(runner, wealth):
    """"上一题（wm-014）中选项…" published as written, and the learner met it
    without wm-014 before it (the draw has its own order)."""
    _edit(wealth, BANK, "业绩比较基准为“3.50%”的产品是：", "上一题（wm-014）中选项“3.50%”对应的产品是：")
    check = _check(runner)
    assert check.exit_code == 1
    assert (f"{BANK}:{_line(wealth, BANK, '## wm-015')}: 试题 wm-015 引用了另一道题（“wm-014”）：考试按自己的顺序抽题"
            in check.output), check.output
    _edit(wealth, BANK, "上一题（wm-014）中选项", "上题中选项")
    assert "试题 wm-015 引用了另一道题（“上题”）" in _check(runner).output


def test_no_shipped_question_leans_on_the_question_before_it(app):
    """crd-ratio-002 began "上题企业流动资产中存货为 2400 万元" and pa-num-003 "上题项目按 8% 折现":
    drawn without the question before them (the weekly exams draw by type), an RM had no
    流动负债 or cash flows to compute with."""
    bundle = parse_folder(SHIPPED)
    problems = []
    check_stem_references(bundle, problems)
    assert problems == []
    stems = {q.id: q.stem_md for q in bundle.questions}
    assert "流动负债 4000 万元" in stems["crd-ratio-002"]
    assert "600、800、900、1000、1000 万元" in stems["pa-num-003"]


def test_coloured_text_is_a_problem_with_what_to_write_instead(runner, wealth):
    """<span style="color:red"> and <font color="red"> published as plain text: the risk
    disclosure the trainer made red was as grey as the rest, and nothing said so."""
    _edit(wealth, LESSON, '!!! risk "严禁承诺保本保收益"\n    **严禁**向客户承诺保本保收益！违规将按《员工违规行为处理办法》追责。\n',
          '<span style="color:red">**严禁**向客户承诺保本保收益！</span>\n\n'
          '<font color="red">违规将按《员工违规行为处理办法》追责。</font>\n')
    check = _check(runner)
    assert check.exit_code == 1
    for text in ('<span style="color:red">', '<font color="red">'):
        assert (f"{LESSON}:{_line(wealth, LESSON, text)}:1: 彩色文字（style=\"color:…\"、<font color>）发布时颜色会被去掉"
                in check.output), check.output
    assert "风险揭示请写成提示框（!!! risk" in check.output


# --- the programme across the holidays ---------------------------------------------------

def test_a_holiday_written_as_a_week_says_how_to_write_a_break(runner, wealth):
    _edit(wealth, PROGRAMME, "  - title: 第 3 周 风险揭示（国庆节后）\n    opens: 2026-10-12\n",
          "  - title: 国庆假期（停训）\n    opens: 2026-09-28\n    due: 2026-10-08\n"
          "  - title: 第 3 周 风险揭示（国庆节后）\n")
    check = _check(runner)
    assert check.exit_code == 1
    line = _line(wealth, PROGRAMME, "国庆假期")
    assert (f"{PROGRAMME}:{line}: 第 3 周既没有考试也没有课程：停训（节假日）不单独写成一周。请删除这一项，"
            "给它后面的一周写上 'opens: 2026-10-12'" in check.output), check.output


@pytest.mark.parametrize("opens, due", [("2026-10-12", date(2026, 10, 18)),    # the Monday after 国庆
                                        ("2026-10-08", date(2026, 10, 11))])   # the first working day, a Thursday
def test_a_week_given_only_opens_is_due_the_sunday_of_the_week_it_opens_in(runner, wealth, opens, due):
    """A week moved past 国庆 with `opens:` alone was "截止日期（2026-10-04）早于开始日期
    （2026-10-12）": its due date was counted from the place it had before."""
    _edit(wealth, PROGRAMME, "    opens: 2026-10-12\n", f"    opens: {opens}\n")
    _publish(runner)
    week = _week(3)
    assert (week.opens_on, week.due_on) == (date.fromisoformat(opens), due)


def test_a_programme_first_published_after_its_weeks_were_due_is_announced_in_the_plan(runner, clock, wealth,
                                                                                      make_user, make_branch):
    clock.freeze(datetime(2026, 10, 20, 2, 0, 0))  # Tuesday of the week after week 3 was due
    _rm(make_user, make_branch("B09"), "E8101", "钱理财")
    plan = runner.invoke(args=["content", "plan"])
    assert plan.exit_code == 0, plan.output
    assert ("retail-wealth-weekly 是新培训计划，其第 1、2、3 周的截止日期在 2026-09-20 至 2026-10-18 之间，"
            "早于今天 (2026-10-20)：发布当天，培训对象中在此之前已入组的人都会立即在这些周逾期") in plan.output


# --- the learner -----------------------------------------------------------------------

def _typed(item, blanks):
    version = item.question_version
    name, data = f"a-{item.id}", version.data
    if version.type == "fill":
        return {f"{name}-{i + 1}": v for i, v in enumerate(blanks[version.question.slug])}
    if version.type == "single":
        return as_posted(item, {name: data["correct"][0]})
    if version.type == "multiple":
        return as_posted(item, {name: list(data["correct"])})
    if version.type == "truefalse":
        return {name: "true" if data["correct"] else "false"}
    return as_posted(item, {f"{name}-{p['id']}": p["data"]["correct"][0] for p in data["parts"]})


# Dates as RMs type them, the percentage without its trailing zero.
BLANKS = {"wm-010": ["3.5%"], "wm-011": ["2026-01-01", "2026/12/31"], "wm-012": ["2026.1.1"],
          "wm-019": ["二点八", "2.80%"]}


def _sit(client, exam, blanks=BLANKS) -> Attempt:
    started = client.post(f"/exams/{exam.id}/start")
    assert started.status_code == 302, started.text
    attempt = db.session.get(Attempt, int(started.headers["Location"].rstrip("/").split("/")[-1]))
    for item in attempt.items:
        saved = client.post(f"/attempts/{attempt.id}/items/{item.id}", data=_typed(item, blanks),
                            headers={"HX-Request": "true"})
        assert saved.status_code == 200, saved.text
    assert client.post(f"/attempts/{attempt.id}/submit").status_code == 302
    db.session.refresh(attempt)
    return attempt


def test_an_rm_types_dates_as_people_write_them_and_they_count(client, runner, clock, wealth, make_user, make_branch):
    """The key 2026年1月1日 took only 2026年1月1日: 2026-01-01 and 2026/1/1 — the way the
    lesson itself writes 2026/01/01 — were marked wrong."""
    clock.freeze(datetime(2026, 10, 14, 2, 0, 0))
    rm = _rm(make_user, make_branch("B09"), "E8101", "钱理财")
    _publish(runner)
    sign_in(client, rm)
    attempt = _sit(client, _exam(1))
    wrong = {i.question_version.question.slug: i.answer for i in attempt.items if i.awarded != i.points}
    assert wrong == {} and attempt.passed
    result = client.get(f"/attempts/{attempt.id}/result").text
    # The explanation's table is a table in the review.
    assert re.search(r"<table>\s*<thead>\s*<tr>\s*<th>客户类型</th>\s*<th>可购买</th>", result)


@pytest.mark.parametrize("typed, right", [
    ("2026年1月1日", True), ("2026-01-01", True), ("2026/1/1", True), ("2026.01.01", True),
    ("２０２６年１月１日", True), ("2026年01月01日", True),
    ("2026-01-02", False), ("2026-1-1-1", False), ("2026年13月1日", False), ("1月1日", False),
])
def test_a_date_blank_takes_the_same_date_however_it_is_written(app, typed, right):
    fill = question_types.get("fill")
    assert (fill.grade({"blanks": [["2026年1月1日"]]}, [typed]).fraction == 1.0) is right


def test_moving_a_week_that_rms_passed_the_plan_says_what_happens_and_passes_stay(
        client, runner, clock, wealth, make_user, make_branch):
    """A week's dates changed at the same place (moved past a holiday, made longer,
    brought forward) said nothing under 对正在学习的学员的影响, though moving it
    earlier made everyone who had not passed it overdue at once."""
    clock.freeze(datetime(2026, 10, 14, 2, 0, 0))  # Wednesday of week 3 (12–18 October)
    branch = make_branch("B09")
    ahead = _rm(make_user, branch, "E8101", "钱理财")
    behind = _rm(make_user, branch, "E8102", "孙存款")
    _publish(runner)
    sign_in(client, ahead)
    for n in (1, 2, 3):
        assert _sit(client, _exam(n)).passed
    sign_in(client, behind)
    for n in (1, 2):
        assert _sit(client, _exam(n)).passed

    _edit(wealth, PROGRAMME, "    opens: 2026-10-12\n", "    opens: 2026-10-12\n    due: 2026-10-25\n")
    plan = runner.invoke(args=["content", "plan"]).output
    # The week's title already names it: said once (it read 第 3 周“第 3 周 风险揭示（国庆节后）”).
    assert ("零售理财产品每周一训（2026下半年）：“第 3 周 风险揭示（国庆节后）”改为 2026-10-12 – 2026-10-25"
            "（原为 2026-10-12 – 2026-10-18）；仍是同一周：已通过的 1 名学员仍算通过，相关通知不会重发。") in plan, plan
    _publish(runner)

    _edit(wealth, PROGRAMME, "    opens: 2026-10-12\n    due: 2026-10-25\n",
          "    opens: 2026-10-05\n    due: 2026-10-11\n")
    _edit(wealth, PROGRAMME, "    exam: exam-retail-wealth-w2\n",
          "    exam: exam-retail-wealth-w2\n    due: 2026-10-04\n")
    plan = runner.invoke(args=["content", "plan"]).output
    assert "改为 2026-10-05 – 2026-10-11（原为 2026-10-12 – 2026-10-25）" in plan, plan
    assert "已通过的 1 名学员仍算通过" in plan
    assert "已通过的 1 名学员仍算通过，相关通知不会重发。移动后已过截止日期：尚未通过的 1 名学员立即逾期" in plan, plan
    _publish(runner)
    # The one who passed keeps week 3 passed; the other is overdue on it.
    programme_page = f"/programmes/{_week(3).programme_id}"
    sign_in(client, ahead)
    text = " ".join(re.sub(r"<[^>]+>", " ", client.get(programme_page).text).split())
    assert "已通过 3 截至本周应完成 3 计划总周数 3" in text
    assert "第 3 周 风险揭示（国庆节后） 已通过 2026-10-05 开放 · 2026-10-11 截止" in text
    sign_in(client, behind)
    text = " ".join(re.sub(r"<[^>]+>", " ", client.get(programme_page).text).split())
    assert "已通过 2 截至本周应完成 3" in text
    assert "第 3 周 风险揭示（国庆节后） 未开始 2026-10-05 开放 · 2026-10-11 截止 · 已逾期" in text


def test_a_week_moved_later_after_an_rm_passed_it_reads_passed_not_not_open(
        client, runner, clock, wealth, make_user, make_branch):
    """Week 3 moved to the next Monday after an RM passed it read "已通过" and "尚未开放。"
    at once, without the score."""
    clock.freeze(datetime(2026, 10, 14, 2, 0, 0))
    rm = _rm(make_user, make_branch("B09"), "E8101", "钱理财")
    _publish(runner)
    sign_in(client, rm)
    assert _sit(client, _exam(3)).passed
    _edit(wealth, PROGRAMME, "    opens: 2026-10-12\n", "    opens: 2026-10-19\n")
    _publish(runner)
    text = " ".join(re.sub(r"<[^>]+>", " ", client.get(f"/programmes/{_week(3).programme_id}").text).split())
    assert "第 3 周 风险揭示（国庆节后） 已通过 2026-10-19 开放 · 2026-10-25 截止 得分 100%" in text, text
    assert "尚未开放" not in text


def test_programme_dates_written_as_trainers_write_them(runner, wealth):
    """`start: 2026/09/14` was "'start' 必须是日期" and then, for every week, "第 N 周 需要
    'opens' 和 'due' 日期" — four problems for one way of writing a date."""
    _edit(wealth, PROGRAMME, "start: 2026-09-14", "start: 2026/09/14")
    _edit(wealth, PROGRAMME, "    opens: 2026-10-12\n", "    opens: 2026年10月12日\n")
    _publish(runner)
    assert (_week(1).opens_on, _week(3).opens_on, _week(3).due_on) == (
        date(2026, 9, 14), date(2026, 10, 12), date(2026, 10, 18))


def test_a_date_that_does_not_exist_is_a_problem_at_its_line_not_a_crash(runner, wealth):
    """`start: 2026-02-30` stopped `flask content check` with a traceback (the YAML
    reader's ValueError), and the console's publish with it."""
    _edit(wealth, PROGRAMME, "start: 2026-09-14", "start: 2026-02-30")
    (wealth / "exams/week-01.yaml").write_text(
        (wealth / "exams/week-01.yaml").read_text(encoding="utf-8") + "closes_at: 2026-12-32\n", encoding="utf-8")
    check = _check(runner)
    assert check.exit_code == 1 and not isinstance(check.exception, ValueError), check.output
    assert f"{PROGRAMME}:5: 'start' 必须是日期，如 2026-09-07（现为 '2026-02-30'）" in check.output, check.output
    assert "exams/week-01.yaml:13: 'closes_at' 必须是日期和时间" in check.output
    assert "需要 'opens' 和 'due' 日期" not in check.output  # the weeks counted from it say nothing more
    assert "2 个文件中共有 2 个问题。" in check.output


def test_an_emoji_made_of_several_in_a_title_is_not_an_invisible_character(runner, wealth):
    """A lesson titled "在售产品对比 👨‍💼" was "“title”含有不可见字符或文字方向控制符 (U+200D)：请删除":
    the joiner inside one emoji; deleting it would show 👨💼. Between letters it is still refused."""
    _edit(wealth, "courses/wealth/lessons/01-产品对比.md", "title: 在售存款与理财产品对比",
          "title: 在售存款与理财产品对比 👨‍💼")
    _edit(wealth, LESSON, "title: 适当性管理与风险揭示", "title: ⚠️ 适当性管理与风险揭示 👩‍🏫")
    check = _check(runner)
    assert check.exit_code == 0, check.output
    _edit(wealth, LESSON, "适当性管理与风险揭示 👩‍🏫", "适当性\u200d管理与风险揭示 👩‍🏫")
    check = _check(runner)
    assert f"{LESSON}:3: “title”含有不可见字符或文字方向控制符 (U+200D)：请删除" in check.output, check.output
