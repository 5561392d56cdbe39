"""The credit course's balance sheet (tests/content/fixtures/credit) on a
390-pixel phone: every figure stays on one line — 1,234.56, (247.46), 62.5% —
the item names are not stacked a character a line, and the table scrolls
inside the lesson rather than widening the page."""
from __future__ import annotations


import pytest
from sqlalchemy import select

from lms.content.models import Lesson
from lms.extensions import db
from tests.browser.test_phone import PHONE
from tests.browser.test_take_exam import _sign_in



@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}


def test_the_balance_sheet_keeps_each_figure_on_one_line_on_a_phone(page, live_server, app, runner, make_user,
                                                                     course_folder):
    root = course_folder("credit")
    published = runner.invoke(args=["content", "publish"])
    assert published.exit_code == 0, published.output
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "statements"))
    learner = make_user(("learner",), employee_no="p-credit", position="rm_junior")
    db.session.commit()
    _sign_in(page, live_server, learner.employee_no)
    page.goto(f"{live_server}/lessons/{lesson.id}")
    cells = page.evaluate("""() => [...document.querySelectorAll('#lesson .prose table td')].map(td => {
        const range = document.createRange();
        range.selectNodeContents(td);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        return {text: td.textContent.trim(), lines: lines.size};
    })""")
    figures = [c for c in cells if any(ch.isdigit() for ch in c["text"]) and "个百分点" not in c["text"]]
    assert len(figures) == 9 * 3 - 1, cells
    assert [c for c in figures if c["lines"] != 1] == []
    names = [c for c in cells if c["text"] in ("货币资金", "流动资产合计", "流动负债合计", "未分配利润")]
    assert names and [c for c in names if c["lines"] > 2] == [], names
    sizes = page.evaluate("""() => ({page: document.documentElement.scrollWidth,
        shown: document.querySelector('#lesson .prose table').clientWidth,
        card: document.querySelector('#lesson').clientWidth})""")
    assert sizes["page"] <= PHONE["width"] and sizes["shown"] <= sizes["card"], sizes
