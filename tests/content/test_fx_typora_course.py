"""A trainer writes 个人外汇业务与跨境汇款 (tests/content/fixtures/fx_typora) in Typora, the way
Typora saves it: images pasted into a lesson are copied next to it (Typora's
``./${filename}.assets``: ``lessons/01-fx-rules.assets/image-….png``, written
``01-fx-rules.assets/image-….png`` from the lesson; the same beside a bank), links to a
heading name it as it is written (``#【二】可疑交易报告``), ``[TOC]`` at the top, an image
resized in Typora (``<img … style="zoom:50%;">``), 【】 headings, rate and fee tables, numbered
steps with sub-points, GitHub's call-outs (``> [!WARNING]``), every question type. Typora shows
each image and follows each link; so does the learner's page, and ``check`` finds nothing wrong."""
from __future__ import annotations

import io
import re
import zipfile
from urllib.parse import quote

import pytest
from sqlalchemy import select

from lms.content.console.editor import normalise, text_hash
from lms.content.models import Lesson, Question
from lms.extensions import db
from tests.conftest import sign_in
from tests.content.sample_folder import edit

COURSE = "courses/个人外汇"


@pytest.fixture
def fx(app, course_folder):
    return course_folder("fx_typora")


def _publish(runner) -> str:
    result = runner.invoke(args=["content", "publish"])
    assert result.exit_code == 0, result.output
    return result.output


def _lesson_html(slug: str) -> str:
    return db.session.scalar(select(Lesson.body_html).where(Lesson.slug == slug))


def _explanation_html(slug: str) -> str:
    return db.session.scalar(select(Question).where(Question.slug == slug)).current_version.explanation_html


def test_the_course_as_typora_saved_it_checks_clean(runner, fx):
    """The image beside the lesson was 'broken link … no file 01-fx-rules.assets/…', and the links to
    【二】可疑交易报告 and 【一】基本概念 'no heading': Typora shows the one and follows the others."""
    check = runner.invoke(args=["content", "check"])
    assert check.exit_code == 0, check.output
    assert "3 个课时、7 道题、4 场考试、1 个培训计划、6 个附件" in check.output


def test_images_typora_copied_beside_the_lesson_and_the_bank_are_published_and_shown(runner, fx, client,
                                                                                    make_user):
    _publish(runner)
    lesson_image = "/assets/fx-personal/lessons/01-fx-rules.assets/image-20260302101530123.png"
    assert f'src="{lesson_image}"' in _lesson_html("fx-rules")
    bank_image = "/assets/fx-personal/" + quote("questions/外汇题库.assets/image-20260304.png")
    assert f'src="{bank_image}"' in _explanation_html("fx-003")
    # A path written from the course folder, as the format has it, keeps its meaning.
    assert 'src="/assets/fx-personal/images/%E6%B1%87%E6%AC%BE%E6%B5%81%E7%A8%8B.png"' in _lesson_html("fx-remit")
    assert 'src="/assets/fx-personal/assets/image-20260303090000111.png"' in _lesson_html("fx-cash")
    assert '<td align="right"><del>0.15%</del> 0.1%</td>' in _lesson_html("fx-remit")  # ~~struck out~~, as Typora
    sign_in(client, make_user(("learner",), employee_no="E8301", position="teller"))
    for url in (lesson_image, bank_image):
        shown = client.get(url)
        assert shown.status_code == 200 and shown.data.startswith(b"\x89PNG"), url


def test_a_heading_named_as_it_is_written_is_where_the_link_goes(runner, fx):
    _publish(runner)
    cash = _lesson_html("fx-cash")
    assert '<h2 id="二可疑交易报告">' in cash
    # From another lesson, from the same lesson, from a question's explanation, and Typora's [TOC].
    assert 'href="/courses/fx-personal/lessons/fx-cash#二可疑交易报告"' in _lesson_html("fx-remit")
    rules = _lesson_html("fx-rules")
    assert '<a href="#一基本概念"' in rules and "#【一】" not in rules
    assert '<li><a href="#二今日牌价示例"' in rules  # [TOC]
    assert '<div class="toc">' in rules and 'class=""' not in rules  # the contents keep their box (was class="")
    assert 'href="/courses/fx-personal/lessons/fx-rules#一基本概念"' in _explanation_html("fx-001")


def test_a_heading_the_lesson_does_not_have_is_still_refused_at_its_line(runner, fx):
    edit(fx, f"{COURSE}/lessons/02-境外汇款.md", "#【二】可疑交易报告", "#【三】可疑交易报告")
    check = runner.invoke(args=["content", "check"])
    assert check.exit_code == 1
    assert (f"{COURSE}/lessons/02-境外汇款.md:35:39: 链接“03-外币现钞与反洗钱.md#【三】可疑交易报告”："
            "课程 lessons/03-外币现钞与反洗钱.md 中没有标题“【三】可疑交易报告”") in check.output


def test_an_image_in_neither_place_names_the_course_folder_path(runner, fx):
    edit(fx, f"{COURSE}/lessons/01-fx-rules.md", "01-fx-rules.assets/image-20260302101530123.png",
         "01-fx-rules.assets/image-missing.png")
    check = runner.invoke(args=["content", "check"])
    assert check.exit_code == 1
    assert "01-fx-rules.md:28:28: 链接失效：'01-fx-rules.assets/image-missing.png'" in check.output


def test_checking_one_bank_says_nothing_of_the_lessons_it_did_not_check(runner, fx, client, make_user):
    """`check` of the bank (and the editor's preview of it) listed the lessons' notes (the call-outs
    [!WARNING] and [!NOTE] read as !!! call-outs) as if the bank had them; the lessons are read only for
    the links. The lesson's own check says its note; the editor's review of the course says it once."""
    bank = f"{COURSE}/questions/外汇题库.md"
    check = runner.invoke(args=["content", "check", str(fx / bank)])
    assert check.exit_code == 0, check.output
    assert "warning" not in check.output
    lesson = runner.invoke(args=["content", "check", str(fx / f"{COURSE}/lessons/01-fx-rules.md")])
    assert (f"{COURSE}/lessons/01-fx-rules.md:25: warning: 标注 [!WARNING]（Obsidian、Typora 的写法）按“风险提示”"
            "标注显示（本格式写作 !!! risk）") in lesson.output
    _publish(runner)
    sign_in(client, make_user(("trainer",), employee_no="T8301"))
    text = (fx / bank).read_text(encoding="utf-8")
    page = client.post("/console/review", data={"path": bank, "text": text, "base_hash": text_hash(text.encode()),
                                                "reviewed_hash": text_hash(normalise(text))}).text
    preview, review = page.split('id="edit-review"', 1)
    assert "[!WARNING]" not in preview and review.count("[!WARNING]") == 1


class _MacZipInfo(zipfile.ZipInfo):
    """A member as the Mac's Compress and Info-ZIP's zip write it: the name in UTF-8, without the flag."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("utf-8"), self.flag_bits & ~0x800


def test_the_course_zipped_on_a_mac_uploads_with_its_chinese_names(client, fx, make_user):
    """Names stored in UTF-8 without the UTF-8 flag were read as GBK when GBK could read them
    (lessons/02-澧冨姹囨.md): every link to them was broken, and the upload refused."""
    sign_in(client, make_user(("trainer",), employee_no="T8302"))
    course = fx / COURSE
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in course.rglob("*") if p.is_file()):
            zf.writestr(_MacZipInfo("个人外汇/" + path.relative_to(course).as_posix()), path.read_bytes())
    buffer.seek(0)
    page = client.post("/console/upload", data={"archive": (buffer, "个人外汇.zip")},
                       content_type="multipart/form-data")
    assert page.status_code == 200, re.sub(r"<[^>]+>", " ", page.text)[-3000:]
    shown = re.sub(r"<[^>]+>", " ", page.text)
    assert "errors problems" not in page.text and "没有文件" not in shown, shown[-3000:]
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page.text).group(1)
    assert client.post("/console/upload/confirm", data={"token": token}).status_code == 302
    assert '<td align="right"><del>0.15%</del> 0.1%</td>' in _lesson_html("fx-remit")


def test_a_video_embedded_from_its_share_menu_is_refused_with_the_link_to_write(runner, fx):
    """The 哔哩哔哩 player's <iframe> (and a <video> of a file) were removed by the sanitiser: the lesson
    showed nothing where the trainer saw a player in Typora, and nothing said so."""
    lesson = f"{COURSE}/lessons/03-外币现钞与反洗钱.md"
    edit(fx, lesson, "## 【二】可疑交易报告", '<iframe src="//player.bilibili.com/player.html?bvid=BV1GJ411x7h7" '
         'scrolling="no" allowfullscreen="true"> </iframe>\n\n<video src="media/流程.mp4" controls></video>\n\n'
         "`<iframe>` 在代码里只是文字。\n\n## 【二】可疑交易报告")
    check = runner.invoke(args=["content", "check"])
    assert check.exit_code == 1
    problems = [line for line in check.output.splitlines() if line.startswith(lesson)]
    assert problems == [
        f"{lesson}:12:1: <iframe> 不会显示：学员页面不播放嵌入的视频或网页。请改为链接它的网址，如 "
        "[视频](https://player.bilibili.com/player.html?bvid=BV1GJ411x7h7)",
        f"{lesson}:14:1: <video> 不会显示：学员页面不播放嵌入的视频或网页。请改为链接它的网址，如 [视频](https://…)"]
