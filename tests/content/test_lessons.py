"""Learners read published lessons: the sanitised body, prev/next, "mark as
read"; retired lessons are not listed; course assets are served only to
signed-in users, with headers that keep the browser from running them."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from lms.content.models import Asset, Lesson, LessonView
from lms.content.rendering import render_markdown
from lms.extensions import db


@pytest.fixture
def make_lesson(app):
    def make(course, slug, position, title=None, body="正文", retired=False, minutes=10, objectives=()):
        lesson = Lesson(course=course, slug=slug, position=position, title=title or slug, minutes=minutes,
                        objectives_json=json.dumps(list(objectives), ensure_ascii=False), body_md=body,
                        body_html=str(render_markdown(body)), retired=retired)
        db.session.add(lesson)
        db.session.commit()
        return lesson

    return make


@pytest.fixture
def products(make_course, make_lesson):
    course = make_course("products", "对公与对私产品", "products")
    lessons = [
        make_lesson(course, "deposits", 1, "个人存款产品", "## 定期存款\n\n不得承诺**保本**。", minutes=20,
                    objectives=["说出通知存款起存金额"]),
        make_lesson(course, "old-loans", 2, "旧版贷款课", retired=True),
        make_lesson(course, "wealth", 3, "理财适当性"),
    ]
    return course, lessons


def test_course_list_shows_courses_of_every_track_with_their_lessons(client, login, make_user, products,
                                                                     make_course, make_lesson):
    warning = make_course("warning", "警示教育案例", "warning-education")
    make_lesson(warning, "case-1", 1, "挪用客户资金案")
    make_course("empty", "尚无课程的课程", "credit")
    login(make_user())
    page = client.get("/courses").text
    assert "对公与对私产品" in page and "警示教育案例" in page
    assert "尚无课程的课程" not in page  # a course without lessons is not listed


def test_course_page_hides_retired_lessons(client, login, make_user, products):
    course, (deposits, retired, wealth) = products
    login(make_user())
    page = client.get("/courses/products").text
    assert "个人存款产品" in page and "理财适当性" in page
    assert "旧版贷款课" not in page
    assert client.get(f"/lessons/{retired.id}").status_code == 404


def test_lesson_page_shows_sanitised_body_objectives_and_neighbours(client, login, make_user, products):
    course, (deposits, retired, wealth) = products
    login(make_user())
    page = client.get(f"/lessons/{deposits.id}").text
    assert '<h2 id="定期存款">定期存款</h2>' in page and "<strong>保本</strong>" in page  # rendered, not escaped
    assert "说出通知存款起存金额" in page and "20" in page
    # next skips the retired lesson
    assert f'href="/lessons/{wealth.id}" rel="next"' in page
    assert 'rel="prev"' not in page
    assert f'href="/lessons/{deposits.id}" rel="prev"' in client.get(f"/lessons/{wealth.id}").text


def test_hostile_markdown_never_reaches_the_page(client, login, make_user, make_course, make_lesson):
    course = make_course()
    lesson = make_lesson(course, "x", 1, body='<script>alert(1)</script><img src=x onerror="alert(2)">\n\n'
                                            '[a](javascript:alert(3))')
    login(make_user())
    page = client.get(f"/lessons/{lesson.id}").text
    assert "alert(1)" not in page and "onerror" not in page and "javascript:" not in page


def test_mark_as_read_records_completion_once(client, login, make_user, products, clock):
    course, (deposits, *_rest) = products
    user = make_user()
    login(user)
    page = client.get(f"/lessons/{deposits.id}").text
    assert "标记为已读" in page
    assert db.session.get(LessonView, (user.id, deposits.id)) is None  # opening changes nothing
    response = client.post(f"/lessons/{deposits.id}/read")
    assert response.status_code == 302
    view = db.session.get(LessonView, (user.id, deposits.id))
    first = view.completed_at
    assert first == clock.now()
    clock.advance(timedelta(minutes=30))
    fragment = client.post(f"/lessons/{deposits.id}/read", headers={"HX-Request": "true"})
    assert 'id="lesson-read"' in fragment.text and "<html" not in fragment.text
    db.session.expire_all()
    assert db.session.get(LessonView, (user.id, deposits.id)).completed_at == first
    assert "已读" in client.get("/courses/products").text


def test_two_tabs_marking_read_at_once_keep_the_first_time(client, login, make_user, products, clock,
                                                           monkeypatch):
    """Two tabs post "mark as read" at the same moment: the second read the
    lesson as unread before the first one's row was committed (PostgreSQL does
    not serialise them). It is told the lesson is read, with the first time;
    never a 500 from the duplicate row."""
    from lms.content.lessons import queries

    course, (deposits, *_rest) = products
    user = make_user()
    login(user)
    assert client.post(f"/lessons/{deposits.id}/read").status_code == 302
    first = clock.now()
    clock.advance(timedelta(minutes=1))
    monkeypatch.setattr(queries, "lesson_view", lambda user, lesson: None)  # the stale read of the other tab
    fragment = client.post(f"/lessons/{deposits.id}/read", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert 'id="lesson-read"' in fragment.text and "标记为已读" not in fragment.text
    db.session.expire_all()
    assert db.session.get(LessonView, (user.id, deposits.id)).completed_at == first


def test_mark_as_read_needs_csrf(client, login, make_user, products):
    course, (deposits, *_rest) = products
    user = make_user()
    login(user)
    assert client.post(f"/lessons/{deposits.id}/read", csrf=False).status_code == 400
    assert db.session.get(LessonView, (user.id, deposits.id)) is None


def test_lessons_need_sign_in(client, products):
    course, (deposits, *_rest) = products
    assert client.get(f"/lessons/{deposits.id}").status_code == 302
    assert client.get("/courses").status_code == 302


# --- assets -------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _asset(course, path, data, mimetype):
    asset = Asset(course_id=course.id, path=path, data=data, mimetype=mimetype, content_hash=f"h-{path}")
    db.session.add(asset)
    db.session.commit()
    return asset


def test_images_are_served_inline_to_signed_in_users(client, login, make_user, make_course):
    course = make_course()
    _asset(course, "images/flow.png", PNG, "image/png")
    assert client.get("/assets/products/images/flow.png").status_code == 302  # not signed in
    login(make_user())
    response = client.get("/assets/products/images/flow.png")
    assert response.status_code == 200
    assert response.data == PNG
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("inline")


@pytest.mark.parametrize("path, mimetype", [
    ("attachments/manual.pdf", "application/pdf"),
    ("attachments/guide.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_anything_but_an_image_is_a_download(client, login, make_user, make_course, path, mimetype):
    course = make_course()
    _asset(course, path, b"<svg onload=alert(1)>" if path.endswith("svg") else b"data", mimetype)
    login(make_user())
    response = client.get(f"/assets/products/{path}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert path.rsplit("/", 1)[-1] in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path, mimetype", [
    ("attachments/rates.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("images/diagram.svg", "image/svg+xml"),  # SVG can carry script
    ("notes.html", "text/html"),
    ("questions/deposits.md", "text/markdown"),
])
def test_only_images_and_documents_are_ever_served(client, login, make_user, make_course, path, mimetype):
    """Even a file stored by an older publish: spreadsheets, SVG, HTML, banks are never downloadable."""
    course = make_course()
    _asset(course, path, b"<svg onload=alert(1)>" if path.endswith("svg") else b"data", mimetype)
    login(make_user())
    assert client.get(f"/assets/products/{path}").status_code == 404


def test_unknown_assets_are_404(client, login, make_user, make_course):
    course = make_course()
    other = make_course("credit", "信贷", "credit")
    _asset(other, "images/flow.png", PNG, "image/png")
    login(make_user())
    assert client.get("/assets/products/images/flow.png").status_code == 404  # another course's file
    assert client.get("/assets/nope/images/flow.png").status_code == 404
    assert client.get("/assets/products/../credit/images/flow.png").status_code == 404
    course.retired = True
    db.session.commit()
    _asset(course, "images/a.png", PNG, "image/png")
    assert client.get("/assets/products/images/a.png").status_code == 404  # retired course


FOOTNOTED = "通知存款需提前通知[^1]，大额存单另有规定[^cd]。\n\n[^1]: 以现行规定为准。\n[^cd]: 见《大额存单管理暂行办法》。"
# What publishing stored before footnote back-links were made language-neutral (Python-Markdown's English tooltip).
OLD_HTML = ('<p>通知存款需提前通知<sup id="fnref:1"><a href="#fn:1" rel="noopener noreferrer">1</a></sup>。</p>\n'
            '<div class="footnote">\n<hr>\n<ol>\n<li id="fn:1">\n<p>以现行规定为准。&nbsp;<a href="#fnref:1" '
            'title="Jump back to footnote 1 in the text" rel="noopener noreferrer">↩</a></p>\n</li>\n</ol>\n</div>')


def test_footnote_back_links_speak_the_readers_language_also_in_lessons_published_before(
        client, login, make_user, make_course, make_lesson):
    course = make_course()
    fresh = make_lesson(course, "fresh", 1, body=FOOTNOTED)
    assert "Jump back" not in fresh.body_html and 'href="#fnref:cd"' in fresh.body_html  # stored language-neutral
    old = make_lesson(course, "old", 2)
    old.body_html = OLD_HTML
    db.session.commit()
    reader = make_user()
    login(reader)
    for lesson, links in ((fresh, ("#fnref:1", "#fnref:cd")), (old, ("#fnref:1",))):
        page = client.get(f"/lessons/{lesson.id}").text
        assert "Jump back" not in page and "footnote" not in page.replace('class="footnote"', "")
        for href in links:
            assert f'<a href="{href}" title="返回正文中引用此脚注处"' in page
    reader.locale = "en"
    db.session.commit()
    for lesson in (fresh, old):
        page = client.get(f"/lessons/{lesson.id}").text
        assert "Jump back" not in page
        assert '<a href="#fnref:1" title="Back to where the footnote is cited in the text"' in page


def test_a_lesson_withdrawn_while_its_page_is_open_says_so(client, login, make_user, products):
    """The trainers retire a lesson (or its course) while a learner reads it:
    reloading it, or marking it read from the page opened before (htmx),
    answers that the lesson was withdrawn, and records nothing; a number that
    never was a lesson keeps the plain 404."""
    course, (deposits, retired, wealth) = products
    learner = make_user()
    login(learner)
    assert client.get(f"/lessons/{wealth.id}").status_code == 200
    wealth.retired = True
    db.session.commit()
    for response in (client.get(f"/lessons/{wealth.id}"),
                     client.post(f"/lessons/{wealth.id}/read", headers={"HX-Request": "true"})):
        assert response.status_code == 404 and "课时已停用" in response.text and "培训部已停用此课时" in response.text
    assert db.session.get(LessonView, (learner.id, wealth.id)) is None
    course.retired = True
    db.session.commit()
    assert "课时已停用" in client.get(f"/lessons/{deposits.id}").text
    never = client.get("/lessons/999999")
    assert never.status_code == 404 and "课时已停用" not in never.text
