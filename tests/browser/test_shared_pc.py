"""A branch's shared PC: after HR signs out, Back shows the sign-in page, not
the people list from the browser's cache; a lesson image opened on its own
shows as an image."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import load_demo_copy

PASSWORD = "Demo-Password-77"


@pytest.fixture
def demo(app):
    load_demo_copy(PASSWORD)


def _sign_in(page, live_server, account):
    """Sign in through the form (the demo's password unless the test made its own user)."""
    page.goto(live_server + "/login")
    page.fill("input[name=employee_no]", account)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(live_server + "/")


def test_back_after_sign_out_shows_no_private_page(page, live_server, demo):
    _sign_in(page, live_server, "hr")
    page.goto(live_server + "/org/people")
    assert "周人事" in page.content() or page.locator("table").count() > 0
    seen = page.locator("table").first.inner_text()
    page.click("text=退出")
    page.wait_for_url(live_server + "/login*")
    page.go_back()
    page.wait_for_load_state()
    assert "/login" in page.url
    assert seen not in page.content()


# A 1×1 PNG.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5a1f2d80000000049454e44ae426082")


def test_a_lesson_image_shows_on_the_page_and_on_its_own(page, live_server, make_user, make_course):
    """The asset's own CSP (default-src 'none'; sandbox) does not stop the
    lesson page from showing it, nor the image opened on its own; the page
    reports no CSP violation."""
    from lms.content.models import Asset, Lesson
    from lms.extensions import db

    course = make_course()
    url = f"/assets/{course.slug}/images/dot.png"
    db.session.add(Asset(course_id=course.id, path="images/dot.png", data=PNG, mimetype="image/png",
                         content_hash="dot"))
    lesson = Lesson(course_id=course.id, slug="l1", title="第一课", body_md="x",
                    body_html=f'<p>流程</p><p><img alt="流程图" src="{url}"></p>')
    db.session.add(lesson)
    make_user(employee_no="1001", password=PASSWORD)
    db.session.commit()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    _sign_in(page, live_server, "1001")
    page.goto(live_server + f"/lessons/{lesson.id}")
    img = page.locator("img[alt=流程图]")
    img.wait_for()
    page.wait_for_function("() => document.querySelector('img[alt=流程图]').complete")
    assert img.evaluate("el => el.naturalWidth") == 1
    assert not [e for e in errors if "Content Security Policy" in e], errors
    response = page.goto(live_server + url)
    assert response.status == 200 and response.headers["content-type"] == "image/png"
    assert page.evaluate("() => document.images.length && document.images[0].naturalWidth") == 1


def test_back_through_a_filtered_register_reloads_whole_pages_and_keeps_no_copies(page, live_server, make_user):
    make_user(("hr",), employee_no="hr1", password=PASSWORD)
    _sign_in(page, live_server, "hr1")
    page.goto(live_server + "/certificates/")
    for query in ("张", "李"):
        with page.expect_response(lambda r: "/certificates/?" in r.url):
            page.fill("#q", query)
        # htmx pushes the address after the swap, so wait for this query's own address
        # (a pattern that the previous query's address also matches returns too early).
        page.wait_for_url(lambda url, q=query: parse_qs(urlsplit(url).query).get("q") == [q])
    assert page.evaluate("() => sessionStorage.getItem('htmx-history-cache')") is None
    with page.expect_event("load"):  # the page is loaded again from the server, not restored from a copy
        page.go_back()
    assert "q=%E5%BC%A0" in page.url
    assert page.locator("h1").count() == 1 and page.locator("nav").count() >= 1
    assert page.locator("#q").input_value() == "张"
