"""The mentor reads an apprentice's training record on a 390 × 844 phone: a
week's dates (2026-02-09 – 2026-02-15) and each attempt (#1 date time score
badge) broke at every hyphen and space, so a row of the record grew several
hundred pixels tall. Each stays on one line and the table scrolls sideways in
its card; the page itself does not."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lms.extensions import db
from lms.mentoring.models import Pairing
from tests.browser.test_take_exam import _sign_in
from tests.programmes.test_person_record import _setup

PHONE = {"width": 390, "height": 844}
# The lines a cell's text takes: its boxes (text and badges) grouped where they overlap vertically.
LINES = """sel => Array.from(document.querySelectorAll(sel)).map(td => {
    const range = document.createRange(); range.selectNodeContents(td);
    const boxes = Array.from(range.getClientRects()).filter(r => r.width > 0).sort((a, b) => a.top - b.top);
    let lines = 0, bottom = -Infinity;
    for (const r of boxes) { if (r.top >= bottom - 2) { lines += 1; bottom = r.bottom; } else { bottom = Math.max(bottom, r.bottom); } }
    return lines;
})"""


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}


def test_the_record_keeps_dates_and_attempts_on_one_line(page, live_server, clock, make_user, make_branch,
                                                         make_question, make_exam):
    _p, _exams, learner, *_rest, zz, _cs = _setup(make_user, make_branch, make_question, make_exam, clock)
    mentor = make_user(("mentor", "learner"), employee_no="p-mentor", branch=zz)
    db.session.add(Pairing(mentor_id=mentor.id, apprentice_id=learner.id, start_date=clock.now().date()))
    db.session.commit()
    _sign_in(page, live_server, mentor.employee_no)
    page.goto(f"{live_server}/mentoring/apprentices/{learner.id}")
    expect(page.locator("table.record td.dates")).to_have_count(5)
    assert page.evaluate(LINES, "table.record td.dates") == [1] * 5
    # Week 3's two attempts (a fail, then a pass): one line each, two in all.
    assert sorted(page.evaluate(LINES, "table.record td.attempts")) == [1, 1, 1, 1, 2]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
