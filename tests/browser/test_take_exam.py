"""A learner takes an exam in a real browser: answers are autosaved by htmx as
they change (and survive a reload), the countdown runs from the server's
deadline, the review lists the flagged question, submit shows the result; a
save after the time is up shows the server's 'time is up' message."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from lms import clock
from lms.exams.models import Attempt
from lms.extensions import db
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def exam_world(app, make_user, make_question, make_exam):
    learner = make_user(("learner",), employee_no="b-learner")
    single = make_question("single", stem="个人通知存款的最低起存金额是多少？")
    numeric = make_question("numeric", stem="资产负债率是多少？")
    exam = make_exam([{"questions": [single.slug, numeric.slug]}], title="浏览器测验", shuffle_options=False,
                     pass_mark=50, max_attempts=None)
    world = (learner.id, learner.employee_no), exam.id
    db.session.commit()  # the test holds no database lock while the browser works
    return world


def _sign_in(page, live_server, employee_no):
    page.goto(live_server + "/login")
    page.fill("input[name=employee_no]", employee_no)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(live_server + "/")


def test_take_an_exam_in_the_browser(page, live_server, exam_world):
    (learner_id, employee_no), exam_id = exam_world
    _sign_in(page, live_server, employee_no)
    page.goto(f"{live_server}/exams/{exam_id}")
    page.click("text=开始考试")
    page.wait_for_url(f"{live_server}/attempts/*")
    attempt_url = page.url
    expect(page.locator("#exam-timer")).to_have_text(re.compile(r"^剩余时间 29:"))  # counts down from the server's deadline

    page.check("text=5 万元")
    page.locator(".saved-state").first.filter(has_text="已保存").wait_for()
    page.locator("input[inputmode=decimal]").press_sequentially("62.5")  # keyup: saved after a pause
    page.locator(".saved-state").nth(1).filter(has_text="已保存").wait_for()
    page.locator(".flag-toggle input").nth(1).check()
    page.locator("#flag-state-" + page.locator(".flag-toggle input").nth(1).get_attribute("name").split("-")[1]
                 ).filter(has_text="已标记").wait_for()

    page.reload()  # what was acknowledged is there after a reload
    assert page.is_checked("text=5 万元")
    assert page.input_value("input[inputmode=decimal]") == "62.5"

    page.click("button[value=review]")
    page.wait_for_url("**/review")
    assert "您已回答全部题目" in page.content() and page.locator("#review-flagged li").count() == 1
    page.click("#exam-review button[type=submit]")
    page.wait_for_url("**/result")
    assert "100%" in page.content() and "已通过" in page.content()
    page.goto(attempt_url)
    assert page.url.endswith("/result")


def test_a_save_after_the_time_is_up_shows_the_message(page, live_server, exam_world):
    (learner_id, employee_no), exam_id = exam_world
    _sign_in(page, live_server, employee_no)
    page.goto(f"{live_server}/exams/{exam_id}")
    page.click("text=开始考试")
    page.wait_for_url(f"{live_server}/attempts/*")
    # The server's clock: past deadline + grace. The learner is at work meanwhile
    # (a request after 20 minutes), so the sign-in does not end by the 30-minute idle limit.
    clock.advance(timedelta(minutes=20))
    page.reload()
    clock.advance(timedelta(minutes=11))
    try:
        page.check("text=5 万元")
        page.locator("#exam-alert").filter(has_text="考试时间已到").wait_for()
        page.locator(".saved-state.error").filter(has_text="未保存").wait_for()
    finally:
        clock.reset()
    db.session.rollback()  # a fresh read of what the server stored
    attempt = db.session.scalar(db.select(Attempt).where(Attempt.user_id == learner_id))
    assert attempt.state == "finalised" and attempt.end_reason == "timeout"


def test_a_control_character_pasted_into_an_essay_is_taken_out_and_the_answer_saved(page, live_server, app, make_user,
                                                                                    make_question, make_exam):
    # The server refuses a field holding one (400, lms/control_characters.py); a line break pasted from
    # Word can bring a vertical tab along, and a learner could not see what to remove.
    learner = make_user(("learner",), employee_no="b-essay")
    exam = make_exam([{"questions": [make_question("essay").slug]}], title="论述测验", max_attempts=None)
    exam_id = exam.id
    db.session.commit()
    _sign_in(page, live_server, "b-essay")
    page.goto(f"{live_server}/exams/{exam_id}")
    page.click("text=开始考试")
    page.wait_for_url(f"{live_server}/attempts/*")
    box = page.locator("textarea").first
    box.focus()
    page.keyboard.insert_text("第一段\x0b第二段\x00。")  # as a paste does: one input event
    expect(box).to_have_value("第一段\n第二段。")
    box.blur()  # the essay saves on change (and on keyup)
    page.locator(".saved-state").first.filter(has_text="已保存").wait_for()
    db.session.expire_all()
    attempt = db.session.query(Attempt).filter_by(user_id=learner.id).one()
    assert attempt.items[0].answer == "第一段\n第二段。"
