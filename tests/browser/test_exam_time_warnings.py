"""A learner with a screen reader hears the low-time warnings of an exam once each: the countdown
(role=timer) is silent, and at 5 minutes and at 1 minute left the polite live region says so — not
at every tick, and not again on the next page of the attempt."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from lms import clock
from lms.exams.models import Attempt
from lms.extensions import db
from tests.browser.test_exam_network import _start


@pytest.fixture
def network_exam(app, make_user, make_question, make_exam):
    learner = make_user(("learner",), employee_no="t-learner")
    single = make_question("single", stem="个人通知存款的最低起存金额是多少？")
    exam = make_exam([{"questions": [single.slug]}], title="限时测验", max_attempts=None, focus_loss_limit=10)
    db.session.commit()
    return learner.employee_no, exam.id


def test_the_low_time_warnings_are_said_once_each(page, live_server, network_exam):
    attempt_id = _start(page, live_server, network_exam)
    db.session.rollback()  # a fresh read: the attempt the browser started
    attempt = db.session.get(Attempt, attempt_id)
    attempt.deadline = clock.now() + timedelta(minutes=6)
    db.session.commit()
    page.clock.install()
    page.reload()
    warning = page.locator("#exam-time-warning")
    assert warning.get_attribute("aria-live") == "polite" and warning.text_content() == ""
    page.clock.fast_forward("01:05")  # 4:55 left
    expect(warning).to_have_text("剩余时间不足 5 分钟。")
    page.evaluate("document.getElementById('exam-time-warning').textContent = ''")
    page.clock.run_for(3000)  # three more ticks: nothing said again
    assert warning.text_content() == ""
    page.reload()  # the next page of the attempt (or a reload), counting from the server's deadline again,
    page.clock.fast_forward("01:30")  # with 4:25 left does not say it again either
    page.clock.run_for(2000)
    assert page.locator("#exam-time-warning").text_content() == ""
    page.clock.fast_forward("03:40")  # under a minute left
    expect(page.locator("#exam-time-warning")).to_have_text("剩余时间不足 1 分钟。")
