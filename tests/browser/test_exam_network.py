"""A learner's exam in a real browser when the network is not perfect: an
answer given while offline is never shown as saved (the page says "not
saved", sends it again once the browser is back online, and the reload shows
it); a slow save says "saving" and the last answer typed is the one stored;
the countdown reaching zero with an answer typed but not yet autosaved
submits that answer."""
from __future__ import annotations

from datetime import timedelta

import pytest

from lms import clock
from lms.exams.models import Attempt
from lms.extensions import db
from tests.browser.test_take_exam import _sign_in


@pytest.fixture
def network_exam(app, make_user, make_question, make_exam):
    learner = make_user(("learner",), employee_no="n-learner")
    single = make_question("single", stem="个人通知存款的最低起存金额是多少？")
    essay = make_question("essay", stem="说明贷前调查的要点。")
    exam = make_exam([{"questions": [single.slug, essay.slug]}], title="网络测验", shuffle_options=False,
                     max_attempts=None)
    world = learner.employee_no, exam.id
    db.session.commit()  # the test holds no database lock while the browser works
    return world


def _start(page, live_server, network_exam):
    employee_no, exam_id = network_exam
    _sign_in(page, live_server, employee_no)
    page.goto(f"{live_server}/exams/{exam_id}")
    page.click("text=开始考试")
    page.wait_for_url(f"{live_server}/attempts/*")
    return int(page.url.rsplit("/", 1)[1])


def _answers(attempt_id):
    db.session.rollback()  # a fresh read: no snapshot kept from an earlier look
    return [item.answer for item in db.session.get(Attempt, attempt_id).items]


def test_an_answer_given_offline_says_not_saved_and_is_sent_again_online(page, context, live_server, network_exam):
    attempt_id = _start(page, live_server, network_exam)
    first = page.locator("#q-1")
    first.get_by_text("1 万元").check()
    first.locator(".saved-state").filter(has_text="已保存").wait_for()

    context.set_offline(True)  # the blip: the change cannot reach the server
    first.get_by_text("10 万元").check()
    first.locator(".saved-state.error").filter(has_text="未保存").wait_for()  # was: still "已保存 <the earlier time>"
    assert _answers(attempt_id)[0] == "A"

    context.set_offline(False)  # back: the answer on the page is sent again
    first.locator(".saved-state:not(.error)").filter(has_text="已保存").wait_for()
    assert _answers(attempt_id)[0] == "C"
    page.reload()
    assert page.get_by_text("10 万元").is_checked()


def test_a_slow_save_says_saving_and_the_last_answer_typed_is_stored(page, live_server, network_exam):
    attempt_id = _start(page, live_server, network_exam)
    held = []

    def slow_line(route):  # the first save hangs until the test lets it through; the rest go at once
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/items/*", slow_line)
    essay = page.locator("#q-2")
    essay.locator("textarea").fill("第一稿")
    essay.locator("textarea").dispatch_event("change")
    essay.locator(".saved-state.pending").filter(has_text="正在保存").wait_for()  # not the old "saved"
    essay.locator("textarea").fill("第二稿：核实借款人身份、用途与还款来源")
    essay.locator("textarea").dispatch_event("change")  # queued behind the slow one
    assert len(held) == 1  # the second waits its turn in the page (htmx's queue), not on the line
    held[0].continue_()
    essay.locator(".saved-state").filter(has_text="已保存").wait_for()
    page.wait_for_function("() => !document.querySelector('#exam-form .htmx-request')")
    assert _answers(attempt_id)[1] == "第二稿：核实借款人身份、用途与还款来源"
    page.reload()
    assert page.locator("#q-2 textarea").input_value() == "第二稿：核实借款人身份、用途与还款来源"


def test_the_countdown_reaching_zero_submits_the_answer_typed_last(page, live_server, network_exam):
    attempt_id = _start(page, live_server, network_exam)
    attempt = db.session.get(Attempt, attempt_id)
    attempt.deadline = clock.now() + timedelta(seconds=60)  # the last minute of the exam
    db.session.commit()
    # The page's countdown runs on a clock the test moves: it was 4 real seconds, and a loaded
    # machine took longer than that to reload and type, so the page submitted before the last
    # answer was on it. Now the answers are given first, then the page's clock reaches 0:00.
    page.clock.install()
    page.reload()
    page.route("**/items/*", lambda route: route.abort())  # no autosave gets through: only the page itself
    page.get_by_text("5 万元").check()
    page.locator("#q-2 textarea").fill("时间到之前写下的最后一句")
    assert "/attempts/" in page.url and not page.url.endswith("/result")  # not submitted before 0:00
    page.clock.fast_forward("01:05")  # past the deadline on the page's clock: the countdown's next tick
    page.wait_for_url("**/result", timeout=15000)  # the page submitted itself at 0:00
    assert _answers(attempt_id) == ["B", "时间到之前写下的最后一句"]
    assert db.session.get(Attempt, attempt_id).state != "open"
