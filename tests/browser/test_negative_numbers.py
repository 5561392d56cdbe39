"""On an iPhone the decimal keypad (inputmode="decimal") has no minus sign, so
a numeric answer box could not take a negative number. Each numeric box (a
case's numeric part too) has a ± button beside it: it puts a minus sign in
front of the number or takes it away, by touch or keyboard, is named in the
learner's language, and the change is autosaved like typing."""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from lms.exams.models import Attempt
from lms.extensions import db
from tests.browser.test_take_exam import _sign_in

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}


@pytest.fixture
def numeric_exam(app, make_user, make_question, make_exam):
    learner = make_user(("learner",), employee_no="n-learner")
    plain = make_question("numeric", stem="本季度净息差变动了多少个基点？", data={"answer": -12.5, "tolerance": 0})
    case = make_question("case", stem="某企业去年亏损。", data={"parts": [
        {"id": "a", "type": "numeric", "stem": "净利润（万元）", "points": 1, "data": {"answer": -300, "tolerance": 0}}]})
    exam = make_exam([{"questions": [plain.slug, case.slug]}], title="负数测验", shuffle_options=False, max_attempts=None)
    db.session.commit()
    return learner.employee_no, exam.id


def _saved(attempt_id, position, expected, seconds=15.0):
    """What the server holds for the question, once it holds ``expected`` (or the time is out):
    each key typed is autosaved, so an earlier "saved" may be of an earlier value."""
    deadline = time.monotonic() + seconds
    while True:
        db.session.rollback()
        answer = db.session.get(Attempt, attempt_id).items[position - 1].answer
        if answer == expected or time.monotonic() > deadline:
            return answer
        time.sleep(0.05)


def test_a_negative_number_is_typed_with_the_sign_button_on_a_phone(page, live_server, numeric_exam):
    employee_no, exam_id = numeric_exam
    _sign_in(page, live_server, employee_no)
    page.goto(f"{live_server}/exams/{exam_id}")
    page.click("text=开始考试")
    page.wait_for_url(f"{live_server}/attempts/*")
    attempt_id = int(page.url.rsplit("/", 1)[1])

    first = page.locator("#q-1")
    box = first.locator("input[inputmode=decimal]")
    sign = first.get_by_role("button", name="切换正负号")
    expect(sign).to_be_visible()
    box.fill("12.5")
    sign.tap()
    expect(box).to_have_value("-12.5")
    assert _saved(attempt_id, 1, "-12.5") == "-12.5"
    # The button sits beside the box, inside the phone's width, big enough for a thumb.
    button_box, input_box = sign.bounding_box(), box.bounding_box()
    assert button_box["x"] + button_box["width"] <= PHONE["width"]
    assert button_box["height"] >= 40 and abs(button_box["y"] - input_box["y"]) < 40
    page.screenshot(path="/tmp/h3-negative-phone.png", full_page=True)

    # By keyboard: Tab from the box reaches the button; Enter takes the minus away again.
    box.focus()
    page.keyboard.press("Tab")
    expect(sign).to_be_focused()
    page.keyboard.press("Enter")
    expect(box).to_have_value("12.5")
    assert _saved(attempt_id, 1, "12.5") == "12.5"

    part = page.locator("#q-2")
    part_box = part.locator("input[inputmode=decimal]")
    part.get_by_role("button", name="切换正负号").tap()
    part_box.press_sequentially("300")
    expect(part_box).to_have_value("-300")
    assert _saved(attempt_id, 2, {"a": "-300"}) == {"a": "-300"}
