"""The last keystrokes of an essay: the autosave waits for a 600 ms pause in
typing, so what a learner typed just before reloading the page or closing the
tab was lost (the reload showed the essay without its last words). The page
now sends an answer not yet saved when it is hidden or unloaded, through the
same autosave, as a keepalive request; this is not leaving the exam (no
focus loss is counted for a reload), while switching to another tab still is."""
from __future__ import annotations

import time

import pytest

from lms.exams.models import Attempt
from lms.extensions import db
from tests.browser.test_exam_network import _answers, _start


@pytest.fixture
def network_exam(app, make_user, make_question, make_exam):
    learner = make_user(("learner",), employee_no="k-learner")
    single = make_question("single", stem="个人通知存款的最低起存金额是多少？")
    essay = make_question("essay", stem="说明贷前调查的要点。")
    exam = make_exam([{"questions": [single.slug, essay.slug]}], title="按键测验", shuffle_options=False,
                     max_attempts=None, focus_loss_limit=3)
    world = learner.employee_no, exam.id
    db.session.commit()
    return world


def _wait_for_answer(attempt_id, index, expected, seconds=15.0):
    """Wait until the server stored this answer: the keepalive request a page sends on its way
    out is answered on the server's own time, and a page opened at once could be served first."""
    deadline = time.monotonic() + seconds
    while _answers(attempt_id)[index] != expected and time.monotonic() < deadline:
        time.sleep(0.05)


def _focus_losses(attempt_id) -> int:
    db.session.rollback()
    return db.session.get(Attempt, attempt_id).focus_losses


def test_an_essay_typed_just_before_a_reload_is_there_after_it(page, live_server, network_exam):
    attempt_id = _start(page, live_server, network_exam)
    essay = page.locator("#q-2 textarea")
    essay.press_sequentially("核实借款人身份")
    essay.press("End")  # a key up, then the pause: saved
    page.locator("#q-2 .saved-state").filter(has_text="已保存").wait_for()
    essay.press_sequentially("、用途与还款来源")  # and at once, within the 600 ms pause:
    page.reload()
    page.wait_for_load_state("load")
    assert page.locator("#q-2 textarea").input_value() == "核实借款人身份、用途与还款来源"
    page.locator("#q-2 .saved-state:not(.pending)").filter(has_text="已保存").wait_for()
    assert _answers(attempt_id)[1] == "核实借款人身份、用途与还款来源"
    assert _focus_losses(attempt_id) == 0  # a reload is not leaving the exam
    assert page.locator("#integrity-notice").inner_text().strip() == ""


def test_an_essay_typed_just_before_the_tab_is_closed_is_kept(page, context, live_server, network_exam):
    attempt_id = _start(page, live_server, network_exam)
    page.locator("#q-2 textarea").press_sequentially("先核实身份")
    page.close()
    _wait_for_answer(attempt_id, 1, "先核实身份")  # the new tab has no copy: only the server's answer
    again = context.new_page()
    again.goto(f"{live_server}/attempts/{attempt_id}")
    assert again.locator("#q-2 textarea").input_value() == "先核实身份"


def test_switching_tabs_sends_the_answer_and_still_counts_as_leaving(page, live_server, network_exam):
    attempt_id = _start(page, live_server, network_exam)
    # Typed in one go, with no key up: no autosave of its own, so what the server holds can only
    # come from the page's send on hiding. (Key by key on a loaded machine, a pause of 600 ms
    # saved the first characters and showed "saved" while the send on hiding was still on its way.)
    page.locator("#q-2 textarea").fill("现场走访")
    page.evaluate("""() => {
        Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    page.locator("#integrity-notice").filter(has_text="1").wait_for()
    page.locator("#q-2 .saved-state:not(.pending)").filter(has_text="已保存").wait_for()
    assert _answers(attempt_id)[1] == "现场走访"
    assert _focus_losses(attempt_id) == 1  # once, for the tab switch; the save is not counted


def test_leaving_the_exam_for_another_page_saves_the_answer_and_keeps_no_copy_in_the_browser(
        page, live_server, network_exam):
    """The copy kept for the page after a reload never outlives the exam page
    (a bank PC is shared): the home page removes it; the answer was saved."""
    attempt_id = _start(page, live_server, network_exam)
    page.locator("#q-2 textarea").press_sequentially("走访经营场所")
    page.goto(f"{live_server}/")
    assert page.evaluate("() => Object.keys(window.sessionStorage).filter(k => k.startsWith('lms-unsaved'))") == []
    _wait_for_answer(attempt_id, 1, "走访经营场所")  # the copy is gone: the page shows the server's answer
    page.goto(f"{live_server}/attempts/{attempt_id}")
    assert page.locator("#q-2 textarea").input_value() == "走访经营场所"
    assert _answers(attempt_id)[1] == "走访经营场所" and _focus_losses(attempt_id) == 0
