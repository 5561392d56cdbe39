"""One reading and one rendering of a lesson or a bank on every path: what the
trainer previews in the console's editor is what publishing stores and the
learner reads, and the editor's check says what ``flask content check`` says
(Obsidian's wikilinks and call-outs, a key on an 答案： line, Word's smart
quotes around a tag), warnings included. The course is the Obsidian one of
tests/content/fixtures/consumer."""
from __future__ import annotations

import html
import re

from lms.content.console.editor import text_hash
from tests.conftest import sign_in
from tests.content.test_consumer_obsidian_course import BANK, FIRST, _publish, consumer, rm  # noqa: F401

HX = {"HX-Request": "true"}


def _cli_warnings(runner, root, path: str) -> set[str]:
    """``flask content check <file>``'s warnings, as "path:line message"."""
    result = runner.invoke(args=["content", "check", str(root / path)])
    assert result.exit_code == 0, result.output
    return {f"{m[1]} {m[2]}" for m in re.finditer(r"^(\S+): warning: (.*)$", result.output, re.M)}


def _preview(client, root, path: str) -> str:
    data = (root / path).read_bytes()
    return client.post("/console/preview", headers=HX, data={
        "path": path, "text": data.decode("utf-8"), "base_hash": text_hash(data)}).text


def _preview_warnings(page: str) -> set[str]:
    block = re.search(r'<div class="notice warnings" role="status" id="preview-warnings">(.*?)</div>', page, re.S)
    assert block, page
    return {html.unescape(f"{m[1]} {m[2]}") for m in re.finditer(r"<li><code>([^<]*)</code> (.*?)</li>", block[1])}


def test_the_lesson_previewed_is_the_lesson_the_learner_reads(runner, client, consumer, rm, make_user):
    """The editor rendered wikilinks and call-outs as publishing does, but said nothing of them: the
    trainer saw no note that [[第二课]] was read as a link, which `flask content check` printed."""
    _publish(runner)
    sign_in(client, make_user(("trainer",), employee_no="T7001"))
    page = _preview(client, consumer, FIRST)
    previewed = re.search(r'<div class="prose">(.*?)</div>\s*</article>', page, re.S)[1]
    assert "[[" not in previewed and "[!warning]" not in previewed
    assert _preview_warnings(page) == _cli_warnings(runner, consumer, FIRST)
    assert f"{FIRST}:8 [[第二课]]（Obsidian 的双链）按指向 lessons/第二课.md 的链接读取" in _preview_warnings(page)

    sign_in(client, rm)
    read = client.get("/courses/consumer-protection/lessons/rights", follow_redirects=True).text
    assert previewed.strip() in read


def test_the_editor_checks_a_bank_as_publishing_reads_it(runner, client, consumer, make_user):
    """Typora's smart quotes around a type and tags, lettered options with 答案：AC and a quoted 解析:
    the editor's check of the bank says what `flask content check` says, at the same lines."""
    sign_in(client, make_user(("trainer",), employee_no="T7002"))
    page = _preview(client, consumer, BANK)
    shown = _preview_warnings(page)
    assert shown == _cli_warnings(runner, consumer, BANK)
    assert f"{BANK}:68 按 销售适当性、双录 读取：两边的中文引号已略去" in " ".join(shown)
    assert any(w.startswith(f"{BANK}:27 “答案：AC”按答案读取") for w in shown), shown
    assert re.search(r'<li class="correct"><strong>A\.</strong>', page)  # the key the 答案 line gave


def test_the_uploaded_course_is_warned_of_as_flask_content_check_warns(runner, client, consumer, make_user):
    """The course zipped and uploaded: its review lists the warnings the command line prints for the
    folder (paths inside the zip), no more and no fewer."""
    from tests.content.test_consumer_obsidian_course import COURSE, _zip

    expected = {w.removeprefix(COURSE + "/") for w in _cli_warnings(runner, consumer, COURSE)}
    sign_in(client, make_user(("trainer",), employee_no="T7003"))
    page = client.post("/console/upload", data={"archive": (_zip(consumer, "消保警示教育/"), "消保警示教育.zip")},
                       content_type="multipart/form-data").text
    block = re.search(r'<div class="notice warnings" role="status" id="content-warnings">(.*?)</div>', page, re.S)
    shown = {html.unescape(f"{m[1]} {m[2]}") for m in re.finditer(r"<li><code>([^<]*)</code> (.*?)</li>", block[1])}
    assert expected and shown == expected
