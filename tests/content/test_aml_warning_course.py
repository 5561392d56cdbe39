"""A trainer with content of their own, from nothing: 反洗钱与案例警示教育
(tests/content/fixtures/aml: 大额和可疑交易报告, 客户身份识别 and a case study
with a table of transactions whose amounts are right-aligned and that scrolls
on a phone, an image, footnotes (one with a Chinese label), nested lists,
quotes, full-width punctuation; a bank with every question type, option
feedback, partial-credit weights, a case of six parts; an exam; a weekly
programme), published and taken through the ways the app offers, with the
mistakes a real trainer makes in a GIFT file and an Excel sheet."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from lms import questions as question_types
from lms.content.importers.gift import parse_gift
from lms.content.importers.xlsx import read_xlsx
from lms.content.models import Exam, Question
from lms.exams.models import Attempt
from lms.extensions import db
from tests.conftest import sign_in
from tests.content.console_samples import import_confirm_data, review_for_publish
from tests.content.test_trainer_own_course import _right
from tests.exams.takers import as_posted

IMPORTS = Path(__file__).parent / "fixtures" / "aml_imports"
COURSE = "courses/aml-warning"


@pytest.fixture
def aml(app, course_folder):
    return course_folder("aml")


@pytest.fixture
def rm(make_user, make_branch):
    return make_user(("learner",), name="钱学员", employee_no="E7001", branch=make_branch("B07"),
                     position="rm_junior")


def _publish(runner, *args):
    result = runner.invoke(args=["content", "publish", *args])
    assert result.exit_code == 0, result.output
    return result.output


# --- what the learner reads ---------------------------------------------------

def test_the_course_publishes_and_the_learner_reads_it_as_written(runner, client, clock, aml, rm):
    check = runner.invoke(args=["content", "check"])
    assert check.exit_code == 0, check.output
    assert "检查通过：1 门课程、3 个课时、7 道题、1 场考试、1 个培训计划、1 个附件" in check.output
    _publish(runner)
    sign_in(client, rm)

    case = client.get("/courses/aml-warning/lessons/case-study", follow_redirects=True)
    assert case.status_code == 200
    # The table of transactions: amounts right-aligned as the trainer wrote (| ---: |).
    assert '<th align="right">转入（元）</th>' in case.text
    assert '<td align="right">49,500.00</td>' in case.text
    assert '<td align="left">' not in case.text  # columns without a colon are not given one
    # Ten columns scroll inside the lesson on a phone (.prose table is a scrolling block).
    assert re.search(r'class="[^"]*\bprose\b[^"]*"[^>]*>.*?<table>', case.text, re.S)
    css = client.get("/static/css/app.css").text
    assert ".prose table { display: block; overflow-x: auto; }" in css
    # The image, served; the quote with its attribution; the nested list; the footnote with a Chinese label.
    image = "/assets/aml-warning/images/%E8%B5%84%E9%87%91%E6%B5%81%E5%90%91%E5%9B%BE.png"
    assert f'src="{image}"' in case.text and client.get(image).status_code == 200
    assert re.search(r"<blockquote>\s*<p>张某的做法违反了保密要求：<strong>不得</strong>向客户透露可疑交易报告情况。</p>"
                     r"\s*<p>——摘自支行反洗钱岗的复盘意见</p>\s*</blockquote>", case.text)
    assert re.search(r"<li>记录：<ul>\s*<li>客户身份与交易明细；</li>", case.text)
    assert '<sup id="fnref:流程"><a href="#fn:流程"' in case.text and 'id="fn:流程"' in case.text
    assert 'href="/courses/aml-warning/lessons/reporting#两类报告"' in case.text

    reporting = client.get("/courses/aml-warning/lessons/reporting", follow_redirects=True).text
    assert re.search(r"<li><strong>大额交易报告</strong>（“大额”）：<ul>\s*<li>当日单笔或累计现金交易人民币 5 万元以上"
                     r"（含 5 万元）；</li>", reporting)
    assert 'href="/courses/aml-warning/lessons/kyc#持续识别"' in reporting  # a link inside a footnote
    assert '<div class="admonition risk">' in reporting


# --- sitting it as an RM: fail, retake, pass; mistakes; item analysis ------------

def _wrong(item) -> dict:
    """A wrong answer to every question (the case's parts too)."""
    version = item.question_version

    def answer(qtype, data, field):
        if qtype in ("single", "multiple"):
            keys = [o["key"] for o in data["options"] if o["key"] not in data["correct"]]
            return {field: keys[0] if qtype == "single" else keys}
        if qtype == "truefalse":
            return {field: "false" if data["correct"] else "true"}
        if qtype == "fill":
            return {f"{field}-{i + 1}": "不知道" for i in range(len(data["blanks"]))}
        if qtype == "numeric":
            return {field: "1"}
        return {field: "不清楚。"}

    name = f"a-{item.id}"
    if version.type != "case":
        return as_posted(item, answer(version.type, version.data, name))
    form = {}
    for part in version.data["parts"]:
        form.update(answer(part["type"], part["data"], f"{name}-{part['id']}"))
    return as_posted(item, form)


def _sit(client, exam, answers) -> Attempt:
    started = client.post(f"/exams/{exam.id}/start")
    assert started.status_code == 302, started.text
    attempt = db.session.get(Attempt, int(started.headers["Location"].rstrip("/").split("/")[-1]))
    for item in attempt.items:
        saved = client.post(f"/attempts/{attempt.id}/items/{item.id}", data=answers(item),
                            headers={"HX-Request": "true"})
        assert saved.status_code == 200 and "已保存" in saved.text, saved.text
    assert client.post(f"/attempts/{attempt.id}/submit").status_code == 302
    db.session.refresh(attempt)
    return attempt


def _grade(client, trainer, attempt, *, full: bool) -> None:
    """The trainer grades the essays (the case is graded as a whole): full points or none."""
    sign_in(client, trainer)
    for item in attempt.items:
        if item.needs_grading:
            points = str(item.points) if full else "0"
            assert client.post(f"/grading/items/{item.id}", data={"points": points}).status_code == 302
    db.session.refresh(attempt)


def test_an_rm_fails_retakes_and_passes_and_the_trainer_sees_the_items(client, runner, clock, aml, rm, make_user):
    _publish(runner)
    trainer = make_user(("trainer",), employee_no="T7001")
    exam = db.session.scalar(select(Exam).where(Exam.slug == "exam-aml-warning"))
    sign_in(client, rm)
    home = client.get("/").text  # this week's training on the home page
    assert "第 1 周 反洗钱与案例警示" in home and "案例警示：“过桥”账户" in home and "参加考试" in home

    first = _sit(client, exam, _wrong)
    _grade(client, trainer, first, full=False)
    assert first.state == "finalised" and first.passed is False and first.percent == 0.0

    sign_in(client, rm)
    result = client.get(f"/attempts/{first.id}/result").text
    # The stem's table of transactions, amounts right-aligned, inside the question's prose (it scrolls on a phone).
    assert re.search(r'<div class="q-stem prose">.*?<table>.*?<td align="right">49,500.00</td>', result, re.S)
    # The review shows the option's own feedback to whoever chose it, and the explanation.
    assert "20 万元是旧标准中的转账标准。" in result or "解析" in result
    assert "化整为零、快进快出，与经营规模不符。" in result
    notebook = client.get("/notebook/").text
    assert "“鑫达商贸”案中，哪些是可疑特征？" in notebook and "当日累计现金交易人民币多少元以上" in notebook
    # A stem with a table is summarised as the learner reads it, not as markdown ("| 日期 | 对手方 | --- |").
    table_stem = "“鑫达商贸”账户 4 月 1 日、2 日的个人转入如下： 四笔合计多少元？"
    assert table_stem in notebook and "| ---" not in notebook and "| 日期" not in notebook

    second = _sit(client, exam, _right)
    assert second.number == 2 and second.state == "grading"
    _grade(client, trainer, second, full=True)
    assert second.passed and second.percent == 100.0

    analysis = client.get(f"/analysis/exams/{exam.id}")
    assert analysis.status_code == 200
    assert "“鑫达商贸”案中，哪些是可疑特征？" in analysis.text
    assert table_stem in analysis.text and "| ---" not in analysis.text
    # Both attempts are there; the item statistics count first attempts (the one failed).
    assert re.search(r"<code>amlw-002</code>.*?多笔略低于 5 万元的转入：0 \(0%\)", analysis.text, re.S)


# --- the imports, with a trainer's mistakes -----------------------------------

def test_the_gift_bank_saved_by_windows_imports(runner, aml, english):
    _publish(runner)
    gift = IMPORTS / "反洗钱警示.gift.txt"
    assert gift.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" in gift.read_bytes()
    result = runner.invoke(args=["content", "import-gift", str(gift), "--course", "aml-warning", "--bank", "gift"])
    assert result.exit_code == 0, result.output
    assert "新增 6 道题，修改 0 道，停用 0 道，0 道未变" in result.output
    bank = (aml / COURSE / "questions" / "gift.md").read_text(encoding="utf-8")
    assert "weights: A 50, B 50, C -100" in bank and "[[5|五]]" in bank and "answer: 198200" in bank


def test_full_width_braces_and_markers_in_a_gift_file_are_problems_with_their_line(app):
    """A Chinese input method in full-width mode types ｛ ｝ ＝ ～: "｛T｝" was
    skipped as a Moodle description (the question silently missing from the
    import), and "{＝5 ＝五}" became a fill-in whose one accepted answer was
    "＝5 ＝五"."""
    text = ("::kyc-07::客户身份资料变化时应当重新识别。｛T｝\r\n\r\n"
            "::kyc-08::大额交易报告应在 {＝5 ＝五} 个工作日内报送。\r\n\r\n"
            "::kyc-09::应识别的是？{\r\n  ＝受益所有人\r\n  ～财务人员\r\n}\r\n")
    questions, problems = parse_gift(text, "反洗钱警示.gift.txt")
    assert questions == []
    assert [(p.source.line, p.message) for p in problems] == [
        (1, "第 1 行：答案用了全角花括号“｛ ｝”：请改为半角的 { }（把输入法切换到半角）"),
        (3, "第 3 行：答案以全角的“＝”开头：请改为半角的 = 或 ~（把输入法切换到半角）"),
        (6, "第 6 行：答案以全角的“＝”开头：请改为半角的 = 或 ~（把输入法切换到半角）"),
    ]
    # A full-width tilde inside an answer ("5～10 万") is text, not a marker.
    questions, problems = parse_gift("::r::区间？{=5～10 万 ~1 万}", "x.gift")
    assert problems == [] and questions[0].data["options"][0]["text"] == "5～10 万"


def _sheet(rows: list[dict], percent_cells=()) -> bytes:
    import io

    from openpyxl import Workbook

    headers = ["编号", "题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "分值", "难度", "知识点"]
    wb = Workbook()
    ws = wb.active
    ws.title = "题库"
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    for cell in percent_cells:
        ws[cell].number_format = "0%"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_excel_answers_as_a_trainer_types_them(app):
    """答案 "A、B/C" (separators mixed) was refused ("write the answer as
    option letters … (got “A、B/C”)"); a numeric answer typed as 25% in
    Excel (a number 0.25 in a cell formatted as a percentage) was imported
    as 0.25, so every learner who typed 25 or 25% was marked wrong."""
    data = _sheet([
        {"编号": "xl-001", "题型": "多选", "题干": "哪些是可疑特征？", "选项A": "化整为零", "选项B": "快进快出",
         "选项C": "当日转往境外", "选项D": "代发工资", "答案": "A、B/C ", "分值": "3"},
        {"编号": "xl-002", "题型": "单选", "题干": "报告标准？", "选项A": "5 万元", "选项B": "20 万元", "答案": "Ａ "},
        {"编号": "xl-003", "题型": "数值", "题干": "甲的持股比例是多少？", "答案": 0.3},
        {"编号": "xl-004", "题型": "数值", "题干": "乙的持股比例是多少？", "答案": 0.125},
        {"编号": "xl-005", "题型": "数值", "题干": "四笔合计多少元？", "答案": "198200"},
    ], percent_cells=("H4", "H5"))
    result = read_xlsx(data, "反洗钱题库.xlsx")
    assert result.problems == []
    multiple, single, percent, fraction, text = result.questions
    assert multiple.data["correct"] == ["A", "B", "C"] and multiple.points == 3.0
    assert single.data["correct"] == ["A"]
    assert percent.data == {"answer": 30.0, "tolerance": 0.0, "unit": "%"}
    assert fraction.data == {"answer": 12.5, "tolerance": 0.0, "unit": "%"}
    assert text.data == {"answer": 198200.0, "tolerance": 0.0}
    numeric = question_types.get("numeric")
    assert numeric.grade(percent.data, "30%").fraction == 1.0 and numeric.grade(percent.data, "30").fraction == 1.0


def test_excel_mistakes_name_their_row_and_column(app):
    """Duplicate ids and a key naming an option that is empty: each with its
    cell, nothing imported."""
    data = _sheet([
        {"编号": "xl-001", "题型": "单选", "题干": "甲？", "选项A": "一", "选项B": "二", "答案": "E"},
        {"编号": "XL-001", "题型": "判断", "题干": "乙？", "答案": "对"},
    ])
    result = read_xlsx(data, "反洗钱题库.xlsx")
    assert result.questions == []
    assert [p.message for p in result.problems] == [
        "第 2 行 答案 列 (H2)：答案 E 对应的选项是空的",
        "第 3 行 编号 列 (A3)：编号 xl-001 已在第 2 行使用",
    ]



# --- changing the course mid-week ---------------------------------------------

def test_mid_week_a_typo_a_reordered_bank_and_a_deleted_question_that_attempts_used(client, runner, clock, aml, rm,
                                                                                    make_user):
    """The plan listed the question retired (amlw-003) and nothing under
    "对正在学习的学员的影响", although an attempt in progress and a submitted
    one had drawn it and a learner had it in the wrong-answer notebook (the
    README: the plan names what is retired and who had taken it)."""
    _publish(runner)
    exam = db.session.scalar(select(Exam).where(Exam.slug == "exam-aml-warning"))
    sign_in(client, rm)
    failed = _sit(client, exam, _wrong)  # amlw-003 wrong: in the notebook once graded
    _grade(client, make_user(("trainer",), employee_no="T7001"), failed, full=False)
    assert failed.state == "finalised" and not failed.passed
    other = make_user(("learner",), employee_no="E7002", branch=rm.branch, position="rm_junior")
    sign_in(client, other)
    started = client.post(f"/exams/{exam.id}/start")
    open_attempt = db.session.get(Attempt, int(started.headers["Location"].rstrip("/").split("/")[-1]))

    lesson = aml / COURSE / "lessons" / "03-案例警示.md"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("经营场所空置；", "经营场所空置、无人办公；"),
                      encoding="utf-8")
    bank = aml / COURSE / "questions" / "反洗钱题库.md"
    head, *questions = re.split(r"(?m)^(?=## )", bank.read_text(encoding="utf-8"))
    questions[0], questions[1] = questions[1], questions[0]  # amlw-002 before amlw-001
    bank.write_text(head + "".join(q for q in questions if not q.startswith("## amlw-003")), encoding="utf-8")
    plan = runner.invoke(args=["content", "plan"])
    # The exam still names the deleted question: the problem says where and why.
    assert plan.exit_code == 1
    assert "exams/aml-warning-exam.yaml:10: 抽题规则 1：试题 'amlw-003' 已停用（或将在本次发布中停用）" in plan.output
    exam_file = aml / "exams" / "aml-warning-exam.yaml"
    exam_file.write_text(exam_file.read_text(encoding="utf-8").replace(" amlw-003,", ""), encoding="utf-8")
    plan = runner.invoke(args=["content", "plan"])
    assert plan.exit_code == 0, plan.output
    assert "课时：修改 aml-warning/case-study" in plan.output
    assert "试题：已停用 amlw-003" in plan.output and "试题：修改" not in plan.output  # the reorder
    assert "试题 amlw-003 已停用（已从题库删除）：新的考试不会再抽到它；1 份进行中的答卷、1 份已交卷的答卷抽到了它并保留它：" \
           "按它评分，成绩、回顾和试题分析都显示它。1 名学员的错题本里有这道题：它作为记录保留并标为已停用，不再练习。" in plan.output, plan.output
    _publish(runner)

    # The learner in the middle of the exam still answers and submits the deleted question.
    sign_in(client, other)
    item = next(i for i in open_attempt.items if i.question_version.question.slug == "amlw-003")
    saved = client.post(f"/attempts/{open_attempt.id}/items/{item.id}", data=_right(item),
                        headers={"HX-Request": "true"})
    assert saved.status_code == 200 and "已保存" in saved.text
    assert client.post(f"/attempts/{open_attempt.id}/submit").status_code == 302
    db.session.refresh(item)
    assert item.awarded == item.points and item.correct
    # The lesson reads corrected; a new attempt no longer draws the deleted question.
    assert "经营场所空置、无人办公；" in client.get("/courses/aml-warning/lessons/case-study", follow_redirects=True).text
    sign_in(client, rm)
    retake = client.post(f"/exams/{exam.id}/start")
    assert retake.status_code == 302
    retake = db.session.get(Attempt, int(retake.headers["Location"].rstrip("/").split("/")[-1]))
    assert sorted(i.question_version.question.slug for i in retake.items) == [
        "amlw-001", "amlw-002", "amlw-004", "amlw-005", "amlw-006", "amlw-007"]


# --- a bank file written as a trainer writes it ---------------------------------

def test_a_bank_with_the_excel_words_and_full_width_brackets(runner, aml):
    """"type: 单选" and "difficulty: 难" (the words of the Excel template the
    trainer knows) were refused ("unknown question type '单选'"); an option
    typed with full-width brackets "- ［x］甲" (or "- []乙") was read as stem
    text, and the only problem said "single 题至少需要两个选项", not which line
    was wrong."""
    bank = aml / COURSE / "questions" / "反洗钱题库.md"
    text = bank.read_text(encoding="utf-8")
    text = text.replace("## amlw-001\ntype: single\npoints: 2\ndifficulty: easy",
                        "## amlw-001\ntype: 单选题\npoints: 2\ndifficulty: 易")
    text = text.replace("## amlw-007\ntype: case\ndifficulty: medium", "## amlw-007\ntype: 案例\ndifficulty: 中")
    exam = aml / "exams" / "aml-warning-exam.yaml"
    exam.write_text(exam.read_text(encoding="utf-8") + "  - {count: 1, type: 多选, difficulty: 中}\n",
                    encoding="utf-8")
    text += "\n## amlw-008\ntype: 多选\n\n可疑特征有：\n\n- [x] 快进快出\n- [x] 化整为零\n- [ ] 代发工资\n"
    bank.write_text(text, encoding="utf-8")
    _publish(runner)
    types = dict(db.session.execute(select(Question.slug, Question.id)).all())
    versions = {slug: db.session.get(Question, qid).current_version for slug, qid in types.items()}
    assert (versions["amlw-001"].type, versions["amlw-001"].difficulty) == ("single", "easy")
    assert versions["amlw-007"].type == "case" and versions["amlw-008"].type == "multiple"
    assert db.session.scalar(select(Exam.draw_json).where(Exam.slug == "exam-aml-warning")).count('"multiple"') == 1

    lines = text.split("\n") + ["", "## amlw-009", "type: single", "", "全角方括号", "", "- ［x］甲", "- []乙", ""]
    bank.write_text("\n".join(lines), encoding="utf-8")
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    first = lines.index("- ［x］甲") + 1
    message = "试题 amlw-009：这一行像是选项，但写法不对：请写成“- [ ] ”或“- [x] ”——半角方括号，中间是一个空格或 x，后面再空一格"
    assert f"{COURSE}/questions/反洗钱题库.md:{first}: {message}" in result.output
    assert f"{COURSE}/questions/反洗钱题库.md:{first + 1}: {message}" in result.output
    assert "至少需要两个选项" not in result.output and "共有 2 个问题" in result.output


# --- the console -------------------------------------------------------------

def test_the_console_import_previews_the_gift_bank_in_the_trainers_words(client, runner, aml, make_user):
    """The preview of an import listed a true/false key as the code
    ("答案: true") on the Chinese page; it says 对 / 错, as the exam does."""
    import io

    _publish(runner)
    sign_in(client, make_user(("trainer",)))
    gift = (IMPORTS / "反洗钱警示.gift.txt").read_bytes()
    page = client.post("/console/import/", data={"course": "aml-warning", "bank": "gift",
                                                 "upload": (io.BytesIO(gift), "反洗钱警示.gift.txt")},
                       content_type="multipart/form-data")
    assert page.status_code == 200
    preview = page.text.split('class="import-questions"')[1]
    kyc_02 = preview.split('id="q-gift-kyc-02"')[1].split("</li>")[0]
    assert "<code>对</code>" in kyc_02 and "<code>true</code>" not in kyc_02
    assert "<code>198200</code>" in preview  # the numeric key, as typed
    assert client.post("/console/import/confirm", data=import_confirm_data(page.text)).status_code == 302
    assert db.session.scalar(select(Question.id).where(Question.slug == "gift-kyc-06")) is not None


def test_the_course_uploaded_as_a_zip_and_edited_in_the_console(client, runner, aml, make_user):
    """The other two ways in: 上传课程 (a zip of the course folder) and the
    editor (a typo fixed in a lesson), each reviewed, then published."""
    import io
    import zipfile

    from lms.content.console.editor import normalise, text_hash
    from lms.content.models import Lesson

    sign_in(client, make_user(("trainer",)))
    course = aml / COURSE
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in course.rglob("*") if p.is_file()):
            zf.write(path, "反洗钱与案例警示教育/" + path.relative_to(course).as_posix())
    buffer.seek(0)
    page = client.post("/console/upload", data={"archive": (buffer, "反洗钱与案例警示教育.zip")},
                       content_type="multipart/form-data")
    assert page.status_code == 200 and "链接失效" not in page.text, page.text
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page.text).group(1)
    assert client.post("/console/upload/confirm", data={"token": token}).status_code == 302
    assert db.session.scalar(select(Lesson.title).where(Lesson.slug == "case-study")) == "案例警示：“过桥”账户"

    path = f"{COURSE}/lessons/03-案例警示.md"
    on_disk = aml / path
    text = on_disk.read_text(encoding="utf-8").replace("经营场所空置；", "经营场所空置、无人办公；")
    data = {"path": path, "text": text, "base_hash": text_hash(on_disk.read_bytes()),
            "reviewed_hash": text_hash(normalise(text))}
    review = review_for_publish(client, data)
    assert review.status_code == 200 and "aml-warning/case-study" in review.text
    assert client.post("/console/publish", data=data).status_code == 302
    html = db.session.scalar(select(Lesson.body_html).where(Lesson.slug == "case-study"))
    assert "经营场所空置、无人办公；" in html and '<td align="right">49,500.00</td>' in html


# --- scheduling it in the browser ------------------------------------------------

def test_the_scheduling_form_keeps_an_audience_of_every_rm(client, runner, clock, aml, rm, make_user,
                                                           make_branch):
    """The programme is for `positions: [rm_*]`. The scheduling form had no box
    for rm_* and showed none ticked ("不选即全部岗位"), and saving it — to fix a
    week's title — wrote `positions: []`: the AML week went to every teller,
    intern and manager. Now the boxes show the RM levels ticked, and the file
    keeps rm_* when the trainer did not touch them (a list-of-mappings
    audience too)."""
    from lms.content.models import Programme
    from tests.schedule.test_schedule_programme import fields_of, review_and_publish

    _publish(runner)
    sign_in(client, make_user(("trainer",)))
    url = "/console/schedule/programmes/aml-warning"
    data = fields_of(client.get(url).text)
    assert sorted(data["positions"]) == ["rm_intermediate", "rm_junior", "rm_principal", "rm_senior"]
    data["weeks-0-title"] = "第 1 周 反洗钱与案例警示教育"
    reviewed, published = review_and_publish(client, data, url=url, root=aml)
    assert published.status_code == 302, published.text
    written = (aml / "programmes" / "aml-warning.yaml").read_text(encoding="utf-8")
    assert "  positions: [rm_*]\n" in written and "title: 第 1 周 反洗钱与案例警示教育" in written
    programme = db.session.scalar(select(Programme).where(Programme.slug == "aml-warning-weekly"))
    assert '"rm_*"' in programme.audience_json
    teller = make_user(("learner",), employee_no="E7009", branch=make_branch("B08"), position="teller")
    sign_in(client, teller)
    assert "反洗钱" not in client.get("/").text

    # Written as a list of mappings (every RM, and every mentor): kept as well.
    path = aml / "programmes" / "aml-warning.yaml"
    path.write_text(written.replace("audience:\n  positions: [rm_*]\n",
                                    "audience:\n  - positions: [rm_*]\n  - roles: [mentor]\n"), encoding="utf-8")
    _publish(runner)
    sign_in(client, make_user(("trainer",), employee_no="T7002"))
    data = fields_of(client.get(url).text)
    data["weeks-0-title"] = "第 1 周 反洗钱"
    _reviewed, published = review_and_publish(client, data, url=url, root=aml)
    assert published.status_code == 302, published.text
    assert "audience:\n  - positions: [rm_*]\n  - roles: [mentor]\n" in path.read_text(encoding="utf-8")
