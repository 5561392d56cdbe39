"""A long essay is never lost without a word. The autosave waits for a 600 ms
pause in typing, and the send on the way out (a keepalive request) carries at
most 64 kB: a learner who typed on without a pause had nothing saved, and one
who closed the tab on a longer unsaved essay lost all of it. Now an answer is
saved at least every 5 seconds while it changes, and closing or reloading the
page with more unsaved text than a keepalive request carries asks first."""
from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest

from lms.exams.models import Attempt
from lms.extensions import db
from tests.browser.test_exam_network import _answers, _start


@pytest.fixture
def network_exam(app, make_user, make_question, make_exam):
    learner = make_user(("learner",), employee_no="e-learner")
    essay = make_question("essay", stem="说明贷前调查的要点。")
    exam = make_exam([{"questions": [essay.slug]}], title="长文测验", max_attempts=None, focus_loss_limit=10)
    db.session.commit()
    return learner.employee_no, exam.id


def _page_clock_stopped(page):
    """The page's timers run only when the test moves its clock (the real seconds a loaded
    machine takes between two keys are not a pause in typing)."""
    page.clock.install()
    page.reload()
    page.clock.pause_at(datetime.now() + timedelta(seconds=1))


def _server_answer(attempt_id, seconds=15.0):
    """What the server holds, once it holds something (a save is answered on the server's time)."""
    deadline = time.monotonic() + seconds
    while not _answers(attempt_id)[0] and time.monotonic() < deadline:
        time.sleep(0.05)
    return _answers(attempt_id)[0]


def test_typing_on_without_a_pause_is_saved_every_few_seconds(page, live_server, network_exam):
    attempt_id = _start(page, live_server, network_exam)
    _page_clock_stopped(page)
    essay = page.locator("#q-1 textarea")
    typed = "核实借款人身份用途与还款来源并实地走访经营场所"
    for char in typed:  # a key every 300 ms: never the 600 ms pause the autosave waits for
        essay.press_sequentially(char)
        page.clock.run_for(300)
    held = _server_answer(attempt_id)
    # Saved at 5 s, while the typing went on (16 or 17 keys by then), not at the end.
    assert held and typed.startswith(held) and 16 <= len(held) < len(typed)
    assert db.session.get(Attempt, attempt_id).state == "open"


def test_closing_the_tab_on_an_unsaved_essay_too_long_for_the_way_out_asks_first(page, live_server, network_exam):
    _start(page, live_server, network_exam)
    _page_clock_stopped(page)  # no save of its own reaches the server before the tab is closed
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    essay = page.locator("#q-1 textarea")
    essay.click()
    essay.fill("核实" * 20)  # short: the send on the way out carries it, nobody is asked
    assert page.evaluate("""() => {
        const e = new Event('beforeunload', {cancelable: true});
        window.dispatchEvent(e);
        return e.defaultPrevented;
    }""") is False
    essay.fill("\U00020000" * 17000)  # 68 kB in UTF-8 (each character 4 bytes), under the 20,000 characters allowed
    page.close(run_before_unload=True)
    deadline = time.monotonic() + 10
    while not dialogs and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert dialogs == ["beforeunload"]
    assert not page.is_closed()  # the learner stayed: the save is under way
