"""Lines of hundreds of characters in a trainer's own lesson
(tests/content/fixtures/own_markdown, 日终轧账): a paragraph, a web address and a test
account number with nowhere to break, on a 390-pixel phone. Each wraps inside the
lesson; the page does not grow wider than the phone."""
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


def test_long_lines_wrap_inside_the_lesson_on_a_phone(page, live_server, app, runner, make_user, course_folder):
    course_folder("own_markdown")
    published = runner.invoke(args=["content", "publish"])
    assert published.exit_code == 0, published.output
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "long-lines"))
    learner = make_user(("learner",), employee_no="p-own", position="teller")
    db.session.commit()
    _sign_in(page, live_server, learner.employee_no)
    page.goto(f"{live_server}/lessons/{lesson.id}")
    sizes = page.evaluate("""() => ({page: document.documentElement.scrollWidth,
        card: document.querySelector('#lesson').clientWidth,
        widest: Math.max(...[...document.querySelectorAll('#lesson .prose p')].map(p => p.scrollWidth))})""")
    assert sizes["page"] <= PHONE["width"] and sizes["widest"] <= sizes["card"], sizes
