"""A sixth trainer's course, drafted in WPS and pasted into markdown:
个人住房贷款贷前调查 (tests/content/fixtures/mortgage). Every file is UTF-8 with
a byte-order mark and CRLF; WPS turned typed quotes into “ ” ‘ ’ around ids,
tags and a lesson of the programme; key lines were typed in full-width mode
(``answer: ５７．２``, ``weights: Ａ 50``, ``answer: Ｔｒｕｅ``, ``points: ２``);
a list left an empty option after its last one; lessons hold a paragraph and
①②③ indented with a tab, soft line breaks (Shift+Enter), a footnote as Word
writes it ("…机制[1]。" and "[1] 《个人贷款管理办法》…"), a table pasted from
WPS as HTML with ``<br>``, non-breaking spaces, bold glued to Chinese text, an
image whose Chinese name has spaces; the bank has a very long stem. What the
trainer meant is read so and said at its line; what is ambiguous is refused
saying what to write."""
from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from lms.content.importers.gift import parse_gift, read_gift
from lms.content.importers.xlsx import read_xlsx
from lms.content.models import Exam, Lesson, Question
from lms.content.rendering import render_markdown
from lms.extensions import db
from tests.conftest import sign_in
from tests.content.test_aml_warning_course import _sit, _wrong
from tests.content.test_trainer_own_course import _right
from tests.content.console_samples import content_dir, trainer  # noqa: F401  (fixtures)
from tests.content.test_import_views import upload

COURSE = "courses/个人住房贷款"
BANK = f"{COURSE}/questions/住房贷款题库.md"
EXAM = "exams/住房贷款第1周.yaml"
LONG_STEM = "张先生在某市一家国有企业任职，收入证明显示税后月收入 20000 元"


@pytest.fixture
def mortgage(app, course_folder):
    return course_folder("mortgage")


@pytest.fixture
def rm(make_user, make_branch):
    return make_user(("learner",), name="孙学员", employee_no="E8001", branch=make_branch("B08"),
                     position="rm_junior")


def _publish(runner):
    result = runner.invoke(args=["content", "publish"])
    assert result.exit_code == 0, result.output
    return result.output


def _edit(root: Path, path: str, old: str, new: str) -> int:
    """Change a BOM/CRLF file as WPS saves it; the line number of the change."""
    file = root / path
    text = file.read_bytes().decode("utf-8-sig")
    old, new = old.replace("\n", "\r\n"), new.replace("\n", "\r\n")
    assert old in text, old
    file.write_bytes(b"\xef\xbb\xbf" + text.replace(old, new, 1).encode("utf-8"))
    return text[:text.index(old)].count("\n") + 1


def _data(slug: str) -> dict:
    return db.session.scalar(select(Question).where(Question.slug == slug)).current_version.data


# --- check and publish -----------------------------------------------------------------

def test_what_wps_changed_is_read_as_the_trainer_meant_and_said_at_its_line(runner, mortgage):
    """`id: “exam-mortgage-w01”` was "编号 '“exam-mortgage-w01”' 无效", `questions: [“mg-004”]`
    "未知的试题编号 '“mg-004”'", `## “mg-010”` an invalid id, `answer: ５７．２` and
    `answer: Ｔｒｕｅ` "必须是数字" / "必须是 true 或 false", `weights: Ａ 50` refused, and
    the empty option WPS leaves after the last one "有一个选项没有内容"."""
    check = runner.invoke(args=["content", "check"])
    assert check.exit_code == 0, check.output
    assert "检查通过：1 门课程、2 个课时、13 道题、1 场考试、1 个培训计划、1 个附件" in check.output
    notes = [line for line in check.output.splitlines() if ": warning: " in line]
    assert (f"{EXAM}:1: warning: 按 exam-mortgage-w01 读取：两边的中文引号已略去（Word、WPS 会把输入的引号"
            "改成“ ”；编号、知识点和名称都不用加引号）") in notes, check.output
    assert f"{EXAM}:9: warning: 按 mg-004、mg-005、mg-010 读取：两边的中文引号已略去" in check.output
    assert f"{EXAM}:8: warning: 按 面谈、月供收入比、抵押房产 读取" in check.output
    assert f"programmes/住房贷款每周一训.yaml:8: warning: 按 mortgage/overview 读取" in check.output
    assert f"{BANK}:101: warning: 按 mg-010 读取" in check.output
    assert (f"{BANK}:136: warning: “answer: ５７．２”按 57.2 读取（全角字符按半角读，"
            "中文输入法的全角状态会打出全角字符）") in notes
    assert f"{BANK}:123: warning: “weights: Ａ 50, Ｂ 50, Ｃ -100”按 A 50, B 50, C -100 读取" in check.output
    assert f"{BANK}:27: warning: 最后一个选项后面的空选项（Word、WPS 的列表会多留一个）已略去" in notes
    assert (f"{COURSE}/lessons/01-贷前调查概述.md:41: warning: [1] 按 Word 的写法显示为脚注（Markdown 的写法是 [^1] 和 "
            "[^1]: …）") in notes
    # The title's own quotes are the trainer's words, not YAML's: kept, and not noted.
    assert "双人面谈、实地调查" not in "".join(notes)

    _publish(runner)
    assert _data("mg-002")["options"][-1]["text"] == "中介门店" and len(_data("mg-002")["options"]) == 4
    assert _data("mg-010")["correct"] == ["C"]
    assert _data("mg-011") == {"correct": True}
    assert _data("mg-012")["weights"] == {"A": 50.0, "B": 50.0, "C": -100.0}
    assert _data("mg-013") == {"answer": 57.2, "tolerance": 0.1, "unit": "％"} or \
        _data("mg-013") == {"answer": 57.2, "tolerance": 0.1, "unit": "%"}
    exam = db.session.scalar(select(Exam).where(Exam.slug == "exam-mortgage-w01"))
    assert exam is not None and exam.title == "个人住房贷款 第１周测验"
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "overview"))
    assert lesson.title == "贷前调查概述：“双人面谈、实地调查”"


def test_a_word_question_with_its_answer_under_the_options_says_where_to_put_the_x(runner, mortgage):
    """"答案：B" under the options, as a question is written in Word, was "选项后面还有文字：
    题干请写在选项之前…", which says nothing of how to mark the key."""
    line = _edit(mortgage, BANK, "- [ ] 一名\n- [x] 两名\n", "- [ ] 一名\n- [ ] 两名\n答案：ｂ\n")
    check = runner.invoke(args=["content", "check"])
    assert check.exit_code == 1
    assert (f"{BANK}:{line + 2}: 试题 mg-001：“答案：ｂ”不会被读取：答案要标在选项上。请在选项 B 前写“- [x] ”"
            "（其他选项前写“- [ ] ”），再删去这一行") in check.output, check.output


def test_what_stays_ambiguous_is_refused_at_its_line(runner, mortgage):
    """Two options alike, an empty option marked right, an empty option between two others:
    the checker cannot tell which the trainer meant."""
    dup = _edit(mortgage, BANK, "- [ ] 以售楼处的口头说明为准\n", "- [ ] 以中介提供的房产证复印件为准\n")
    marked = _edit(mortgage, BANK, "- [ ] 中介门店\n- [ ] \n", "- [ ] 中介门店\n- [x] \n")
    middle = _edit(mortgage, BANK, "- [ ] 客户经理\n", "- [ ] 客户经理\n- [ ] \n")
    check = runner.invoke(args=["content", "check"])
    assert check.exit_code == 1
    assert (f"{BANK}:{dup}: 试题 mg-008：选项 C 与选项 A 读起来相同（至多是全角、半角字符或空格不同）：学员无法区分"
            in check.output), check.output
    assert f"{BANK}:{marked + 1}: 试题 mg-002：有一个选项没有内容" in check.output
    assert f"{BANK}:{middle + 1}: 试题 mg-010：有一个选项没有内容" in check.output


# --- the lesson page ---------------------------------------------------------------------

def test_the_lessons_read_as_they_looked_in_wps(runner, client, mortgage, rm):
    """A paragraph and ①②③ indented with a tab after a blank line were shown as a grey
    block of code; "[1]" and "[1] 《个人贷款管理办法》…" stayed as typed instead of a
    footnote; lines joined with Shift+Enter (U+2028) ran together on one line."""
    _publish(runner)
    sign_in(client, rm)
    page = client.get("/courses/mortgage/lessons/overview", follow_redirects=True)
    assert page.status_code == 200
    assert "<pre>" not in page.text and "<code>" not in page.text
    assert "<p>\u3000\u3000面谈是贷前调查的核心环节，重点<strong>核实</strong>借款人的真实意愿。</p>" in page.text
    assert re.search("<p>\u3000\u3000①\\s+购房用途（自住、投资）；<br>\n\u3000\u3000②\\s+首付款从哪里来；", page.text)
    assert re.search(r'收入偿债比例控制机制<sup id="fnref:1"><a href="#fn:1"[^>]*>1</a></sup>。', page.text)
    assert re.search(r'<li id="fn:1">\s*<p>《个人贷款管理办法》（国家金融监督管理总局令2024年第3号）第十三条。', page.text)
    assert "[1]" not in page.text
    assert "<strong>重点</strong>：调查由客户经理本人完成" in page.text
    assert "<strong>“认房又认贷”</strong>政策" in page.text

    income = client.get("/courses/mortgage/lessons/income", follow_redirects=True).text
    assert "借款人已有负债以征信报告为准：<br>\n信用卡已用额度按１０％折算月还款，<br>\n其他贷款按实际月供计算。" in income
    # The table pasted from WPS keeps its rows and line breaks, without Word's styles.
    assert re.search(r"<td><p[^>]*>代发工资流水</p></td>\s*<td><p[^>]*>近６个月每月入账日期、金额<br>摘要是否为", income)
    assert "MsoNormal" not in income and "style=" not in income.split("<main", 1)[-1].split("</main>")[0]
    image = "/assets/mortgage/images/%E6%88%BF%E4%BA%A7%20%E6%9F%A5%E9%AA%8C%20%E6%B5%81%E7%A8%8B%E5%9B%BE.png"
    assert f'src="{image}"' in income and client.get(image).status_code == 200


@pytest.mark.parametrize("written, shown", [
    # A reference link "[1]: url" is markdown's own, never a footnote.
    ("见[规定][1]。\n\n[1]: https://www.nfra.gov.cn", '<a target="_blank" href="https://www.nfra.gov.cn"'),
    # A paragraph of a list item, indented under it, stays in the item.
    ("- 面谈\n\n    面谈记录当场签字。", "<li>\n<p>面谈</p>\n<p>面谈记录当场签字。</p>\n</li>"),
    # Code indented four spaces is still code.
    ("示例：\n\n    rate = 0.035", "<pre><code>rate = 0.035"),
    # "[2]" at a line's start that nothing refers to is text as written.
    ("[2] 仅供参考。", "<p>[2] 仅供参考。</p>"),
])
def test_what_markdown_means_is_left_alone(app, written, shown):
    assert shown in str(render_markdown(written))


# --- the exam, the 错题本, item analysis ---------------------------------------------------

def test_an_rm_sits_the_exam_and_the_trainer_reads_the_items(client, runner, clock, mortgage, rm, make_user):
    _publish(runner)
    exam = db.session.scalar(select(Exam).where(Exam.slug == "exam-mortgage-w01"))
    sign_in(client, rm)
    assert "第 1 周 贷前调查概述" in client.get("/").text

    first = _sit(client, exam, _wrong)
    assert first.state == "finalised" and first.passed is False
    result = client.get(f"/attempts/{first.id}/result").text
    assert "面谈记录应由谁签字确认？" in result and "借款人已有负债以征信报告为准。" in result
    notebook = client.get("/notebook/").text
    assert "面谈记录应由谁签字确认？" in notebook and "全部负债的月还款合计 11324 元" in notebook

    second = _sit(client, exam, _right)
    assert second.passed and second.percent == 100.0
    trainer = make_user(("trainer",), employee_no="T8001")
    sign_in(client, trainer)
    analysis = client.get(f"/analysis/exams/{exam.id}")
    assert analysis.status_code == 200
    assert "<code>mg-010</code>" in analysis.text and "<code>mg-013</code>" in analysis.text


def test_the_very_long_stem_is_shown_whole_on_the_exam_page(client, runner, clock, mortgage, rm):
    """mg-007: a stem of some 300 characters, with full-width digits and quotes, read whole."""
    text = (mortgage / BANK).read_bytes().decode("utf-8-sig")
    stem = next(line for line in text.split("\r\n") if line.startswith(LONG_STEM))
    assert len(stem) > 250
    _publish(runner)
    exam = db.session.scalar(select(Exam).where(Exam.slug == "exam-mortgage-w01"))
    sign_in(client, rm)
    started = client.post(f"/exams/{exam.id}/start")
    assert started.status_code == 302, started.text
    page = client.get(started.headers["Location"])
    assert page.status_code == 200 and stem in page.text
    assert "57.2%" in page.text and "11324÷19800" not in page.text  # options shown, the explanation not yet


# --- the bank kept in Excel -----------------------------------------------------------------

def _sheet(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "题库"
    ws.append(["编号", "题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "答案", "解析"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_excel_answers_written_as_in_word_are_read_and_said(app):
    """答案 "答案：B", "“C”" and "正确答案：对" were "请用选项字母填写答案，如 B 或 ACD（现为“答案：B”）"
    and "判断题的答案是 对 或 错"; lower-case and full-width letters and options left blank with a
    full-width space at the end were read already, and still are."""
    data = _sheet([
        ["xl-001", "单选", "面谈应由几名客户经理在场？", "一名", "两名", "三名", None, None, "答案：B"],
        ["xl-002", "单选", "面谈地点原则上在？", "售楼处", "中介门店", "本行营业网点", "\u3000", "\u3000", "“C”"],
        ["xl-003", "多选", "应交叉核对的资料？", "代发工资流水", "个税APP记录", "售楼处意向书", None, None, "ａｂ"],
        ["xl-004", "判断", "首付款可以来自消费贷。", None, None, None, None, None, "正确答案：错"],
        ["xl-005", "单选", "抵押房产以什么为准？", "复印件", "不动产登记查询", None, None, None, "b"],
    ])
    result = read_xlsx(data, "住房贷款题库.xlsx")
    assert result.problems == []
    keys = [q.data.get("correct") for q in result.questions]
    assert keys == [["B"], ["C"], ["A", "B"], False, ["B"]]
    assert len(result.questions[1].data["options"]) == 3
    assert [(n.line, n.message) for n in result.notes] == [
        (2, "答案“答案：B”按 B 读取"), (3, "答案““C””按 C 读取"), (5, "答案“正确答案：错”按 错 读取")]


def test_excel_answers_that_stay_ambiguous_name_their_cell(app):
    data = _sheet([
        ["xl-001", "单选", "面谈应由几名客户经理在场？", "一名", "两名", None, None, None, "答案：两名"],
        ["xl-002", "单选", "面谈地点？", "售楼处", "售楼处", None, None, None, "A"],
    ])
    result = read_xlsx(data, "住房贷款题库.xlsx")
    messages = [p.message for p in result.problems]
    assert messages[0] == "第 2 行 答案 列 (I2)：答案要写选项字母，如 B 或 ACD（填的是“答案:两名”）", messages


def test_the_console_preview_says_how_the_answers_were_read_and_refuses_alike_options(client, content_dir, trainer):
    read = upload(client, _sheet([["xl-001", "单选", "面谈应由几名客户经理在场？", "一名", "两名", "三名", None, None,
                                   "答案：B"]]), "住房贷款题库.xlsx")
    assert read.status_code == 200 and "import-problems" not in read.text
    assert "<li><code>第 2 行</code> 答案“答案：B”按 B 读取</li>" in read.text, read.text
    alike = upload(client, _sheet([["xl-001", "单选", "面谈地点？", "售楼处", "售楼处", "网点", None, None, "C"]]),
                   "住房贷款题库.xlsx")
    assert "题目 xl-001（第 2 行）：试题 xl-001：选项 B 与选项 A 读起来相同" in alike.text
    assert "没有做任何改动" in alike.text


# --- the console ---------------------------------------------------------------------------

def test_the_course_uploaded_in_the_console_shows_what_was_read_as_meant(client, mortgage, make_user):
    """The same notes as `flask content check`, on the upload's review, before anything is published."""
    sign_in(client, make_user(("trainer",)))
    course = mortgage / COURSE
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in sorted(p for p in course.rglob("*") if p.is_file()):
            zf.writestr("个人住房贷款/" + path.relative_to(course).as_posix(), path.read_bytes())
    shutil.rmtree(course)
    buffer.seek(0)
    page = client.post("/console/upload", data={"archive": (buffer, "个人住房贷款.zip")},
                       content_type="multipart/form-data")
    assert page.status_code == 200, page.text
    assert 'id="content-warnings"' in page.text
    assert ("<li><code>questions/住房贷款题库.md:101</code> 按 mg-010 读取：两边的中文引号已略去（Word、WPS 会把输入的引号改成“ ”；"
            "编号、知识点和名称都不用加引号）</li>") in page.text, page.text
    assert "<code>questions/住房贷款题库.md:27</code> 最后一个选项后面的空选项（Word、WPS 的列表会多留一个）已略去" in page.text
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page.text).group(1)
    assert client.post("/console/upload/confirm", data={"token": token}).status_code == 302
    assert db.session.scalar(select(Question).where(Question.slug == "mg-010")) is not None


# --- GIFT and Excel ids between curled quotes ---------------------------------------------

GIFT = ("\ufeff// 住房贷款题（WPS 另存为纯文本）\r\n"
        "::“mg-g01”::面谈应由几名客户经理在场？{\r\n\t~一名\r\n\t=两名\r\n\t~三名\r\n}\r\n\r\n"
        "::mg-g02::首付款可以来自消费贷。{F}\r\n")


def test_an_id_between_curled_quotes_in_gift_or_excel_is_the_id(app):
    """`::“mg-g01”::` became the id mg-g01-5a9bd42c (a title with non-ASCII characters gets a
    hash), so importing the file again after fixing the quotes retired the question; 编号
    “xl-001” was "“xl-001” is not a valid id"."""
    questions, problems = parse_gift(GIFT, "住房贷款.gift.txt")
    assert problems == [] and [q.id for q in questions] == ["mg-g01", "mg-g02"]
    notes = [(n.line, n.message) for n in read_gift(GIFT, "住房贷款.gift.txt").notes]
    assert notes == [(2, "按 mg-g01 读取：两边的中文引号已略去（Word、WPS 会把输入的引号改成“ ”；编号、知识点和名称都不用加引号）")]
    result = read_xlsx(_sheet([["“xl-001”", "判断", "首付款可以来自消费贷。", None, None, None, None, None, "错"]]),
                       "住房贷款题库.xlsx")
    assert result.problems == [] and [q.id for q in result.questions] == ["xl-001"]
    assert [(n.line, n.message) for n in result.notes] == [
        (2, "按 xl-001 读取：两边的中文引号已略去（Word、WPS 会把输入的引号改成“ ”；编号、知识点和名称都不用加引号）")]

