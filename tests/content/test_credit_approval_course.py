"""A credit trainer's own course, from nothing: 小企业信贷审批实务
(tests/content/fixtures/credit). Lessons with a balance-sheet excerpt
(negatives in parentheses, thousands separators, percentages, 万元), formulas
as a trainer types them (÷ × − ≥ ≤ ±, superscripts), a case study over two
lessons, nested numbered lists, a quoted regulation, internal links and an
image of a form; a bank with numeric answers in 万元, %, 元 and a negative one,
"以上都是", fill-in blanks with full-width digits, an essay with a rubric and a
case whose stem carries a table; then sat by an RM typing numbers the way
people type them, changed mid-week and round-tripped through Excel."""
from __future__ import annotations

import io
import random
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms import questions as question_types
from lms.content.console.editor import normalise, text_hash
from lms.content.models import Exam, Question
from lms.exams.models import Attempt
from lms.extensions import db
from tests.conftest import sign_in
from tests.content.console_samples import import_confirm_data, review_for_publish
from tests.exams.takers import as_posted

FIXTURE = Path(__file__).parent / "fixtures" / "credit"
BANK = "courses/sme-credit/questions/ratios.md"


@pytest.fixture
def credit(app, course_folder):
    return course_folder("credit")


@pytest.fixture
def rm(make_user, make_branch):
    return make_user(("learner",), name="孙客户经理", employee_no="E8001", branch=make_branch("B08"),
                     position="rm_junior")


def _publish(runner, *args):
    result = runner.invoke(args=["content", "publish", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _question(slug: str) -> Question:
    return db.session.scalar(select(Question).where(Question.slug == slug))


def _exam() -> Exam:
    return db.session.scalar(select(Exam).where(Exam.slug == "exam-sme-credit"))


# --- the bank as the trainer wrote it -------------------------------------------

def test_numeric_keys_written_as_a_trainer_writes_them(runner, credit):
    """`answer: 62.5%`, `tolerance: ±0.1`, `answer: 1,497.83 ± 0.5 万元` (the
    Excel template's own way) and `answer: −247.46` (the minus sign of the
    statements) were each "'answer' 必须是数字" — the last one of a number."""
    check = runner.invoke(args=["content", "check"])
    assert check.exit_code == 0, check.output
    assert "检查通过：1 门课程、4 个课时、14 道题、1 场考试、1 个培训计划、1 个附件" in check.output
    _publish(runner)
    assert _question("cr-002").current_version.data == {"answer": 62.5, "tolerance": 0.1, "unit": "%"}
    assert _question("cr-003").current_version.data == {"answer": 1497.83, "tolerance": 0.5, "unit": "万元"}
    assert _question("cr-013").current_version.data == {"answer": -247.46, "tolerance": 0.01, "unit": "万元"}


def test_a_tolerance_written_twice_differently_is_a_problem_with_its_line_and_a_unit_is_converted(runner, credit):
    bank = credit / BANK
    text = bank.read_text(encoding="utf-8")
    text = text.replace("answer: 1,497.83 ± 0.5 万元\n", "answer: 1,497.83 ± 0.5 万元\nunit: 元\n")
    text = text.replace("answer: 62.5%\ntolerance: ±0.1\n", "answer: 62.5±0.2 %\ntolerance: ±0.1\n")
    bank.write_text(text, encoding="utf-8")
    check = runner.invoke(args=["content", "check"])
    assert check.exit_code == 1
    assert (f"{BANK}:20: 试题 cr-002：'answer' 中已写明 tolerance 为 0.2，但 'tolerance' 写的是 ±0.1：只写一处"
            in check.output), check.output
    # 1,497.83 ± 0.5 万元 with unit: 元 is 14,978,300 ± 5,000 元, as the trainer means it (test_numeric_written_units).
    assert ":32:" not in check.output and "1 个文件中共有 1 个问题。" in check.output


# --- what the learner reads -----------------------------------------------------

def test_the_lessons_read_as_written(runner, client, clock, credit, rm):
    _publish(runner)
    sign_in(client, rm)
    statements = client.get("/courses/sme-credit-approval/lessons/statements", follow_redirects=True).text
    # The balance sheet: figures right-aligned, negatives in parentheses and separators as printed.
    assert '<th align="right">2025-12-31</th>' in statements
    assert '<td align="right">(247.46)</td>' in statements and '<td align="right">(58.20)</td>' in statements
    assert '<td align="right"><strong>6,757.85</strong></td>' in statements
    assert '<td align="right">+4.2 个百分点</td>' in statements
    assert "营业收入 12,345,678.90 元" in statements
    assert "<li>速动比率 = (流动资产 − 存货) ÷ 流动负债</li>" in statements
    assert "流动比率 ≥ 1.2，资产负债率 ≤ 70%，误差允许 ±0.01。" in statements
    assert "m² 与体积单位 m³" in statements and "10<sup>4</sup> 元" in statements and "H<sub>2</sub>O" in statements
    assert 'href="/courses/sme-credit-approval/lessons/case-part-1#案例背景"' in statements
    # A table scrolls inside the lesson on a phone rather than widening the page.
    assert ".prose table { display: block; overflow-x: auto; }" in client.get("/static/css/app.css").text

    capital = client.get("/courses/sme-credit-approval/lessons/working-capital", follow_redirects=True).text
    assert re.search(r"<blockquote>\s*<p>《流动资金贷款管理办法》第八条：.*?</p>\s*"
                     r"<p>——国家金融监督管理总局令 2024 年第 2 号</p>\s*</blockquote>", capital, re.S)
    # A numbered list inside a numbered item (indented four spaces), and bullets under numbers.
    assert re.search(r"<li>计算周转天数：<ol>\s*<li>存货周转天数 = 360 ÷ 存货周转次数</li>", capital)
    assert re.search(r"<li>计算营运资金量：<ul>\s*<li>营运资金量 = 上年度销售收入 × \(1 − 上年度销售利润率\)", capital)
    # A formula typed with * as the multiplication sign keeps its signs (they made the text between
    # them italic and vanished), while *注意* is still emphasis.
    assert ("营运资金量=上年销售收入*(1-销售利润率)*(1+增长率)/周转次数，资产负债率=负债总额/资产总额*100%，"
            "<em>注意</em>百分数要先换算。") in capital
    image = "/assets/sme-credit-approval/images/%E6%B5%8B%E7%AE%97%E8%A1%A8.png"
    assert f'<img alt="流动资金贷款需求测算表" src="{image}">' in capital
    assert client.get(image).status_code == 200
    # Web pages open in a new tab.
    assert '<a target="_blank" href="https://intranet.bank.local/credit/manual" rel="noopener noreferrer">' in capital
    assert '<a target="_blank" href="http://10.1.2.3/policies/credit.html" rel="noopener noreferrer">' in capital

    # The case over two lessons: each links to the other, the second back to a heading of the first.
    first = client.get("/courses/sme-credit-approval/lessons/case-part-1", follow_redirects=True).text
    assert '<div class="admonition case">' in first and "<li>企业自有资金约 350 万元；</li>" in first
    assert 'href="/courses/sme-credit-approval/lessons/case-part-2"' in first
    second = client.get("/courses/sme-credit-approval/lessons/case-part-2", follow_redirects=True).text
    assert "营运资金量 = 8,600 × (1 − 5%) × (1 + 10%) ÷ 6 = 1,497.83 万元" in second
    assert 'href="/courses/sme-credit-approval/lessons/statements#二常用比率"' in second


@pytest.mark.parametrize("written, shown", [
    ("收入*(1-利润率)*(1+增长率)", "收入*(1-利润率)*(1+增长率)"),
    ("8,600*(1-5%)*(1+10%)/6", "8,600*(1-5%)*(1+10%)/6"),
    ("(a+b)*c 与 3*利率", "(a+b)*c 与 3*利率"),
    ("这是*重点*内容，**粗体**", "这是<em>重点</em>内容，<strong>粗体</strong>"),
    ("，*(注)*，*共 3 项*。*2025*", "，<em>(注)</em>，<em>共 3 项</em>。<em>2025</em>"),
    ("**100%** 与 `a*(b)*c`", "<strong>100%</strong> 与 <code>a*(b)*c</code>"),
])
def test_an_asterisk_between_figures_is_a_multiplication_sign(app, written, shown):
    from lms.content.rendering import render_inline

    assert str(render_inline(written)) == shown


# --- sitting the exam, typing numbers as people type them -------------------------

TYPED = {
    "cr-001": "１.５０",           # full-width digits from a Chinese input method
    "cr-002": "62.5%",
    "cr-003": "1,497.83万元",
    "cr-004": "12,345,678.90",
    "cr-013": "(247.46)",          # the statements' way of writing a negative
    "cr-008": ["１．５"],            # a full-width full stop
    "cr-009": ["营运资金需求", "实际需求"],
    "cr-014": ["1.5", "62.50%", "1234.57"],  # the key says 1.50, 62.5% and 1,234.57
}


def _typed(item, typed=TYPED) -> dict:
    """Right answers, typed as an RM types them."""
    version = item.question_version
    slug = version.question.slug
    name = f"a-{item.id}"
    data = version.data
    if version.type == "numeric":
        return as_posted(item, {name: typed[slug]})
    if version.type == "fill":
        return as_posted(item, {f"{name}-{i + 1}": v for i, v in enumerate(typed[slug])})
    if version.type == "single":
        return as_posted(item, {name: data["correct"][0]})
    if version.type == "multiple":
        return as_posted(item, {name: list(data["correct"])})
    if version.type == "truefalse":
        return as_posted(item, {name: "true" if data["correct"] else "false"})
    if version.type == "essay":
        return as_posted(item, {name: "核定不超过 847.83 万元；核实关联往来；按月监测回款。"})
    return as_posted(item, {f"{name}-a": "６", f"{name}-b": "847.8 万元", f"{name}-c": "B", f"{name}-d": "true"})


def _start(client, exam) -> Attempt:
    started = client.post(f"/exams/{exam.id}/start")
    assert started.status_code == 302 and "/attempts/" in started.headers["Location"], started.text
    return db.session.get(Attempt, int(started.headers["Location"].rstrip("/").split("/")[-1]))


def _answer(client, attempt, answers, only=None) -> None:
    for item in attempt.items:
        if only and item.question_version.question.slug not in only:
            continue
        saved = client.post(f"/attempts/{attempt.id}/items/{item.id}", data=answers(item),
                            headers={"HX-Request": "true"})
        assert saved.status_code == 200 and "已保存" in saved.text, saved.text


def test_an_rm_types_the_numbers_as_people_type_them_and_every_one_counts(client, runner, clock, credit, rm):
    """A negative typed as the lesson prints it, (247.46), was marked wrong; so
    were 1.5 in a blank whose answer is 1.50, and 1234.57 for 1,234.57."""
    _publish(runner)
    sign_in(client, rm)
    attempt = _start(client, _exam())
    assert sorted(i.question_version.question.slug for i in attempt.items) == sorted(
        [f"cr-{n:03d}" for n in range(1, 15)])
    page = client.get(f"/attempts/{attempt.id}").text
    # The case's stem, with its table, stands once above its four parts; units sit by their boxes.
    assert re.search(r'<div class="q-stem prose">.*?湘江商贸有限公司 2025 年.*?<td align="right">8,600 万元</td>',
                     page, re.S)
    assert '<span class="unit">万元</span>' in page and '<span class="unit">%</span>' in page
    _answer(client, attempt, _typed)
    assert client.post(f"/attempts/{attempt.id}/submit").status_code == 302
    db.session.refresh(attempt)
    assert attempt.state == "grading"  # the essay waits for a trainer
    wrong = {i.question_version.question.slug: i.answer for i in attempt.items
             if i.question_version.type != "essay" and i.awarded != i.points}
    assert wrong == {}


@pytest.mark.parametrize("typed, right", [
    ("−247.46", True),       # U+2212, copied from the lesson
    ("－247.46", True),      # full-width hyphen-minus
    ("-247.46万元", True),
    ("（247.46）", True),     # full-width parentheses
    ("(247.46) 万元", True),
    ("247.46", False),
    ("(247.46", False),
    ("-(247.46)", False),
])
def test_a_negative_amount_in_every_form_a_learner_types_it(app, typed, right):
    data = {"answer": -247.46, "tolerance": 0.01, "unit": "万元"}
    assert (question_types.get("numeric").grade(data, typed).fraction == 1.0) is right


@pytest.mark.parametrize("answer, tolerance, at, beyond", [
    (98765432.1, 0.1, "98,765,432.2", "98,765,432.21"),     # an amount in 元, right at the tolerance
    (98765432.1, 0.01, "98765432.09", "98765432.089"),
    (99999999.99, 0.01, "100,000,000.00", "100,000,000.01"),
    (1497.83, 0.5, "1497.33", "1497.32"),
])
def test_an_answer_exactly_at_the_tolerance_is_right_for_amounts_in_yuan(app, answer, tolerance, at, beyond):
    """With binary floats 98,765,432.2 − 98,765,432.1 comes out a little over 0.1:
    an RM who typed the boundary of a large amount was marked wrong
    (FORMAT: the tolerance is absolute, boundaries included)."""
    numeric = question_types.get("numeric")
    assert numeric.grade({"answer": answer, "tolerance": tolerance}, at).fraction == 1.0
    assert numeric.grade({"answer": answer, "tolerance": tolerance}, beyond).fraction == 0.0


def test_all_of_the_above_keeps_its_place_when_options_are_shuffled(client, runner, clock, credit, rm):
    """With shuffle_options (the default) "以上都是" came up first or second
    three times in four: "above" it stood nothing, or only part of the list."""
    _publish(runner)
    single = question_types.get("single")
    signals = _question("cr-007").current_version.data        # D: 以上都是 (the key)
    orders = {tuple(single.option_order(signals, random.Random(seed), True)) for seed in range(40)}
    assert len(orders) > 1 and all(order[-1] == "D" for order in orders)
    deductions = _question("cr-006").current_version.data     # multiple; D: 以上都是 (wrong)
    multiple = question_types.get("multiple")
    assert all(multiple.option_order(deductions, random.Random(seed), True)[-1] == "D" for seed in range(40))
    case = question_types.get("case")
    parts = _question("cr-012").current_version.data
    assert all(case.option_order(parts, random.Random(seed), True)["c"][-1] == "D" for seed in range(40))
    # Options merely mentioning "以上" elsewhere in the text still move.
    text = {"options": [{"key": k, "text": t} for k, t in zip("ABC", ["5 万元以上", "以上都不是", "20 万元"])]}
    orders = {tuple(single.option_order(text, random.Random(seed), True)) for seed in range(40)}
    assert {o[1] for o in orders} == {"B"} and {o[0] for o in orders} == {"A", "C"}

    sign_in(client, rm)
    attempt = _start(client, _exam())
    item = next(i for i in attempt.items if i.question_version.question.slug == "cr-007")
    assert item.option_order[-1] == "D"


# --- changed mid-week, with learners in the middle of it ---------------------------

def test_mid_week_a_key_widened_a_table_fixed_and_a_question_removed(client, runner, clock, credit, rm, make_user):
    """The trainer hears that RMs who cut the working capital to whole 万元
    (1,497) were marked wrong, widens the tolerance, fixes a figure of the balance
    sheet and removes a fill-in question — with one RM submitted and one
    half-way."""
    _publish(runner)
    exam = _exam()
    sign_in(client, rm)
    done = _start(client, exam)
    _answer(client, done, lambda item: _typed(item, {**TYPED, "cr-003": "1,497"}))
    assert client.post(f"/attempts/{done.id}/submit").status_code == 302
    cr003 = next(i for i in done.items if i.question_version.question.slug == "cr-003")
    db.session.refresh(cr003)
    assert cr003.awarded == 0

    other = make_user(("learner",), employee_no="E8002", branch=rm.branch, position="rm_junior")
    sign_in(client, other)
    halfway = _start(client, exam)

    lesson = credit / "courses/sme-credit/lessons/01-报表阅读.md"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("| 58.3% | 62.5% | +4.2 个百分点 |",
                                                                 "| 58.5% | 62.5% | +4.0 个百分点 |"),
                      encoding="utf-8")
    bank = credit / BANK
    head, *blocks = re.split(r"(?m)^(?=## )", bank.read_text(encoding="utf-8"))
    blocks = [b.replace("answer: 1,497.83 ± 0.5 万元", "answer: 1,497.83 ± 1 万元") for b in blocks
              if not b.startswith("## cr-009")]
    bank.write_text(head + "".join(blocks), encoding="utf-8")
    exam_file = credit / "exams/sme-credit-final.yaml"
    exam_file.write_text(exam_file.read_text(encoding="utf-8").replace(" cr-009,", ""), encoding="utf-8")

    plan = runner.invoke(args=["content", "plan"])
    assert plan.exit_code == 0, plan.output
    assert "课时：修改 sme-credit-approval/statements" in plan.output
    assert "试题：已停用 cr-009" in plan.output
    # The widened key changes the submitted attempt's score (still waiting for its essay: no verdict yet).
    assert "更正答案 (cr-003)：1 份已交卷的答卷按新答案得分会变" in plan.output
    assert "其中 1 份仍在等待主观题阅卷" in plan.output
    assert "1 份进行中的答卷看到的题目与新版本相同（只改了答案、权重或解析）：发布时即改用新版本" in plan.output
    refused = runner.invoke(args=["content", "publish"])
    assert refused.exit_code == 1 and "--regrade" in refused.output
    _publish(runner, "--regrade", "--reason", "只写到整数万元的答案也算对")

    db.session.refresh(cr003)
    assert cr003.awarded == cr003.points
    # The RM half-way: the key moved under them; the whole 万元 is right, the removed question is still theirs.
    sign_in(client, other)
    _answer(client, halfway, _typed)
    _answer(client, halfway, lambda item: as_posted(item, {f"a-{item.id}": "1497"}), only={"cr-003"})
    assert client.post(f"/attempts/{halfway.id}/submit").status_code == 302
    db.session.refresh(halfway)
    assert all(i.awarded == i.points for i in halfway.items if i.question_version.type != "essay")
    assert "cr-009" in {i.question_version.question.slug for i in halfway.items}
    lesson_page = client.get("/courses/sme-credit-approval/lessons/statements", follow_redirects=True).text
    assert '<td align="right">58.5%</td>' in lesson_page and "+4.0 个百分点" in lesson_page
    newcomer = make_user(("learner",), employee_no="E8003", branch=rm.branch, position="rm_junior")
    sign_in(client, newcomer)
    assert "cr-009" not in {i.question_version.question.slug for i in _start(client, exam).items}


# --- Excel: export, edit, import back ------------------------------------------------

def test_the_bank_goes_to_excel_and_back(runner, credit, tmp_path):
    """An unchanged round trip changes nothing; a trainer who corrects a key in
    the sheet with the statements' minus sign (−) was told it is not a number."""
    _publish(runner)
    exported = tmp_path / "信贷题库.xlsx"
    result = runner.invoke(args=["content", "export-xlsx", "--course", "sme-credit-approval", "-o", str(exported)])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["content", "import-xlsx", str(exported), "--course", "sme-credit-approval",
                                "--bank", "ratios"])
    assert again.exit_code == 0, again.output
    assert "新增 0 道题，修改 0 道，停用 0 道，14 道未变" in again.output

    book = load_workbook(exported)
    sheet = book["题库"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert rows["cr-002"][9].value == "62.5±0.1 %" and rows["cr-003"][9].value == "1497.83±0.5 万元"
    assert rows["cr-008"][9].value == "1.50|1.5|１.５|１.５０"
    rows["cr-013"][9].value = "−247.5±0.05 万元"
    buffer = io.BytesIO()
    book.save(buffer)
    exported.write_bytes(buffer.getvalue())
    edited = runner.invoke(args=["content", "import-xlsx", str(exported), "--course", "sme-credit-approval",
                                 "--bank", "ratios"])
    assert edited.exit_code == 0, edited.output
    assert "新增 0 道题，修改 1 道，停用 0 道，13 道未变" in edited.output
    assert _question("cr-013").current_version.data == {"answer": -247.5, "tolerance": 0.05, "unit": "万元"}


@pytest.mark.parametrize("accepted, typed, right", [
    ("1.50", "1.5", True),
    ("1.50", "１．５００", True),
    ("1,234.57", "1234.57", True),
    ("1234.57", "1,234.57", True),
    ("62.5%", "62.50％", True),
    ("62.5%", "62.5", False),      # the per cent sign is part of what the blank asks
    ("1.50", "1.51", False),
    ("第8条", "第08条", False),    # not a plain number: compared as text
    ("次级", "次级", True),
])
def test_a_blank_whose_answer_is_a_number_takes_it_however_it_is_written(app, accepted, typed, right):
    data = {"blanks": [[accepted]]}
    assert (question_types.get("fill").grade(data, [typed]).fraction == 1.0) is right


def test_the_trainer_and_the_learner_read_a_key_in_yuan_with_every_digit(client, runner, clock, credit, rm,
                                                                          make_user):
    """The console (and an import's preview) showed the key of 营业收入 as
    "1.23457e+07 ± 0.5 元": another number, 12,345,700."""
    _publish(runner)
    trainer = make_user(("trainer",), employee_no="T8001")
    sign_in(client, trainer)
    page = client.get("/console/questions/cr-004").text
    assert "<code>12345678.9 ± 0.5 元</code>" in page and "e+07" not in page
    assert "<code>1497.83 ± 0.5 万元</code>" in client.get("/console/questions/cr-003").text
    sign_in(client, rm)
    attempt = _start(client, _exam())
    _answer(client, attempt, _typed)
    assert client.post(f"/attempts/{attempt.id}/submit").status_code == 302
    sign_in(client, trainer)
    essay = next(i for i in attempt.items if i.needs_grading)
    assert client.post(f"/grading/items/{essay.id}", data={"points": "8"}).status_code == 302
    sign_in(client, rm)
    review = client.get(f"/attempts/{attempt.id}/result").text
    assert "<strong>12,345,678.9 ± 0.5 元</strong>" in review
    assert "<strong>-247.46 ± 0.01 万元</strong>" in review


# --- the other ways in: a zip in the console, the editor, a GIFT file ------------------

GIFT_BANK = """// 信贷审批：GIFT 题库（培训师从 Moodle 导出）
$CATEGORY: $course$/top/财务比率

::cg-001:: 某企业流动资产 6,757.85 万元，流动负债 4,500.00 万元，流动比率（两位小数）为：{#1.50:0.01}

::cg-002:: 货币资金由 1,234.56 万元降到 987.10 万元，变动为多少万元？{#-247.46:0.01}

::cg-003:: 下列属于贷后预警信号的是：{~销售回款连续下降 ~实际控制人涉诉 =以上都是}

::cg-004:: 资产负债率 62.5% 写成小数是 {=0.625 =.625} 。
"""


def test_the_course_comes_in_as_a_zip_is_edited_in_the_console_and_gets_a_gift_bank(client, runner, app, tmp_path,
                                                                                    make_user):
    root = tmp_path / "content"
    (root / "courses").mkdir(parents=True)
    app.config["CONTENT_DIR"] = str(root)
    sign_in(client, make_user(("trainer",), employee_no="T8002"))
    course = FIXTURE / "courses" / "sme-credit"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in course.rglob("*") if p.is_file()):
            zf.writestr("小企业信贷/" + path.relative_to(course).as_posix(), path.read_bytes())
    buffer.seek(0)
    page = client.post("/console/upload", data={"archive": (buffer, "小企业信贷.zip")},
                       content_type="multipart/form-data")
    assert page.status_code == 200 and "sme-credit-approval" in page.text, page.text
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page.text).group(1)
    assert client.post("/console/upload/confirm", data={"token": token}).status_code == 302
    assert _question("cr-003").current_version.data == {"answer": 1497.83, "tolerance": 0.5, "unit": "万元"}

    # The editor: the trainer writes the key on one line, the Excel way.
    folder = next(p for p in (root / "courses").iterdir() if (p / "course.md").is_file())
    path = f"courses/{folder.name}/questions/ratios.md"
    on_disk = root / path
    text = on_disk.read_text(encoding="utf-8").replace("answer: 62.5%\ntolerance: ±0.1\n", "answer: 62.5±0.2 %\n")
    data = {"path": path, "text": text, "base_hash": text_hash(on_disk.read_bytes()),
            "reviewed_hash": text_hash(normalise(text))}
    review = review_for_publish(client, data)
    assert review.status_code == 200 and "cr-002" in review.text, review.text
    assert client.post("/console/publish", data=data).status_code == 302
    assert _question("cr-002").current_version.data == {"answer": 62.5, "tolerance": 0.2, "unit": "%"}

    # A GIFT bank of the same course: keys shown in the preview, then published.
    page = client.post("/console/import/", data={"course": "sme-credit-approval", "bank": "gift",
                                                 "upload": (io.BytesIO(GIFT_BANK.encode()), "信贷.gift.txt")},
                       content_type="multipart/form-data")
    assert page.status_code == 200 and "cg-002" in page.text, page.text
    assert "<code>-247.46 ± 0.01</code>" in page.text and "<code>1.5 ± 0.01</code>" in page.text
    assert client.post("/console/import/confirm", data=import_confirm_data(page.text)).status_code == 302
    assert _question("cg-002").current_version.data == {"answer": -247.46, "tolerance": 0.01}
    signals = _question("cg-003").current_version.data
    assert [o["text"] for o in signals["options"]][-1] == "以上都是" and signals["correct"] == ["C"]
    assert all(question_types.get("single").option_order(signals, random.Random(s), True)[-1] == "C"
               for s in range(20))
    blank = _question("cg-004").current_version.data
    assert question_types.get("fill").grade(blank, ["0.6250"]).fraction == 1.0
