"""A new RM's first month on a 375-pixel phone, where it broke:

- the network drops mid-exam and the RM taps 检查并交卷: the form went the
  ordinary way, so Chromium's "no internet" page replaced the exam, and the
  answer typed offline was dropped from the page's own copy on the way out.
  The page now stays, says nothing was sent, keeps the answer, and the same
  tap works once the phone is back online;
- a practice answer in the 错题本 sent while offline (htmx) changed nothing
  on the page and said nothing; it now says nothing was sent;
- a lesson image with the trainer's width and height (an HTML <img>) was
  squeezed to the screen's width but kept its height: a chart given as
  1200 × 600 showed 320 × 600, distorted. It keeps its shape."""
from __future__ import annotations

import json

import pytest

from lms.exams.models import Attempt
from lms.extensions import db
from tests.browser.test_exam_network import _answers, _start, network_exam  # noqa: F401  (a fixture)
from tests.browser.test_take_exam import _sign_in

PHONE_375 = {"width": 375, "height": 667}
NO_NETWORK = "网络未连接：没有发送任何内容。您填写的内容仍保留在本页，恢复网络后请再试一次。"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE_375, "is_mobile": True, "has_touch": True}


def test_submitting_offline_keeps_the_exam_and_its_answer(page, context, live_server, network_exam):
    attempt_id = _start(page, live_server, network_exam)
    first = page.locator("#q-1")
    first.get_by_text("1 万元").check()
    first.locator(".saved-state").filter(has_text="已保存").wait_for()
    context.set_offline(True)
    first.get_by_text("10 万元").check()
    first.locator(".saved-state.error").filter(has_text="未保存").wait_for()
    page.get_by_role("button", name="检查并交卷").tap()
    banner = page.locator("#request-refused")
    banner.wait_for()
    assert banner.inner_text() == NO_NETWORK
    assert page.url == f"{live_server}/attempts/{attempt_id}"  # not the browser's "no internet" page
    assert first.get_by_text("10 万元").is_checked()
    seen = banner.evaluate("""b => { const r = b.getBoundingClientRect();
        return b.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)); }""")
    assert seen  # on the screen, not under the exam's sticky header
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_375["width"]

    context.set_offline(False)
    page.get_by_role("button", name="检查并交卷").tap()
    page.wait_for_url(f"{live_server}/attempts/{attempt_id}/review*")
    assert _answers(attempt_id)[0] == "C"  # the answer chosen offline reached the server
    db.session.rollback()
    assert db.session.get(Attempt, attempt_id).state == "open"


def test_a_practice_answer_sent_offline_says_it_was_not_sent(page, context, live_server, make_user, make_question):
    from tests.exams.results_data import notebook_entry

    learner = make_user(("learner",), employee_no="p-offline")
    entry = notebook_entry(learner, make_question("single", stem="大额存单的最低起存金额是多少？"), times_wrong=1)
    entry_id = entry.id
    db.session.commit()
    _sign_in(page, live_server, learner.employee_no)
    page.goto(f"{live_server}/notebook/")
    page.get_by_role("link", name="练习").first.tap()
    card = page.locator("#practice-card")
    card.wait_for()
    card.locator("input[type=radio]").nth(1).check()
    context.set_offline(True)
    card.locator("button[type=submit]").first.tap()
    page.locator("#request-refused").wait_for()
    assert page.locator("#request-refused").inner_text() == NO_NETWORK
    context.set_offline(False)
    db.session.rollback()
    from lms.exams.models import NotebookEntry

    assert db.session.get(NotebookEntry, entry_id).cleared_at is None  # nothing reached the server


def test_a_lesson_image_keeps_its_shape_on_a_phone(page, live_server, make_user, make_course):
    from lms.content.models import Lesson
    from lms.content.rendering import render_markdown

    learner = make_user(("learner",), employee_no="p-image")
    course = make_course("products", "对公与对私产品", "products")
    body = ('## 存款结构\n\n<img src="/static/certificates/logo.svg" alt="存款结构图" width="1200" height="600">\n\n'
            "图：近三年存款结构。\n")
    lesson = Lesson(course=course, slug="structure", position=1, title="存款结构", minutes=5,
                    objectives_json=json.dumps([]), body_md=body, body_html=str(render_markdown(body)))
    db.session.add(lesson)
    db.session.commit()
    _sign_in(page, live_server, learner.employee_no)
    page.goto(f"{live_server}/lessons/{lesson.id}")
    image = page.get_by_role("img", name="存款结构图")
    image.wait_for()
    page.wait_for_function("() => document.querySelector('#lesson .prose img').complete")
    box = image.bounding_box()
    natural = image.evaluate("img => img.naturalHeight / img.naturalWidth")
    assert box["width"] <= PHONE_375["width"], box
    assert abs(box["height"] - box["width"] * natural) <= 2, (box, natural)  # its own shape (was 600 px high)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_375["width"]
