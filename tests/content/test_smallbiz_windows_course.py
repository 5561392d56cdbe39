"""A county sub-branch trainer's course written on the bank's Windows PC:
普惠小微贷款实务 (tests/content/fixtures/smallbiz). The course folder is
"新建文件夹 (2)"; lessons saved by Notepad as UTF-8 with a byte-order mark,
as "ANSI" (GBK) and as "Unicode" (UTF-16 LE), CRLF line ends and a lone CR,
paragraphs indented with full-width spaces, a list indented with tabs,
non-breaking and zero-width spaces pasted from WeChat, Word's numbering
("1．", "（1）", "①"), full-width dates; Thumbs.db, desktop.ini and an Office
lock file ~$普惠题库.xlsx lying in the folder; a bank of 43 questions of every
type (three cases); twelve weekly exams and a programme for 2026's fourth
quarter. And the bank as the same trainer keeps it in WPS
(fixtures/smallbiz_imports/普惠题库（WPS）.xlsx): a merged title row above the
headers, an empty row, a formula, numbers stored as text, a date cell, "单选 "
with a trailing space, 单项选择题 / 多项选择题 / 判断题 / 简答题, a sheet of notes
and a hidden sheet of retired questions.

Each test starts from the files as the trainer wrote them; a refusal is
checked on a copy changed the way the first draft was."""
from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from lms import questions as question_types
from lms.content.console import editor
from lms.content.importers.xlsx import read_xlsx
from lms.content.models import Asset, Exam, Lesson, Programme, ProgrammeItem, Question
from lms.content.source.parser import parse_folder
from lms.extensions import db
from tests.conftest import sign_in

FIXTURE = Path(__file__).parent / "fixtures" / "smallbiz"
WORKBOOK = Path(__file__).parent / "fixtures" / "smallbiz_imports" / "普惠题库（WPS）.xlsx"
COURSE = "courses/新建文件夹 (2)"
LESSON_CHECKS = f"{COURSE}/lessons/06-征信查询与三查制度.md"
BANK = f"{COURSE}/questions/普惠题库.md"


@pytest.fixture
def smallbiz(app, course_folder):
    return course_folder("smallbiz")


def _check(runner):
    return runner.invoke(args=["content", "check"])


def _publish(runner):
    result = runner.invoke(args=["content", "publish"])
    assert result.exit_code == 0, result.output
    return result.output


def _append(root: Path, path: str, text: str) -> int:
    """Add lines at the end of a UTF-8 (BOM, CRLF) file as Notepad would; the number of the first."""
    file = root / path
    data = file.read_bytes()
    first = data.count(b"\n") + (0 if data.endswith(b"\n") else 1) + 1
    file.write_bytes(data + text.replace("\n", "\r\n").encode("utf-8"))
    return first


def _lesson(slug: str) -> Lesson:
    return db.session.scalar(select(Lesson).where(Lesson.slug == slug))


def _key(slug: str) -> dict:
    return db.session.scalar(select(Question).where(Question.slug == slug)).current_version.data


# --- the files as Windows wrote them ------------------------------------------------------

def test_the_course_saved_by_notepad_in_every_encoding_checks_and_publishes(runner, smallbiz):
    """Lesson 02 saved as "ANSI" (GBK) was "文件不是 UTF-8 编码的文本" and lesson 03 saved as
    "Unicode" (UTF-16) the same at line 1: the trainer had no idea what to change, and the
    programme then named both lessons unknown. Both are read as what they are."""
    raw = (smallbiz / COURSE / "lessons/02-小微企业主经营贷.md").read_bytes()
    assert raw.decode("gbk").startswith("---\r\nid: owner-loan") and b"\xef\xbb\xbf" not in raw[:3]
    assert (smallbiz / COURSE / "lessons/03-个体工商户贷款.md").read_bytes()[:2] == b"\xff\xfe"
    check = _check(runner)
    assert check.exit_code == 0, check.output
    assert "检查通过：1 门课程、6 个课时、43 道题、12 场考试、1 个培训计划、2 个附件" in check.output
    _publish(runner)
    owner = _lesson("owner-loan")
    assert owner.title == "小微企业主经营贷"
    assert "<td>小微企业的法定代表人或持股10%以上的股东</td>" in owner.body_html
    # The list WPS indented with tabs is a nested list.
    assert "<li>借款人年龄18（含）至65周岁；<ul>\n<li>企业成立满2年；</li>" in owner.body_html
    proprietor = _lesson("sole-proprietor")
    assert proprietor.title == "个体工商户经营贷款"
    assert "个体工商户没有独立的法人资格" in proprietor.body_html and "\ufffd" not in proprietor.body_html
    # Thumbs.db, desktop.ini and the lock file ~$普惠题库.xlsx are none of the course's files.
    assert sorted(a.path for a in db.session.scalars(select(Asset))) == ["images/LPR 加点 示意图.png", "images/图1.png"]
    programme = db.session.scalar(select(Programme).where(Programme.slug == "smallbiz-2026q4"))
    weeks = db.session.scalars(select(ProgrammeItem).where(ProgrammeItem.programme_id == programme.id)
                               .order_by(ProgrammeItem.number)).all()
    assert len(weeks) == 12 and str(weeks[0].opens_on) == "2026-10-12" and str(weeks[-1].due_on) == "2027-01-03"


def test_a_utf8_file_with_a_character_from_another_encoding_names_its_line_and_what_to_do(runner, smallbiz):
    """A UTF-8 lesson with one word pasted in GBK is not read as GBK nonsense: the trainer
    is told the line and how to save the file again."""
    lesson = smallbiz / LESSON_CHECKS
    data = lesson.read_bytes()
    line = data.count(b"\n") + 1
    lesson.write_bytes(data + "注：".encode("utf-8") + "征信".encode("gbk") + b"\r\n")
    check = _check(runner)
    assert check.exit_code == 1
    assert (f"{LESSON_CHECKS}:{line}: 从这一行起，文件既不是 UTF-8 也不是 GBK 文本（从别处粘贴来的字符，或者根本不是"
            "文本文件）：请用记事本打开，另存为 → 编码选 UTF-8 后保存") in check.output, check.output


def test_the_console_editor_opens_a_gbk_lesson_as_its_words(app, smallbiz):
    """The editor opened the ANSI lesson as replacement characters (�), and saving it
    would have written them over the trainer's text; its course was missing from the
    console (course.md read as UTF-8 only)."""
    opened = editor.open_file(f"{COURSE}/lessons/02-小微企业主经营贷.md")
    assert opened is not None and "\ufffd" not in opened.text
    assert "title: 小微企业主经营贷" in opened.text and "最高500万元" in opened.text
    assert "owner-loan" in editor.course_files("smallbiz").lessons


class _WindowsZipInfo(zipfile.ZipInfo):
    """A member as Windows' "Send to → Compressed (zipped) folder" writes it on a Chinese
    system: the name in GBK, without the UTF-8 flag."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits


def test_the_course_folder_zipped_by_windows_uploads_in_the_console(client, smallbiz, make_user):
    """The trainer zips "新建文件夹 (2)" (Thumbs.db, desktop.ini and the ~$ lock file inside)
    and uploads it under 上传课程: the whole upload was refused for "新建文件夹 (2)/desktop.ini
    不允许的文件类型", and the ANSI and Unicode lessons were "文件不是 UTF-8 编码的文本".
    desktop.ini and the lock file are skipped like Thumbs.db; the lessons are read."""
    sign_in(client, make_user(("trainer",)))
    course = smallbiz / COURSE
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in course.rglob("*") if p.is_file()):
            zf.writestr(_WindowsZipInfo("新建文件夹 (2)/" + path.relative_to(course).as_posix()), path.read_bytes())
    shutil.rmtree(course)  # a course the content folder does not have yet
    buffer.seek(0)
    page = client.post("/console/upload", data={"archive": (buffer, "新建文件夹 (2).zip")},
                       content_type="multipart/form-data")
    assert page.status_code == 200, re.sub(r"<[^>]+>", " ", page.text)[-3000:]
    shown = re.sub(r"<[^>]+>", " ", page.text)  # what the trainer reads: a form's random tokens may hold GBK
    assert "UTF-8" not in shown and "GBK" not in shown, shown
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page.text).group(1)
    assert client.post("/console/upload/confirm", data={"token": token}).status_code == 302
    assert _lesson("owner-loan").title == "小微企业主经营贷"
    assert "个体工商户没有独立的法人资格" in _lesson("sole-proprietor").body_html
    uploaded = {p.name for p in (smallbiz / "courses").rglob("*")}
    assert "desktop.ini" not in uploaded and "~$普惠题库.xlsx" not in uploaded and "Thumbs.db" not in uploaded


def test_paragraphs_indented_with_full_width_spaces_keep_their_indent(runner, smallbiz):
    """"　　普惠型小微企业贷款，是指…" (two full-width spaces, Word's first-line indent)
    was published flush left: markdown drops leading white space. The learner now
    reads the paragraph indented as the trainer wrote it."""
    _publish(runner)
    html = _lesson("overview").body_html
    assert "<p>\u3000\u3000普惠型小微企业贷款，是指单户授信总额1000万元（含）以下" in html, html
    assert "<p>\u3000\u3000“两增两控”是监管对普惠小微贷款的考核要求：</p>" in html
    # Word's numbering pasted as text stays one item a line; the image and the dates as written.
    assert "（1）贷款增速不低于各项贷款增速；<br>\n（2）" in html
    assert "① 单户授信总额1000万元（含）以下；<br>\n② " in html
    renewal = _lesson("renewal").body_html
    assert "<p>\u3000\u3000无还本续贷，是指" in renewal
    assert "收到完整资料后&nbsp;5&nbsp;个工作日内答复。<br>\n老系统导出的这一行只有一个回车。" in renewal


def test_numbers_and_dates_typed_in_full_width_mode_are_what_they_show(runner, smallbiz):
    """`pass_mark: ８０` (the input method left in full-width mode) was "'pass_mark' 必须是
    1 到 100 之间的百分数（现为 '８０'）" though it reads 80 on the screen."""
    exam = smallbiz / "exams" / "普惠w01.yaml"
    exam.write_bytes(exam.read_bytes().replace(b"time_limit: 20", "time_limit: ２０".encode())
                     .replace(b"pass_mark: 80", "pass_mark: ８０".encode()))
    programme = next((smallbiz / "programmes").glob("*.yaml"))
    programme.write_bytes(programme.read_bytes().replace(b"start: 2026-10-12", "start: ２０２６年１０月１２日".encode()))
    check = _check(runner)
    assert check.exit_code == 0, check.output
    _publish(runner)
    published = db.session.scalar(select(Exam).where(Exam.slug == "exam-smallbiz-w01"))
    assert (published.pass_mark, published.time_limit_minutes) == (80, 20)
    week = db.session.scalar(select(ProgrammeItem).join(Programme).where(Programme.slug == "smallbiz-2026q4",
                                                                         ProgrammeItem.number == 1))
    assert str(week.opens_on) == "2026-10-12"


# --- images and links from a Windows PC --------------------------------------------------

def test_links_to_the_trainers_own_computer_or_with_backslashes_say_what_to_write(runner, smallbiz):
    """`images\\图1.png` was "链接失效" with nothing about the backslash; `file:///C:/…`
    and `C:\\Users\\…` passed the check and the image was silently left out of the page."""
    first = _append(smallbiz, LESSON_CHECKS, "\n![授权书样例](file:///C:/Users/Administrator/Desktop/授权书.png)\n\n"
                                             "![查询流程](C:\\Users\\Administrator\\Desktop\\查询流程.png)\n\n"
                                             "![认定流程](images\\图1.png)\n")
    check = _check(runner)
    assert check.exit_code == 1
    assert (f"{LESSON_CHECKS}:{first + 1}:10: 链接“file:///C:/Users/Administrator/Desktop/授权书.png”指向您自己电脑上的"
            "文件，学员打不开：请把文件复制到课程文件夹（images/ 或 attachments/）里，再写课程文件夹内的路径，"
            "如 images/授权书.png") in check.output, check.output
    assert (f"{LESSON_CHECKS}:{first + 3}:9: 链接“C:\\Users\\Administrator\\Desktop\\查询流程.png”指向您自己电脑上的文件"
            in check.output)
    assert (f"{LESSON_CHECKS}:{first + 5}:9: 链接“images\\图1.png”用的是 Windows 的反斜杠 (\\)：请改用正斜杠，"
            "写成 images/图1.png") in check.output


def test_a_bmp_picture_or_one_renamed_to_png_says_save_it_as_png(runner, smallbiz):
    """A Paint picture 营业执照.bmp was "只发布图片…和文档…，不能链接此文件" with no word of
    how; the same picture renamed 营业执照样例.png was published as an image/png that is
    a BMP."""
    images = smallbiz / COURSE / "images"
    (images / "营业执照.bmp").write_bytes(b"BM" + b"\x00" * 200)
    (images / "营业执照样例.png").write_bytes(b"BM" + b"\x00" * 200)
    first = _append(smallbiz, LESSON_CHECKS, "\n![营业执照](images/营业执照.bmp)\n\n![营业执照样例](images/营业执照样例.png)\n")
    check = _check(runner)
    assert check.exit_code == 1
    assert (f"{LESSON_CHECKS}:{first + 1}:9: 图片“images/营业执照.bmp”是 BMP 文件：只发布 PNG、JPG、GIF 和 WebP 图片。"
            "请用画图或 WPS 打开，另存为 PNG 或 JPG，再链接另存的文件") in check.output, check.output
    assert (f"{COURSE}/images/营业执照样例.png: 文件扩展名是 .png，实际却是 BMP 图片（只改了文件名，没有转换格式）："
            "只发布 PNG、JPG、GIF 和 WebP 图片") in check.output
    assert runner.invoke(args=["content", "publish"]).exit_code == 1
    assert db.session.scalar(select(Asset).limit(1)) is None  # nothing half published


def test_a_12_mb_photo_from_a_phone_is_published_with_a_warning(runner, smallbiz):
    """A 12 MB photo of a shop front (under the 20 MB limit) was published without a
    word, and every RM opening the lesson on a phone downloaded all of it."""
    photo = smallbiz / COURSE / "images" / "门店照片 IMG_20261012.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * (12 * 1024 * 1024))
    _append(smallbiz, LESSON_CHECKS, "\n![实地走访的门店](images/门店照片 IMG_20261012.jpg)\n")
    output = _publish(runner)
    assert (f"{COURSE}/images/门店照片 IMG_20261012.jpg: warning: 这张图片有 12.0 MB：学员每次在手机上打开这一课都要"
            "下载整张图片。除非要看清细节，请把它缩小（画图 → 重新调整大小，宽约 1600 像素，再另存为 JPG）") in output, output
    assert "images/图1.png: warning" not in output
    assert db.session.scalar(select(Asset).where(Asset.path == "images/门店照片 IMG_20261012.jpg")) is not None


# --- the bank's keys and what an RM types ------------------------------------------------

def test_a_key_written_with_a_full_width_percent_sign_is_the_same_unit(runner, smallbiz):
    """`answer: 0.5％` (the input method in full-width mode) with `unit: %` was "'answer' 中
    已写明 unit 为 ％，但 'unit' 写的是 %：只写一处"."""
    bank = smallbiz / BANK
    bank.write_bytes(bank.read_bytes().replace(b"answer: 0.5\r\n", "answer: 0.5％\r\n".encode()))
    check = _check(runner)
    assert check.exit_code == 0, check.output
    _publish(runner)
    assert _key("sb-038") == {"answer": 0.5, "tolerance": 0.01, "unit": "%"}


def test_key_lines_typed_in_chinese_input_mode(runner, smallbiz):
    """`answer: “对”` (quoted, as YAML taught the trainer, with the input method's quotes)
    was "'answer' 必须是 true 或 false（对 / 错），现为 '“对”'"; an option typed with a
    full-width dash (`－ [x] 3年`) became stem text after the options ("选项后面还有文字")
    instead of being named as an option written wrong."""
    bank = smallbiz / BANK
    text = bank.read_bytes().decode("utf-8-sig")
    text = text.replace("## sb-019\r\ntype: 判断\r\nanswer: 对", "## sb-019\r\ntype: 判断\r\nanswer: “对”")
    text = text.replace("- [x] 3年", "－ [x] 3年")
    bank.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    line = text.split("\r\n").index("－ [x] 3年") + 1
    check = _check(runner)
    assert check.exit_code == 1
    assert (f"{BANK}:{line}: 试题 sb-005：这一行像是选项，但写法不对：请写成“- [ ] ”或“- [x] ”——半角方括号，"
            "中间是一个空格或 x，后面再空一格") in check.output, check.output
    assert "sb-019" not in check.output and "选项后面还有文字" not in check.output
    bank.write_bytes(b"\xef\xbb\xbf" + text.replace("－ [x] 3年", "- [x] 3年").encode("utf-8"))
    _publish(runner)
    assert _key("sb-019") == {"correct": True}


@pytest.mark.parametrize("slug, typed, right", [
    # sb-037: 100,000 元
    ("sb-037", "10万元", True), ("sb-037", "10万", True), ("sb-037", "100,000.00元", True),
    ("sb-037", "壹拾万元整", True), ("sb-037", "１０万元", True), ("sb-037", "十万元", True),
    ("sb-037", "10", False), ("sb-037", "10万元整整", False),
    # sb-034: 350 万元
    ("sb-034", "350", True), ("sb-034", "3,500,000.00元", True), ("sb-034", "叁佰伍拾万元整", True),
    ("sb-034", "350元", False),  # 350 元 is not 350 万元
    # sb-033: 3.5 %
    ("sb-033", "3.5％", True), ("sb-033", "百分之三点五", True), ("sb-033", "35‰", True), ("sb-033", "350BP", True),
    ("sb-033", "3.5元", False), ("sb-033", "0.035", False), ("sb-033", "百分之", False), ("sb-033", "三个多", False),
    # sb-038: 0.5 % (50 个基点)
    ("sb-038", "千分之五", True), ("sb-038", "5‰", True), ("sb-038", "50个基点", True), ("sb-038", "5", False),
    # sb-035: 35,000 元; a figure pasted from WeChat with a zero-width space inside
    ("sb-035", "35\u200b000", True), ("sb-035", "3.5万元", True), ("sb-035", "叁万伍仟元整", True),
])
def test_numeric_answers_as_rms_write_amounts_and_rates(app, slug, typed, right):
    """10万元 for a key of 100,000 元 was read as 10 and marked wrong, and 350元 for a key of
    350 万元 as 350 and marked right; 百分之三点五, 千分之五, 5‰ and 壹拾万元整 were not read
    at all. A unit of the key's kind is converted, a unit of another kind is wrong. (The keys
    as the bank file gives them; publishing stores the same data.)"""
    assert (question_types.grade("numeric", _bank_keys()[slug], typed).fraction == 1.0) is right


_KEYS: dict = {}


def _bank_keys() -> dict:
    if not _KEYS:
        _KEYS.update({q.id: q.data for q in parse_folder(FIXTURE).questions})
    return _KEYS


def test_a_blank_whose_key_holds_a_zero_width_space_takes_the_answer_as_typed(runner, smallbiz):
    """`[[书面​授权]]` with a zero-width space pasted from WeChat inside the key: an RM who
    typed 书面授权 was marked wrong, and nothing on any page showed why."""
    bank = smallbiz / BANK
    bank.write_bytes(bank.read_bytes().replace("[[书面授权|".encode(), "[[书面\u200b授权|".encode()))
    _publish(runner)
    key = _key("sb-032")
    assert key["blanks"] == [["书面\u200b授权", "书面授权书"]]
    assert question_types.grade("fill", key, ["书面授权"]).fraction == 1.0
    assert question_types.grade("fill", key, ["书面"]).fraction == 0.0


# --- the same bank in WPS ------------------------------------------------------------------

def test_the_bank_made_in_wps_imports_as_the_trainer_sees_it(app):
    """The merged title row above the headers was "第 1 行：标题行缺少列 题型、题干（请使用模板）":
    nothing of the workbook could be imported. And 2026年9月14日, which WPS turns into a date
    cell, became the key "2026-09-14 00:00:00"."""
    result = read_xlsx(WORKBOOK.read_bytes(), WORKBOOK.name)
    assert [str(p) for p in result.problems] == []
    by_id = {q.id: q for q in result.questions}
    assert sorted(by_id) == [f"sbx-{n:03d}" for n in range(1, 11)]  # not the hidden sheet's old-001
    assert {q.id: q.type for q in result.questions} == {
        "sbx-001": "single", "sbx-002": "single", "sbx-003": "multiple", "sbx-004": "truefalse",
        "sbx-005": "truefalse", "sbx-006": "fill", "sbx-007": "numeric", "sbx-008": "numeric", "sbx-009": "essay",
        "sbx-010": "case"}
    # Rows keep the numbers Excel shows (the title is row 1, the headers row 2, an empty row 6).
    assert [q.source.line for q in result.questions[:5]] == [3, 4, 5, 7, 8]
    assert by_id["sbx-001"].points == 2.0 and by_id["sbx-001"].data["correct"] == ["B"]  # 分值 "2" as text
    assert by_id["sbx-003"].points == 2.0  # =1+1, by its saved result
    assert by_id["sbx-006"].data == {"blanks": [["2026年9月14日"]]}
    assert question_types.grade("fill", by_id["sbx-006"].data, ["2026-09-14"]).fraction == 1.0
    assert by_id["sbx-007"].data == {"answer": 280.0, "tolerance": 0.0}  # =400*0.7
    assert by_id["sbx-008"].data == {"answer": 3.5, "tolerance": 0.0, "unit": "%"}
    assert by_id["sbx-010"].data["parts"][1]["data"] == {"answer": 280.0, "tolerance": 0.0, "unit": "万元"}


@pytest.mark.parametrize("written, expected", [
    ("排序题 ", "没有排序题型（“排序题”）：请写成单选题，选项是几种顺序（评估 → 匹配 → 揭示），或者放到“案例题”工作表，"
               "写成每一步占一行的案例题"),
    ("连线题", "没有配对（连线）题型（“连线题”）：请放到“案例题”工作表，写成案例题，每个要配对的项目占一行（题型填“单选”，"
             "选项是可以与它配对的各项）"),
])
def test_a_matching_or_ordering_row_in_excel_says_what_to_write_instead(app, written, expected):
    """A 排序题 row was "未知题型“排序题”（单选、多选…）", as if it were a typo."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "题库"
    sheet.append(["编号", "题型", "题干", "选项A", "选项B", "答案"])
    sheet.append(["sbx-101", written, "请排列三查的顺序", "贷前调查", "贷后检查", "AB"])
    data = io.BytesIO()
    workbook.save(data)
    result = read_xlsx(data.getvalue(), "普惠题库.xlsx")
    assert result.questions == []
    assert [str(p) for p in result.problems] == [f"普惠题库.xlsx:2:2: 第 2 行 题型 列 (B2)：{expected}"]
