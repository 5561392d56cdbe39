"""A seventh trainer's course, drafted in Obsidian and Typora on a Mac:
消费者权益保护——警示教育案例 (tests/content/fixtures/consumer). Lessons named
第一课 / 第二课 / 第三课 linked with wikilinks ``[[第二课]]``, ``[[第三课|违规案例]]``,
``[[第一课#八项权利一览]]``; images embedded as ``![[图1.png]]`` from an
``attachments/`` folder with spaces and Chinese in the names; call-outs
``> [!warning] 风险提示``, ``> [!tip]``, ``> [!example]``, ``> [!danger]``;
``<details>``, task lists, a table with alignment and a pipe inside a cell,
a footnote, headings closed with ``#``, a very long line, emoji, a case-study
PDF and a video link. The bank: ``*`` and ``+`` option markers, options
lettered ``A、`` / ``(A)`` / ``1.`` with the key on an ``答案：AC`` line, and
explanations in a block quote. What the trainer meant is read so and said at
its line; a wikilink to nothing is refused saying what to write."""
from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.content.models import Course, Exam, Question
from lms.extensions import db
from tests.conftest import sign_in
from tests.content.test_aml_warning_course import _sit, _wrong
from tests.content.test_trainer_own_course import _right

COURSE = "courses/消保警示教育"
BANK = f"{COURSE}/questions/消保题库.md"
FIRST = f"{COURSE}/lessons/第一课.md"


@pytest.fixture
def consumer(course_folder):
    return course_folder("consumer")


@pytest.fixture
def rm(make_user, make_branch):
    return make_user(("learner",), name="周学员", employee_no="E9001", branch=make_branch("B09"),
                     position="rm_junior")


def _publish(runner):
    result = runner.invoke(args=["content", "publish"])
    assert result.exit_code == 0, result.output
    return result.output


def _data(slug: str) -> dict:
    return db.session.scalar(select(Question).where(Question.slug == slug)).current_version.data


def test_what_obsidian_and_typora_wrote_is_read_as_meant_and_said_at_its_line(runner, consumer):
    """Lettered options with 答案：AC were "多选题至少需要两个选项", "> 解析：" under the options "选项后面
    还有文字", and wikilinks and call-outs passed the check silently, to be shown as "[[第二课]]" and
    "[!warning] 风险提示" in a grey quote."""
    check = runner.invoke(args=["content", "check"])
    assert check.exit_code == 0, check.output
    assert "检查通过：1 门课程、3 个课时、6 道题、1 场考试、1 个培训计划、4 个附件" in check.output
    # Typora's smart quotes around a type and knowledge points: “销售适当性” was a tag of its own, so the
    # exam's rule drawing from 双录 found no question ("题库中只有 0 道").
    assert f"{BANK}:67: warning: 按 single 读取：两边的中文引号已略去" in check.output
    assert f"{BANK}:68: warning: 按 销售适当性、双录 读取：两边的中文引号已略去" in check.output
    assert f"{FIRST}:8: warning: [[第二课]]（Obsidian 的双链）按指向 lessons/第二课.md 的链接读取" in check.output
    assert (f"{FIRST}:10: warning: 标注 [!warning]（Obsidian、Typora 的写法）按“风险提示”标注显示（本格式写作 !!! risk）"
            in check.output), check.output
    assert (f"{BANK}:27: warning: “答案：AC”按答案读取：上面 4 个带字母的选项中的 A、C（本格式中选项写作“- [ ] ”，"
            "正确选项写作“- [x] ”）") in check.output
    assert f"{BANK}:14: warning: 块引用中的解析（> 解析：…）按解析读取，不必加 >" in check.output

    _publish(runner)
    assert _data("cp-002")["correct"] == ["A", "C"]
    assert [o["text"] for o in _data("cp-003")["options"]] == ["录音和录像", "录入和录制", "登记和记录"]
    assert _data("cp-003")["correct"] == ["A"] and _data("cp-004")["correct"] == ["B"]
    assert _data("cp-001")["correct"] == ["C"]
    cp006 = db.session.scalar(select(Question).where(Question.slug == "cp-006")).current_version
    assert sorted(cp006.tags) == ["双录", "销售适当性"], cp006.tags
    course = db.session.scalar(select(Course).where(Course.slug == "consumer-protection"))
    # 第一课, 第二课, 第三课: by their numbers, not by the characters (三 sorts before 二).
    assert [lesson.slug for lesson in course.lessons] == ["rights", "suitability", "cases"]


def test_a_wikilink_to_nothing_is_refused_saying_what_to_write(runner, consumer):
    lesson = consumer / FIRST
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("[[第二课]]", "[[第2课]]"), encoding="utf-8")
    check = runner.invoke(args=["content", "check"])
    assert check.exit_code == 1
    assert (f"{FIRST}:8: [[第2课]]：课程中没有名为“第2课”的课时或文件。链接课时请写 [文字](lessons/file.md)，"
            "显示图片请写 ![文字](images/file.png)，文件名与课程文件夹中的一致") in check.output, check.output


def test_the_learner_reads_the_lessons_as_they_looked_in_obsidian(runner, client, consumer, rm):
    _publish(runner)
    sign_in(client, rm)
    page = client.get("/courses/consumer-protection/lessons/rights", follow_redirects=True)
    assert page.status_code == 200
    text = page.text
    assert "[[" not in text and "[!warning]" not in text
    assert re.search(r'<a href="/courses/consumer-protection/lessons/suitability"[^>]*>第二课</a>', text), text
    assert re.search(r'<a href="/courses/consumer-protection/lessons/cases"[^>]*>违规案例</a>', text)
    assert re.search(r'<div class="admonition risk">\s*<p class="admonition-title">风险提示</p>', text)
    image = "/assets/consumer-protection/attachments/%E5%9B%BE1.png"
    assert f'src="{image}"' in text and client.get(image).status_code == 200
    assert "<details>" in text and "<summary>点击展开：监管依据</summary>" in text
    assert "隐瞒费用 | 夸大收益" in text and '<td align="right">' in text
    assert "金融消费者的八项权利 #" not in text and "八项权利一览 ##" not in text
    # The task list as boxes, as Obsidian shows it (was "[x] 读完本课" as typed).
    assert "<li>☑ 读完本课</li>" in text and "<li>☐ 完成课后测验 ✅</li>" in text

    cases = client.get("/courses/consumer-protection/lessons/cases", follow_redirects=True).text
    assert re.search(r'<a href="/courses/consumer-protection/lessons/rights#八项权利一览"[^>]*>第一课 › 八项权利一览</a>',
                     cases), cases
    assert re.search(r'<div class="admonition case">\s*<p class="admonition-title">案例</p>', cases)
    assert re.search(r'<div class="admonition risk">\s*<p class="admonition-title">', cases)
    pdf = re.search(r'href="(/assets/consumer-protection/attachments/[^"]+\.pdf)"', cases)
    assert pdf and client.get(pdf.group(1)).status_code == 200
    assert 'href="https://www.example.com/video/baseline"' in cases


def test_an_rm_fails_then_passes_the_quarterly_exam(client, runner, clock, consumer, rm):
    _publish(runner)
    exam = db.session.scalar(select(Exam).where(Exam.slug == "exam-consumer-q4"))
    sign_in(client, rm)
    started = client.post(f"/exams/{exam.id}/start")
    page = client.get(started.headers["Location"]).text
    # The options as options, the key and the explanation not before submitting.
    assert "录音和录像" in page and "(A) 录音" not in page and "答案：" not in page and "不得代客签字" not in page
    first = _sit(client, exam, _wrong)
    assert first.passed is False
    result = client.get(f"/attempts/{first.id}/result").text
    assert "不得承诺保本，不得代客签字。" in result
    second = _sit(client, exam, _right)
    assert second.passed and second.percent == 100.0


# --- the zip a colleague made on Windows ------------------------------------------------------

class _WindowsZipInfo(zipfile.ZipInfo):
    """A member as Windows' "Send to → Compressed (zipped) folder" writes it on a Chinese system:
    the name in GBK, without the UTF-8 flag."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits


def _zip(consumer: Path, top: str) -> io.BytesIO:
    """The course folder zipped on Windows under ``top`` ("" for its files at the top), with the
    __MACOSX twins the Mac's own zip left beside it when the colleague unpacked it."""
    course = consumer / COURSE
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in course.rglob("*") if p.is_file()):
            rel = path.relative_to(course)
            zf.writestr(_WindowsZipInfo(top + rel.as_posix()), path.read_bytes())
            twin = rel.parent / ("._" + rel.name)
            zf.writestr(_WindowsZipInfo(top + "__MACOSX/" + twin.as_posix()), b"\x00\x05\x16\x07Mac OS X")
    shutil.rmtree(course)
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize("top", ["消保警示教育/", "", "消保警示教育 (1)/"])
def test_the_zip_made_on_windows_uploads_and_publishes(client, consumer, make_user, top):
    sign_in(client, make_user(("trainer",)))
    page = client.post("/console/upload", data={"archive": (_zip(consumer, top), "消保警示教育.zip")},
                       content_type="multipart/form-data")
    assert page.status_code == 200, re.sub(r"<[^>]+>", " ", page.text)[-3000:]
    shown = re.sub(r"<[^>]+>", " ", page.text)
    assert "import-problems" not in page.text and "__MACOSX" not in shown and "/._" not in shown, shown[-3000:]
    assert "<code>lessons/第一课.md:8</code> [[第二课]]（Obsidian 的双链）按指向 lessons/第二课.md 的链接读取" in page.text
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page.text).group(1)
    assert client.post("/console/upload/confirm", data={"token": token}).status_code == 302
    course = db.session.scalar(select(Course).where(Course.slug == "consumer-protection"))
    assert [lesson.slug for lesson in course.lessons] == ["rights", "suitability", "cases"]
    uploaded = {p.name for p in (consumer / "courses").rglob("*")}
    assert "图1.png" in uploaded and not any(name.startswith("._") or name == "__MACOSX" for name in uploaded)


def test_an_upload_under_another_top_folder_name_is_shown_again_once_the_course_was_published(
        client, consumer, make_user):
    """The trainer uploads 消保案例 zipped as cp-2026q3/, and again, corrected, as cp-2026q4/; then
    publishes the first. Publishing the second said "未发布任何内容：请先修正问题。courses/cp-2026q4
    该课程现位于 courses/cp-2026q3", with nothing to fix: the trainer had to upload it again. It is now
    a new review of the second zip replacing courses/cp-2026q3, with the reason, and publishes from there."""
    sign_in(client, make_user(("trainer",)))
    keep = consumer.parent / "keep"
    shutil.copytree(consumer / COURSE, keep)

    def staged(top: str) -> str:
        page = client.post("/console/upload", data={"archive": (_zip(consumer, top), f"{top[:-1]}.zip")},
                           content_type="multipart/form-data")
        assert page.status_code == 200 and "import-problems" not in page.text, page.text
        return re.search(r'name="token" type="hidden" value="([^"]+)"', page.text).group(1)

    first = staged("cp-2026q3/")
    shutil.copytree(keep, consumer / COURSE)
    bank = consumer / COURSE / "questions/消保题库.md"
    bank.write_text(bank.read_text(encoding="utf-8").replace("用于营销。", "用于联合营销。"), encoding="utf-8")
    second = staged("cp-2026q4/")
    assert client.post("/console/upload/confirm", data={"token": first}).status_code == 302

    again = client.post("/console/upload/confirm", data={"token": second})
    assert again.status_code == 409
    assert ("未发布任何内容：本次上传检查之后，课程 consumer-protection 已发布在 courses/cp-2026q3（来自另一次上传，"
            "其最外层文件夹名称不同），因此本次上传改为替换 courses/cp-2026q3，而不是新建 courses/cp-2026q4。"
            "请核对下面的变化，然后再次发布。") in again.text, again.text
    assert "该课程现位于" not in again.text and "<code>courses/cp-2026q3</code>" in again.text
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", again.text))
    assert "题目 cp-005 修改" in shown and "+客户经理可以将客户信息提供给合作的第三方机构用于联合营销。" in shown, shown
    assert client.post("/console/upload/confirm", data={"token": second}).status_code == 302
    question = db.session.scalar(select(Question).where(Question.slug == "cp-005"))
    db.session.refresh(question)
    assert question.current_version.stem_md.endswith("用于联合营销。")
    assert "用于联合营销" in (consumer / "courses/cp-2026q3/questions/消保题库.md").read_text(encoding="utf-8")
    assert not (consumer / "courses/cp-2026q4").exists()
