"""The exam page on a 390 × 844 phone, as a thumb uses it: every question
number of the navigator, every answer option, the flag and the buttons are at
least 44 px to tap (the numbers were 32 px, the options 39, the flag 26); from
the foot of a long exam the sticky header's 全部题目 brings the navigator back
under it, a number there goes to its question, and 检查并交卷 is on the screen
and leads to the review. Nothing is wider than the screen."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_phone import PHONE, _start, phone_exam  # noqa: F401  (a fixture)

WIDEST = """() => Math.max(document.documentElement.scrollWidth,
    ...Array.from(document.querySelectorAll('#exam-page *')).map(e => Math.ceil(e.getBoundingClientRect().right)))"""
SMALLEST = """sel => Array.from(document.querySelectorAll(sel)).filter(e => e.offsetParent !== null)
    .map(e => { const r = e.getBoundingClientRect(); return [e.innerText.trim().slice(0, 12), Math.round(r.width), Math.round(r.height)]; })
    .filter(([, w, h]) => w < 44 || h < 44)"""


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}


def test_the_exam_on_a_phone_is_tappable_and_nothing_is_wider_than_the_screen(page, live_server, phone_exam):
    _start(page, live_server, phone_exam)
    expect(page.locator("#q-nav a.q-nav-link")).to_have_count(12)
    assert page.evaluate(WIDEST) <= PHONE["width"]
    for targets in ("#q-nav a.q-nav-link", ".q-options label.opt", "label.flag-toggle", ".exam-actions button",
                    ".exam-head a.to-nav"):
        assert page.evaluate(SMALLEST, targets) == [], targets
    nav = page.locator("#q-nav").bounding_box()
    assert nav["x"] >= 0 and nav["x"] + nav["width"] <= PHONE["width"]  # every number on the screen, two rows

    submit = page.get_by_role("button", name="检查并交卷")
    submit.scroll_into_view_if_needed()
    box = submit.bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= PHONE["height"] and box["x"] + box["width"] <= PHONE["width"]
    assert page.locator("#q-nav").bounding_box()["y"] < 0  # the navigator has scrolled away…

    page.locator(".exam-head a.to-nav").tap()  # …and the sticky header brings it back, below itself
    page.wait_for_function("location.hash === '#q-nav'")
    page.wait_for_function("""() => {
        const y = window.scrollY, same = window.lmsTestLastY === y;
        window.lmsTestLastY = y;
        return same;
    }""", polling="raf")
    head, nav = page.locator(".exam-head").bounding_box(), page.locator("#q-nav").bounding_box()
    assert nav["y"] >= head["y"] + head["height"] - 0.5 and nav["y"] + nav["height"] <= PHONE["height"], (head, nav)

    page.locator("#q-nav a.q-nav-link", has_text="11").tap()
    page.wait_for_function("location.hash === '#q-11'")
    expect(page.locator("#q-11 h2")).to_be_in_viewport()
    page.locator("#q-11 label.opt").first.tap()
    expect(page.locator("#q-nav a.q-nav-link", has_text="11")).to_have_attribute("aria-label", "第 11 题、已作答")
    page.locator("#q-11 .saved-state").filter(has_text="已保存").wait_for()

    submit.tap()
    page.wait_for_url(f"{live_server}/attempts/*/review")
    unanswered = page.locator("#review-unanswered a")
    expect(unanswered).to_have_count(11)
    assert page.evaluate(SMALLEST, "#review-unanswered a, #exam-review .actions button, #exam-review .actions a") == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
