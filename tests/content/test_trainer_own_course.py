"""A trainer's own course, written from content/FORMAT.md alone
(tests/content/fixtures/aml_str: 反洗钱可疑交易识别, with Chinese file names,
an image whose name has spaces, a lesson with Windows line endings, a bank
with a BOM, nested lists as editors write them, every question type, an exam,
a programme with a bulletin, a certification and an eligibility rule), taken
through the paths a trainer uses: check, publish, the learner's lesson and
exam, another trainer's grading, item analysis, and a change to a published
question after it was answered."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.content.models import Asset, Exam, Lesson, Question
from lms.content.console.editor import normalise, text_hash
from lms.content.rendering import render_markdown
from lms.content.importers.xlsx import read_xlsx
from lms.content.source.links import all_links, referenced_files
from lms.exams.models import Attempt
from lms.extensions import db
from tests.conftest import sign_in
from tests.content.console_samples import review_for_publish
from tests.exams.takers import as_posted

FIXTURE = Path(__file__).parent / "fixtures" / "aml_str"
COURSE = "courses/aml-str"


@pytest.fixture
def own_course(app, course_folder):
    return course_folder("aml_str")


# --- what the trainer writes, one thing at a time ------------------------------

def test_a_nested_list_indented_as_editors_write_it_stays_nested():
    """A sub-list under "1. " indented 3 spaces, under "- " 2 (CommonMark,
    GitHub, Typora): Python-Markdown wants 4 and ran it into the parent item
    as text ("客户经理发现异常：<br> - 记录…")."""
    html = str(render_markdown("1. 发现异常：\n   - 记录客户身份；\n   - 不得透露；\n2. 报告支行\n"))
    assert "<br>" not in html and " - " not in html
    assert re.search(r"<ol>\s*<li>发现异常：<ul>\s*<li>记录客户身份；</li>\s*<li>不得透露；</li>\s*</ul>", html)
    html = str(render_markdown("- 甲\n  - 乙\n    - 丙\n- 丁\n\n  丁的第二段\n\n正文"))
    assert re.search(r"<li>甲<ul>\s*<li>乙<ul>\s*<li>丙</li>", html)
    assert re.search(r"<li>\s*<p>丁</p>\s*<p>丁的第二段</p>\s*</li>\s*</ul>\s*<p>正文</p>", html)
    # Four spaces (what worked before) and lists inside a call-out are unchanged.
    assert render_markdown("- 甲\n    - 乙") == render_markdown("- 甲\n  - 乙")
    html = str(render_markdown('!!! case "案例"\n    - 甲\n      - 乙\n\n    正文'))
    assert re.search(r"<li>甲<ul>\s*<li>乙</li>\s*</ul>\s*</li>\s*</ul>\s*<p>正文</p>\s*</div>", html)
    # Fenced code keeps its indentation.
    assert "   - 不是列表" in str(render_markdown("- 甲\n\n```\n1. 代码\n   - 不是列表\n```"))


def test_links_and_images_whose_path_has_spaces_are_seen():
    """The renderer shows ![](images/资金 回流 示意.png); the link scanner
    did not see it, so it was neither checked nor published (a broken image
    for the learner, and no problem for the trainer)."""
    text = "![资金回流](images/资金 回流 示意.png)\n见 [下一课](<02-典型 特征.md#案例>) 与 ![t](images/a b.png \"标题\")"
    assert [(target, line, column) for target, line, column in all_links(text)] == [
        ("images/资金 回流 示意.png", 0, 9), ("02-典型 特征.md#案例", 1, 10), ("images/a b.png", 1, 34)]
    assert referenced_files(text) == {"images/资金 回流 示意.png", "02-典型 特征.md", "images/a b.png"}


def test_a_missing_image_with_spaces_is_a_problem_with_its_line(runner, own_course, english):
    lesson = own_course / COURSE / "lessons" / "02-典型特征.md"
    lesson.write_bytes(lesson.read_bytes().replace("资金 回流 示意.png".encode(), "资金 回流.png".encode()))
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert f"{COURSE}/lessons/02-典型特征.md:10:9: broken link: 'images/资金 回流.png'" in result.output


def test_a_key_line_with_a_chinese_colon_is_read(runner, own_course, english):
    """"points：10" (the colon a Chinese input method types) was not a key
    line: it became the stem, and the question lost its points (or, for
    "type：essay", was refused as having no type)."""
    bank = own_course / COURSE / "questions" / "basics.md"
    assert "points：10" in bank.read_text(encoding="utf-8")
    bank.write_text(bank.read_text(encoding="utf-8").replace("## str-003\ntype: truefalse",
                                                             "## str-003\ntype：truefalse"), encoding="utf-8")
    result = runner.invoke(args=["content", "publish"])
    assert result.exit_code == 0, result.output
    essay = db.session.scalar(select(Question).where(Question.slug == "str-006")).current_version
    assert essay.points == 10 and "points" not in essay.stem_md
    assert db.session.scalar(select(Question).where(Question.slug == "str-003")).current_version.type == "truefalse"



def test_yaml_mistakes_are_named_in_the_trainers_words(runner, own_course):
    """A tab in the indentation and "title：" (the Chinese colon) got the
    parser's English ("found character that cannot start any token") inside
    a Chinese message; now each says what to change, in the reader's language."""
    exam = own_course / "exams" / "aml-str-exam.yaml"
    text = exam.read_text(encoding="utf-8")
    exam.write_text(text.replace("\n  - {count: 3", "\n\t- {count: 3"), encoding="utf-8")
    check = own_course / "exams" / "aml-str-check.yaml"
    check.write_text(check.read_text(encoding="utf-8").replace("title: 速递小测", "title：速递小测"), encoding="utf-8")
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    tab_line = text.split("\n").index("  - {count: 3, type: single}") + 1
    assert f"exams/aml-str-exam.yaml:{tab_line}:1: YAML 格式错误：缩进里有 Tab，请改用空格缩进" in result.output
    assert "exams/aml-str-check.yaml:2:6: YAML 格式错误：键后面用了中文冒号“：”，请改为英文冒号加空格 (title: …)" \
        in result.output
    assert "cannot start any token" not in result.output and "expected ':'" not in result.output


def test_a_lesson_without_an_id_whose_file_name_is_chinese_says_what_to_write(runner, own_course, english):
    """FORMAT.md: a lesson's id defaults to its file name; "03-案例分析.md"
    gave "invalid id '案例分析'" at line 2, an id the trainer never wrote."""
    (own_course / COURSE / "lessons" / "03-案例分析.md").write_text("---\ntitle: 案例分析\n---\n正文\n", encoding="utf-8")
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert f"{COURSE}/lessons/03-案例分析.md:1: the lesson has no 'id:', and its file name gives '案例分析', " \
           "which is not a valid id: add an id of lower-case letters, digits and '-' to the front matter " \
           "(id: case-study)" in result.output



def test_options_written_with_their_letters_are_a_problem(runner, own_course):
    """"- [x] B. 5 万元" (as on a paper exam): the page letters the options
    itself and shuffles them, so the learner read "A. C. 不设金额起点"."""
    bank = own_course / COURSE / "questions" / "basics.md"
    text = bank.read_text(encoding="utf-8")
    lettered = text.replace("- [ ] 5 万元\n- [ ] 20 万元\n- [x] 不设金额起点",
                            "- [ ] A. 5 万元\n- [ ] B、20 万元\n- [x] C）不设金额起点").replace(
        "- [ ] 50 万元", "- [ ] D. 50 万元")
    bank.write_text(lettered, encoding="utf-8")
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    line = lettered.split("\n").index("- [ ] A. 5 万元") + 1
    assert f"{COURSE}/questions/basics.md:{line}: 试题 str-001：选项以字母开头 (A. B. …)：考试会自动为选项编号并可能打乱顺序，" \
           "请删去这些字母" in result.output
    # Options that merely start with a letter ("A、B、C 三级", as the shipped banks have) are fine.
    bank.write_text(text.replace("- [ ] 5 万元", "- [ ] A、B 两级"), encoding="utf-8")
    assert runner.invoke(args=["content", "check"]).exit_code == 0



def test_an_excel_answer_typed_in_full_width_letters_is_read(app):
    """答案 "Ｃ" or "ＡＢ" (a Chinese input method in full-width mode) was
    refused: "write the answer as option letters, e.g. B or ACD (got “Ｃ”)"."""
    from tests.content.test_xlsx import workbook

    data = workbook([
        {"编号": "str-301", "题型": "单选", "题干": "可疑交易报告的金额起点？", "选项A": "5 万元", "选项B": "20 万元",
         "选项C": "不设起点", "答案": "Ｃ"},
        {"编号": "str-302", "题型": "多选", "题干": "可疑特征有：", "选项A": "快进快出", "选项B": "分散转入",
         "选项C": "代发工资", "答案": "ＡＢ"},
        {"编号": "str-303", "题型": "多选", "题干": "可疑特征还有：", "选项A": "过渡账户", "选项B": "按月还贷",
         "选项C": "跑分", "答案": "Ａ５０％，Ｃ５０％，Ｂ－１００％"},
    ])
    result = read_xlsx(data, "反洗钱题库.xlsx")
    assert result.problems == []
    assert [q.data["correct"] for q in result.questions] == [["C"], ["A", "B"], ["A", "C"]]
    assert result.questions[2].data["weights"] == {"A": 50.0, "C": 50.0, "B": -100.0}



def test_two_weeks_with_the_same_exam_are_a_problem(runner, own_course):
    """A week counts as passed once its exam is passed: with week 1's exam
    copied into week 2, passing week 1 showed week 2 passed too, before it
    opened ("已通过 2 / 截至本周应完成 1")."""
    programme = own_course / "programmes" / "aml-str.yaml"
    text = programme.read_text(encoding="utf-8")
    programme.write_text(text.replace("exam: exam-aml-str-2", "exam: exam-aml-str"), encoding="utf-8")
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    line = text.split("\n").index("  - title: 第 2 周 典型特征") + 1
    assert f"programmes/aml-str.yaml:{line}: 第 2 周：考试 'exam-aml-str' 已是第 1 周的考试：考试通过即算该周通过，" \
           "因此每一周和每期速递都需要单独的考试" in result.output, result.output



class _WindowsZipInfo(zipfile.ZipInfo):
    """A member as Windows' "Compressed (zipped) folder" writes it on a Chinese
    system: the name in GBK, without the UTF-8 flag."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits


def test_a_course_zipped_by_windows_with_chinese_file_names_uploads(client, runner, own_course, make_user):
    """The console's 上传课程 read such names as CP437 ("lessons/01-╕┼╩÷.md"):
    every image link broke ("broken link: 'images/可疑交易流程图.png'")."""
    assert runner.invoke(args=["content", "publish"]).exit_code == 0
    sign_in(client, make_user(("trainer",)))
    course = own_course / COURSE
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in course.rglob("*") if p.is_file()):
            data = path.read_bytes()
            if path.name == "01-概述.md":
                data = data.replace(b"minutes: 15", b"minutes: 18")
            zf.writestr(_WindowsZipInfo("反洗钱课程/" + path.relative_to(course).as_posix()), data)
    buffer.seek(0)
    page = client.post("/console/upload", data={"archive": (buffer, "反洗钱课程.zip")},
                       content_type="multipart/form-data")
    assert page.status_code == 200
    assert "broken link" not in page.text and "链接" not in page.text, page.text
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page.text).group(1)
    assert client.post("/console/upload/confirm", data={"token": token}).status_code == 302
    assert (course / "lessons" / "01-概述.md").read_text(encoding="utf-8").count("minutes: 18") == 1
    assert db.session.scalar(select(Lesson.minutes).where(Lesson.slug == "overview")) == 18
    assert (course / "images" / "资金 回流 示意.png").is_file()



def test_the_console_editor_edits_a_course_saved_with_a_bom(client, runner, own_course, make_user):
    """course.md and a lesson saved by Windows Notepad start with a BOM: the
    CLI read them, but the console did not recognise "\\ufeff---" as front
    matter, so it did not find the course folder (the editor answered 404 and
    an upload would have made a second folder) and took the lesson's id from
    its file name. And the editor opened only lower-case ASCII file names:
    the 编辑 button of lessons/01-概述.md led to 404."""
    assert (own_course / COURSE / "course.md").read_bytes().startswith(b"\xef\xbb\xbf---")
    assert runner.invoke(args=["content", "publish"]).exit_code == 0
    sign_in(client, make_user(("trainer",)))
    path = f"{COURSE}/lessons/01-概述.md"
    course_page = client.get("/console/courses/aml-str").text
    assert "/console/edit?path=courses/aml-str/lessons/01-%E6%A6%82%E8%BF%B0.md" in course_page
    page = client.get("/console/edit", query_string={"path": path})
    assert page.status_code == 200 and "可疑交易报告概述" in page.text
    on_disk = own_course / path
    text = on_disk.read_bytes().decode("utf-8-sig").replace("minutes: 15", "minutes: 16")
    data = {"path": path, "text": text, "base_hash": text_hash(on_disk.read_bytes()),
            "reviewed_hash": text_hash(normalise(text))}
    review = review_for_publish(client, data)
    assert review.status_code == 200 and "aml-str/overview" in review.text, review.text
    assert client.post("/console/publish", data=data).status_code == 302
    assert db.session.scalar(select(Lesson.minutes).where(Lesson.slug == "overview")) == 16


# --- the whole way: check, publish, learn, take, grade, analyse, change --------

def _right(item) -> dict:
    """The right answers to every kind of question, in the bank's terms."""
    name = f"a-{item.id}"

    def answer(qtype, data, field):
        if qtype == "single":
            return {field: data["correct"][0]}
        if qtype == "multiple":
            return {field: list(data["correct"])}
        if qtype == "truefalse":
            return {field: "true" if data["correct"] else "false"}
        if qtype == "fill":
            return {f"{field}-{i + 1}": accepted[0] for i, accepted in enumerate(data["blanks"])}
        if qtype == "numeric":
            return {field: str(data["answer"])}
        if qtype == "essay":
            return {field: "记录身份，不透露，按流程报告。"}
        raise AssertionError(qtype)

    version = item.question_version
    if version.type != "case":
        return as_posted(item, answer(version.type, version.data, name))
    form = {}
    for part in version.data["parts"]:
        form.update(answer(part["type"], part["data"], f"{name}-{part['id']}"))
    return as_posted(item, form)


def test_the_trainers_course_from_files_to_item_analysis(app, client, runner, clock, own_course, make_user,
                                                         make_branch):
    author = make_user(("trainer",), employee_no="trainer-aml")
    grader = make_user(("trainer",), employee_no="trainer-2")
    learner = make_user(("learner",), branch=make_branch("B01"), position="rm_junior")

    check = runner.invoke(args=["content", "check"])
    assert check.exit_code == 0, check.output
    # Both images (one named with spaces), every question of every type.
    assert "检查通过：1 门课程、2 个课时、15 道题、3 场考试、1 个培训计划、2 个附件、1 项资格认证、" \
           "1 条准入规则" in check.output
    published = runner.invoke(args=["content", "publish", "--as", "trainer-aml"])
    assert published.exit_code == 0, published.output
    assert sorted(db.session.scalars(select(Asset.path))) == ["images/可疑交易流程图.png", "images/资金 回流 示意.png"]

    # The learner reads the lessons as written.
    sign_in(client, learner)
    overview = client.get("/courses/aml-str/lessons/overview", follow_redirects=True)
    assert overview.status_code == 200
    assert re.search(r"<li>客户经理发现异常：<ul>\s*<li>记录客户身份与交易情况；</li>", overview.text)
    assert 'href="/courses/aml-str/lessons/patterns#资金快进快出"' in overview.text
    patterns = client.get("/courses/aml-str/lessons/patterns", follow_redirects=True)  # Windows line endings, a tab-indented list
    assert patterns.status_code == 200 and "\r" not in patterns.text.split('id="资金快进快出"')[1][:2000]
    assert re.search(r'<div class="admonition case">.*?<li>第一步：记录</li>', patterns.text, re.S)
    image = "/assets/aml-str/images/%E8%B5%84%E9%87%91%20%E5%9B%9E%E6%B5%81%20%E7%A4%BA%E6%84%8F.png"
    assert f'src="{image}"' in patterns.text
    assert client.get(image).status_code == 200

    # The exam: every type, the case with single, numeric, essay, fill and multiple parts.
    exam = db.session.scalar(select(Exam).where(Exam.slug == "exam-aml-str"))
    assert "开始考试" in client.get(f"/exams/{exam.id}").text
    started = client.post(f"/exams/{exam.id}/start")
    assert started.status_code == 302
    attempt = db.session.get(Attempt, int(started.headers["Location"].rstrip("/").split("/")[-1]))
    assert {i.question_version.type for i in attempt.items} == {
        "single", "multiple", "truefalse", "fill", "numeric", "essay", "case"}
    for item in attempt.items:
        saved = client.post(f"/attempts/{attempt.id}/items/{item.id}", data=_right(item), headers={"HX-Request": "true"})
        assert saved.status_code == 200 and "已保存" in saved.text, saved.text
    assert client.post(f"/attempts/{attempt.id}/submit").status_code == 302
    db.session.refresh(attempt)
    assert attempt.state == "grading"

    # Another trainer grades the essay and the case (graded as a whole).
    sign_in(client, grader)
    waiting = [item for item in attempt.items if item.needs_grading]
    assert sorted(i.question_version.question.slug for i in waiting) == ["str-006", "str-007"]
    for item in waiting:
        assert client.post(f"/grading/items/{item.id}", data={"points": str(item.points)}).status_code == 302
    db.session.refresh(attempt)
    assert attempt.state == "finalised" and attempt.passed and attempt.percent == 100.0

    # Item analysis lists the trainer's questions.
    analysis = client.get(f"/analysis/exams/{exam.id}")
    assert analysis.status_code == 200 and "以下哪些属于典型的可疑特征" in analysis.text, analysis.text

    # The trainer changes a published question that was answered: the attempt keeps what it was asked.
    bank = own_course / COURSE / "questions" / "basics.md"
    bank.write_text(bank.read_text(encoding="utf-8").replace("以下哪些属于典型的可疑特征？", "下列哪些属于可疑特征？"),
                    encoding="utf-8")
    assert runner.invoke(args=["content", "publish", "--as", "trainer-aml"]).exit_code == 0
    question = db.session.scalar(select(Question).where(Question.slug == "str-002"))
    assert [v.version for v in question.versions] == [1, 2]
    asked = next(i for i in attempt.items if i.question_version.question.slug == "str-002")
    assert asked.question_version.version == 1
    sign_in(client, learner)
    result = client.get(f"/attempts/{attempt.id}/result")
    assert "以下哪些属于典型的可疑特征？" in result.text and "下列哪些属于可疑特征" not in result.text


def test_an_exam_requirement_reads_as_a_percent_in_english(client, runner, own_course, make_user):
    """min_score is a percent of the exam's points (the trainer's exam has 33):
    the English page said "反洗钱可疑交易识别测验 ≥ 80 points"."""
    assert runner.invoke(args=["content", "publish"]).exit_code == 0
    sign_in(client, make_user(("learner",), locale="en"))
    page = client.get("/certifications").text
    assert "反洗钱可疑交易识别测验 ≥ 80%" in page and "80 points" not in page


def test_the_trainers_banks_through_gift_and_excel(runner, own_course, tmp_path, english):
    """The imports a trainer uses: a GIFT file saved by Windows (BOM, CRLF,
    Chinese titles), and an Excel round trip of the bank with the case of
    five parts — export, import back: nothing changes."""
    assert runner.invoke(args=["content", "publish"]).exit_code == 0
    gift = FIXTURE.parent / "aml_str_imports" / "反洗钱.gift.txt"
    assert gift.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" in gift.read_bytes()
    result = runner.invoke(args=["content", "import-gift", str(gift), "--course", "aml-str", "--bank", "gift"])
    assert result.exit_code == 0, result.output
    assert "新增 6 道题，修改 0 道，停用 0 道，0 道未变" in result.output
    bank = (own_course / COURSE / "questions" / "gift.md").read_text(encoding="utf-8")
    assert "weights: A 50, B 50, C -100" in bank and "[[5|五]]" in bank and "answer: false" in bank
    sheet = tmp_path / "basics.xlsx"
    exported = runner.invoke(args=["content", "export-xlsx", "--course", "aml-str", "--bank", "basics", "-o", str(sheet)])
    assert exported.exit_code == 0, exported.output
    back = runner.invoke(args=["content", "import-xlsx", str(sheet), "--course", "aml-str", "--bank", "basics"])
    assert back.exit_code == 0, back.output
    assert "新增 0 道题，修改 0 道，停用 0 道，7 道未变" in back.output
