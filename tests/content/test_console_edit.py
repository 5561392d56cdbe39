"""Editing a content file in the browser: open → live preview (sanitised,
with the CLI's checks and line numbers) → review (what publishing changes,
with diffs) → publish (the file is written, the course published, audited).
The content folder stays the source of truth; stale edits are refused."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.content.console.editor import normalise, text_hash
from lms.content.models import ContentRelease, Lesson, Question
from lms.extensions import db
from tests.content.console_samples import BANK_MD, DEPOSITS_MD, content_dir, review_for_publish, trainer  # noqa: F401

LESSON = "courses/products/lessons/01-deposits.md"
BANK = "courses/products/questions/deposits.md"
HX = {"HX-Request": "true"}


def _form(root, path, text, *, base=None, reviewed=True):
    on_disk = root / path
    data = {"path": path, "text": text,
            "base_hash": base if base is not None else (text_hash(on_disk.read_bytes()) if on_disk.exists() else "")}
    if reviewed:
        data["reviewed_hash"] = text_hash(normalise(text))
    return data


def _releases():
    return db.session.scalar(select(func.count()).select_from(ContentRelease))


def test_editor_opens_the_file_with_its_hash_and_live_preview(client, content_dir, trainer):
    page = client.get(f"/console/edit?path={LESSON}").text
    assert "## 定期存款" in page  # the markdown in the textarea
    assert f'value="{text_hash((content_dir / LESSON).read_bytes())}"' in page
    assert 'hx-post="/console/preview"' in page and 'hx-trigger="input changed delay:500ms"' in page
    assert '<h2 id="定期存款">定期存款</h2>' in page  # the rendering, also without JavaScript
    assert 'src="/assets/products/images/flow.png"' in page  # relative image → asset URL


def test_only_lessons_and_banks_of_the_content_folder_open(client, content_dir, trainer):
    for path in ("courses/products/../../../etc/passwd", "courses/products/course.md", "exams/week-01.yaml",
                 "/etc/passwd", "courses/products/lessons/99-none.md", "courses/nope/lessons/01-a.md"):
        assert client.get("/console/edit", query_string={"path": path}).status_code == 404, path


def test_preview_is_a_sanitised_fragment_and_keeps_nothing(client, content_dir, trainer):
    before = (content_dir / LESSON).read_text(encoding="utf-8")
    hostile = before + ('\n<script>alert(1)</script>\n<img src="x" onerror="alert(2)">\n'
                        '<a href="/logout" hx-post="/logout" hx-trigger="load">x</a>\n[y](javascript:alert(3))\n')
    response = client.post("/console/preview", data=_form(content_dir, LESSON, hostile), headers=HX)
    assert response.status_code == 200
    html = response.text
    assert html.lstrip().startswith('<div id="edit-preview"') and "<html" not in html
    assert '<h2 id="定期存款">定期存款</h2>' in html
    for bad in ("<script", "alert(1)", "onerror", "hx-post", "hx-trigger", "javascript:"):
        assert bad not in html, bad
    assert (content_dir / LESSON).read_text(encoding="utf-8") == before  # nothing written
    assert _releases() == 1


def test_preview_reports_the_cli_checks_with_line_numbers(client, content_dir, trainer):
    text = DEPOSITS_MD.replace("minutes: 20", "minutes: many") + "\n![缺图](images/missing.png)\n"
    html = client.post("/console/preview", data=_form(content_dir, LESSON, text), headers=HX).text
    assert f"{LESSON}:3" in html  # minutes
    assert re.search(rf"{re.escape(LESSON)}:\d+:\d+</code> 链接失效", html)  # "broken link", in the UI's Chinese


def test_bank_preview_shows_an_image_in_an_option_at_its_served_address(client, content_dir, trainer):
    text = BANK_MD.replace("- [ ] 10 万元", "- [ ] ![流程](../images/flow.png)")
    html = client.post("/console/preview", data=_form(content_dir, BANK, text), headers=HX).text
    assert re.findall(r'<img[^>]*src="([^"]+)"', html) == ["/assets/products/images/flow.png"]
    served = client.get("/assets/products/images/flow.png")
    assert served.status_code == 200 and served.mimetype == "image/png"


def test_bank_preview_shows_each_question_with_its_key(client, content_dir, trainer):
    text = BANK_MD.replace("- [ ] 10 万元", "- [ ] **10** 万元<script>x()</script>")
    html = client.post("/console/preview", data=_form(content_dir, BANK, text), headers=HX).text
    assert "dep-001" in html and "dep-002" in html
    assert re.search(r'<li class="correct"><strong>B\.</strong> 5 万元', html)
    assert "<strong>10</strong> 万元" in html and "<script" not in html
    assert "<code>对</code>" in html  # the true/false key, in the page's words (not the code "true")
    assert "个人通知存款最低起存金额为 5 万元" in html  # explanation
    broken = BANK_MD.replace("- [ ] 1 万元", "- [x] 1 万元")  # two keys for a single choice
    html = client.post("/console/preview", data=_form(content_dir, BANK, broken), headers=HX).text
    problems = re.findall(rf"<li><code>{re.escape(BANK)}:(\d+)[:\d]*</code> ([^<]*)</li>", html)
    assert [line for line, _message in problems] == ["9"], html  # the line of the options



def test_bank_preview_of_a_numeric_answer_that_is_not_a_number_yet(client, content_dir, trainer):
    """The draft's problem names the line; the question's preview shows no key rather than "None"."""
    text = BANK_MD + "\n## dep-090\ntype: numeric\nanswer: 一点五\n\n利息多少万元？\n"
    html = client.post("/console/preview", data=_form(content_dir, BANK, text), headers=HX).text
    assert f"<code>{BANK}:26</code> 试题 dep-090：&#39;answer&#39; 必须是数字" in html
    assert "None" not in html


def test_review_publish_end_to_end(client, content_dir, trainer):
    text = DEPOSITS_MD.replace("minutes: 20", "minutes: 25").replace("50 元起存", "50 元起存，不设上限")
    data = _form(content_dir, LESSON, text)
    review = review_for_publish(client, data)
    assert review.status_code == 200
    page = review.text
    assert "products/deposits" in page  # the changed lesson
    assert 'class="diff-del">-minutes: 20' in page and 'class="diff-add">+minutes: 25' in page
    assert 'formaction="/console/publish"' in page
    escaped = client.post("/console/review", data=_form(content_dir, LESSON, text + "</textarea><script>x()</script>"))
    assert "</textarea><script>" not in escaped.text and "&lt;/textarea&gt;&lt;script&gt;" in escaped.text
    assert f'name="reviewed_hash" value="{data["reviewed_hash"]}"' in page
    # reviewing changes nothing
    assert "minutes: 20" in (content_dir / LESSON).read_text(encoding="utf-8")
    assert db.session.scalar(select(Lesson.minutes).where(Lesson.slug == "deposits")) == 20

    response = client.post("/console/publish", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/console/courses/products")
    assert (content_dir / LESSON).read_text(encoding="utf-8") == text
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "deposits"))
    assert lesson.minutes == 25 and "不设上限" in lesson.body_html
    release = db.session.scalar(select(ContentRelease).order_by(ContentRelease.id.desc()))
    assert release.actor_id == trainer.id and release.source == f"web:{LESSON}"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "content.published")
                              .order_by(AuditEvent.seq.desc()))
    assert event.actor_id == trainer.id


def test_publishing_a_bank_versions_changed_questions_and_retires_removed_ones(client, content_dir, trainer):
    from lms.content.source.parser import parse_folder
    from lms.content.publishing.publish import publish
    from tests.content.console_samples import EXAM_YAML

    # The published exam draws dep-002 by name: it lets go of it first, or no
    # bank may retire it (the check refuses to leave a published exam short).
    (content_dir / "exams/week-01.yaml").write_text(EXAM_YAML.replace("  - {questions: [dep-002]}\n", ""),
                                                     encoding="utf-8")
    publish(parse_folder(content_dir, "exams/week-01.yaml"))
    text = BANK_MD.split("## dep-002")[0].replace("个人通知存款的最低起存金额", "个人通知存款的起存金额")
    data = _form(content_dir, BANK, text)
    review = review_for_publish(client, data).text
    assert "dep-001" in review and "dep-002" in review
    assert client.post("/console/publish", data=data).status_code == 302
    dep1 = db.session.scalar(select(Question).where(Question.slug == "dep-001"))
    dep2 = db.session.scalar(select(Question).where(Question.slug == "dep-002"))
    assert [v.version for v in dep1.versions] == [1, 2] and dep1.current_version.version == 2
    assert dep2.retired


def test_a_stale_edit_is_refused(client, content_dir, trainer):
    opened = _form(content_dir, LESSON, DEPOSITS_MD.replace("minutes: 20", "minutes: 30"))
    review_for_publish(client, opened)
    theirs = DEPOSITS_MD.replace("minutes: 20", "minutes: 40")
    (content_dir / LESSON).write_text(theirs, encoding="utf-8")  # someone else saved meanwhile
    response = client.post("/console/publish", data=opened)
    assert response.status_code == 409
    assert "courses/products/lessons/01-deposits.md" in response.text and 'id="edit-refusal"' in response.text
    assert "minutes: 30" in response.text  # the trainer's text is kept to copy
    assert (content_dir / LESSON).read_text(encoding="utf-8") == theirs
    assert db.session.scalar(select(Lesson.minutes).where(Lesson.slug == "deposits")) == 20
    assert _releases() == 1
    # the review step warns too, and offers no publish button
    review = client.post("/console/review", data=opened)
    assert review.status_code == 409 and 'formaction="/console/publish"' not in review.text


def test_publish_sent_twice_is_published_once_and_the_second_says_so(client, content_dir, trainer):
    """A double-clicked Publish: the second request carries the hash the
    editor opened with, but the file already holds exactly its text. It used to
    be refused as "changed by someone else" with the trainer's own change."""
    data = _form(content_dir, LESSON, DEPOSITS_MD.replace("minutes: 20", "minutes: 30"))
    review_for_publish(client, data)
    assert client.post("/console/publish", data=data).status_code == 302
    again = client.post("/console/publish", data=data, follow_redirects=True)
    assert again.status_code == 200
    assert "changed by someone else" not in again.text and "已被他人修改" not in again.text
    assert "Publish was sent twice" in again.text or "发布被提交了两次" in again.text
    assert db.session.scalar(select(Lesson.minutes).where(Lesson.slug == "deposits")) == 30
    assert _releases() == 2  # the demo's release and this one: the second click added none
    # A different text from the same old page is still refused as stale.
    other = _form(content_dir, LESSON, DEPOSITS_MD.replace("minutes: 20", "minutes: 35"), base=data["base_hash"])
    other["reviewed_plan"] = data["reviewed_plan"]
    assert client.post("/console/publish", data=other).status_code == 409
    assert "minutes: 30" in (content_dir / LESSON).read_text(encoding="utf-8")


def test_text_changed_after_review_is_not_published(client, content_dir, trainer):
    data = _form(content_dir, LESSON, DEPOSITS_MD.replace("minutes: 20", "minutes: 25"))
    review_for_publish(client, data)
    data["text"] = DEPOSITS_MD.replace("minutes: 20", "minutes: 99")
    assert client.post("/console/publish", data=data).status_code == 409
    assert "minutes: 20" in (content_dir / LESSON).read_text(encoding="utf-8")
    assert _releases() == 1


def test_publishing_with_problems_changes_nothing(client, content_dir, trainer):
    text = "---\ntitle: [unclosed\n---\n正文\n"
    response = client.post("/console/publish", data=_form(content_dir, LESSON, text))
    assert response.status_code == 422
    assert f"{LESSON}:" in response.text
    assert (content_dir / LESSON).read_text(encoding="utf-8") == DEPOSITS_MD
    assert _releases() == 1


def test_new_lesson_and_new_bank(client, content_dir, trainer):
    page = client.get("/console/courses/products/new", query_string={"kind": "lesson", "name": "03-cards"}).text
    path = "courses/products/lessons/03-cards.md"
    assert path in page and "title: cards" in page
    text = "---\ntitle: 银行卡业务\nminutes: 10\n---\n## 借记卡\n\n一类户、二类户。\n"
    data = _form(content_dir, path, text)
    review_for_publish(client, data)
    assert client.post("/console/publish", data=data).status_code == 302
    assert (content_dir / path).read_text(encoding="utf-8") == text
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "cards"))
    assert lesson.title == "银行卡业务" and lesson.position == 3

    page = client.get("/console/courses/products/new", query_string={"kind": "bank", "name": "cards"}).text
    assert "courses/products/questions/cards.md" in page and "type: single" in page
    bank = "## card-001\ntype: truefalse\nanswer: false\n\n二类户可以无限额转账。\n\n解析：二类户有限额。\n"
    data = _form(content_dir, "courses/products/questions/cards.md", bank)
    review_for_publish(client, data)
    assert client.post("/console/publish", data=data).status_code == 302
    assert db.session.scalar(select(Question).where(Question.slug == "card-001")).bank.endswith("cards.md")


def test_a_new_file_someone_else_created_meanwhile_is_refused(client, content_dir, trainer):
    path = "courses/products/lessons/03-cards.md"
    client.get("/console/courses/products/new", query_string={"kind": "lesson", "name": "03-cards"})
    data = _form(content_dir, path, "---\ntitle: 我的课\n---\n正文\n", base="")
    review_for_publish(client, data)
    (content_dir / path).write_text("---\ntitle: 他人的课\n---\n正文\n", encoding="utf-8")
    assert client.post("/console/publish", data=data).status_code == 409
    assert "他人的课" in (content_dir / path).read_text(encoding="utf-8")


def test_bad_new_file_names_are_refused(client, content_dir, trainer):
    for name in ("../x", "Big", "a/b", ""):
        response = client.get("/console/courses/products/new", query_string={"kind": "lesson", "name": name})
        assert response.status_code == 302, name
    assert not list((content_dir / "courses/products/lessons").glob("*x*"))


def test_edit_endpoints_need_csrf(client, content_dir, trainer):
    data = _form(content_dir, LESSON, DEPOSITS_MD)
    assert client.post("/console/preview", data=data, headers=HX, csrf=False).status_code == 400
    assert client.post("/console/publish", data=data, csrf=False).status_code == 400


def test_a_duplicate_id_in_another_bank_of_the_course_blocks_publishing(client, content_dir, trainer):
    """The preview checks the file; review and publish check the whole course."""
    path = "courses/products/questions/more.md"
    text = "## dep-001\ntype: truefalse\nanswer: true\n\n重复的编号。\n"
    review = client.post("/console/review", data=_form(content_dir, path, text))
    assert 'formaction="/console/publish"' not in review.text
    assert re.search(r"<code>courses/products/questions/(more|deposits)\.md:\d+</code>[^<]*dep-001", review.text)
    response = client.post("/console/publish", data=_form(content_dir, path, text))
    assert response.status_code == 422 and "dep-001" in response.text
    assert not (content_dir / path).exists() and _releases() == 1


def test_a_duplicate_id_is_reported_once_naming_both_places(client, content_dir, trainer):
    """A trainer starts a new bank and reuses dep-001 of deposits.md. The preview (this file) and the review
    (the whole course) each found it, in other words: 'already used by course products' beside 'duplicate …
    also at', and the preview added that the published exam could not draw, as if the duplicate had taken
    dep-001's place. Now the page says it once, at the new file's line, naming deposits.md's; whichever
    file sorts first (a.md before deposits.md, more.md after it)."""
    text = "## dep-001\ntype: truefalse\nanswer: true\n\n重复的编号。\n"
    for path in ("courses/products/questions/a.md", "courses/products/questions/more.md"):
        page = client.post("/console/review", data=_form(content_dir, path, text)).text
        problems = re.findall(r"<li><code>([^<]*)</code> ([^<]*)</li>", page)
        assert problems == [(f"{path}:1", "试题编号 &#39;dep-001&#39; 重复：另见 courses/products/questions/deposits.md:1")], path
        assert 'formaction="/console/publish"' not in page
        hint = re.search(r'<div class="notice" id="move-hint">(.*?)</div>', page, re.S).group(1)
        assert "如果是另一道题，请给它另起一个编号。" in hint


def test_the_editor_never_opens_or_writes_through_a_symbolic_link(client, content_dir, trainer, tmp_path):
    """A course committed with a link in it (lessons/x.md → a secret outside
    the content folder, or a whole course folder linked from elsewhere) does
    not show the target in the editor, and nothing is written through it."""
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET_KEY=do-not-show", encoding="utf-8")
    (content_dir / "courses/products/lessons/02-linked.md").symlink_to(secret)
    outside = tmp_path / "elsewhere"
    (outside / "lessons").mkdir(parents=True)
    (outside / "course.md").write_text("---\nid: elsewhere\ntitle: 外部\ntrack: products\n---\n", encoding="utf-8")
    (outside / "lessons/01-a.md").write_text("---\nid: a\ntitle: A\n---\nOUTSIDE-TEXT\n", encoding="utf-8")
    (content_dir / "courses/elsewhere").symlink_to(outside, target_is_directory=True)
    for path, target in (("courses/products/lessons/02-linked.md", secret),
                         ("courses/elsewhere/lessons/01-a.md", outside / "lessons/01-a.md")):
        before = target.read_text(encoding="utf-8")
        response = client.get("/console/edit", query_string={"path": path})
        assert response.status_code == 404, path
        assert "do-not-show" not in response.text and "OUTSIDE-TEXT" not in response.text
        refused = client.post("/console/publish", data={**_form(content_dir, LESSON, "---\nid: x\n---\n改写\n"),
                                                        "path": path, "base_hash": ""})
        assert "do-not-show" not in refused.text and "OUTSIDE-TEXT" not in refused.text
        assert target.read_text(encoding="utf-8") == before, path


def _reviewed_plan(page: str) -> str:
    return re.search(r'name="reviewed_plan" value="([0-9a-f]{64})"', page).group(1)


def test_a_plan_that_changed_after_the_review_is_shown_not_published(client, content_dir, trainer):
    """The trainer reviewed "lesson deposits changed"; before they pressed Publish someone changed another
    lesson of the course in the folder (a colleague's edit, a git pull). Publishing used to write the reviewed
    file and publish the whole course: the loans lesson went out unseen. Now nothing is published; the page
    says why and shows what publishing changes now (both lessons); after a second review it goes."""
    data = _form(content_dir, LESSON, DEPOSITS_MD.replace("minutes: 20", "minutes: 25"))
    review = client.post("/console/review", data=data)
    assert review.status_code == 200 and "products/loans" not in review.text
    data["reviewed_plan"] = _reviewed_plan(review.text)
    loans = content_dir / "courses/products/lessons/02-loans.md"
    loans.write_text(loans.read_text(encoding="utf-8").replace("minutes: 15", "minutes: 45"), encoding="utf-8")

    refused = client.post("/console/publish", data=data)
    assert refused.status_code == 409
    assert "不再是您审阅时的内容" in refused.text and "未发布任何内容" in refused.text
    plan = refused.text.split('id="publish-plan"', 1)[1]
    assert "products/deposits" in plan and "products/loans" in plan
    assert 'formaction="/console/publish"' not in refused.text
    assert "minutes: 20" in (content_dir / LESSON).read_text(encoding="utf-8")  # the reviewed file is not written
    assert db.session.scalar(select(Lesson.minutes).where(Lesson.slug == "deposits")) == 20
    assert db.session.scalar(select(Lesson.minutes).where(Lesson.slug == "loans")) == 15
    assert _releases() == 1

    again = client.post("/console/review", data=data)
    data["reviewed_plan"] = _reviewed_plan(again.text)
    assert client.post("/console/publish", data=data).status_code == 302
    assert db.session.scalar(select(Lesson.minutes).where(Lesson.slug == "deposits")) == 25
    assert db.session.scalar(select(Lesson.minutes).where(Lesson.slug == "loans")) == 45


def test_publishing_an_edit_checks_and_plans_the_course_once(client, content_dir, trainer, monkeypatch):
    """Publish checked the course twice (in the staged copy, then again in the engine: the same files under
    the same lock and transaction); the staged copy now holds the whole content folder, so its check is the
    one publishing needs, and the engine does not repeat it."""
    from lms.content.console import editor
    from lms.content.publishing import publish as engine

    calls = {"check": 0, "plan": 0}

    def counted(name, real):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        return wrapper

    data = _form(content_dir, LESSON, DEPOSITS_MD.replace("minutes: 20", "minutes: 25"))
    review_for_publish(client, data)
    monkeypatch.setattr(editor, "check", counted("check", editor.check))
    monkeypatch.setattr(engine, "check", counted("check", engine.check))
    monkeypatch.setattr(engine, "plan", counted("plan", engine.plan))
    assert client.post("/console/publish", data=data).status_code == 302
    assert calls == {"check": 1, "plan": 1}
    assert db.session.scalar(select(Lesson.minutes).where(Lesson.slug == "deposits")) == 25


def test_a_new_file_named_like_a_windows_device_is_refused(client, content_dir, trainer):
    """con.md, nul.md, com1.md: lower-case letters and digits, but no Windows checkout of the content folder
    could hold them. Refused when opened and when published straight to that path."""
    response = client.get("/console/courses/products/new", query_string={"kind": "lesson", "name": "con"},
                          follow_redirects=True)
    assert "“con”是 Windows 的设备名" in response.text
    data = _form(content_dir, "courses/products/lessons/nul.md", "---\ntitle: 设备名\n---\n正文\n", base="")
    assert client.post("/console/publish", data=data).status_code == 404
    assert not (content_dir / "courses/products/lessons/nul.md").exists()
    assert not (content_dir / "courses/products/lessons/con.md").exists()


def test_a_publish_without_the_reviewed_plan_publishes_nothing_and_shows_the_plan(client, content_dir, trainer):
    """A Publish from an editor page opened before the plan's fingerprint existed (or a request made by hand)
    carries the text's hash but no reviewed plan. It used to publish the whole course as it was then, unseen.
    Now nothing is written or published: the page says the changes were not reviewed and shows them."""
    data = _form(content_dir, LESSON, DEPOSITS_MD.replace("minutes: 20", "minutes: 25"))
    refused = client.post("/console/publish", data=data)
    assert refused.status_code == 409
    assert "未附带您审阅过的变更" in refused.text and "未发布任何内容" in refused.text
    assert "products/deposits" in refused.text.split('id="publish-plan"', 1)[1]
    assert "minutes: 20" in (content_dir / LESSON).read_text(encoding="utf-8")
    assert db.session.scalar(select(Lesson.minutes).where(Lesson.slug == "deposits")) == 20
    assert _releases() == 1
    # The refusal is the review: its Publish carries the plan now, and goes.
    data["reviewed_plan"] = _reviewed_plan(refused.text)
    assert client.post("/console/publish", data=data).status_code == 302
    assert db.session.scalar(select(Lesson.minutes).where(Lesson.slug == "deposits")) == 25
