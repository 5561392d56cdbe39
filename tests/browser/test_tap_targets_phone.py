"""A month's pages on a 390 × 844 phone, as each of the demo's three people taps through them: the RM
(their 错题本's tags, an exam's past attempts, a notification's 查看), the mentor (the desk, an
apprentice's attempts and check-ins) and the branch manager (the panel's numbers, the roster's 工号 and
names, the reports' tabs, the downloads). A link in a table cell was 24 px tall, a heading's link 27, a
panel's number 41, a report tab 37, a notification's buttons 26 and XLSX · CSV 24 × 30: each is at least
44 px to tap now."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.exams.models import Attempt
from lms.extensions import db
from lms.org.models import User
from tests.conftest import load_demo_copy

PASSWORD = "Tap-Targets-2026"
PHONE = {"width": 390, "height": 844}
# What a thumb taps on these pages, outside running text; each with its height and width in px.
TAPPED = """() => Array.from(document.querySelectorAll(
    'main td a, main th a, main h2 > a, main h3 > a, main .stat > a, main .tabs a, main .downloads a, main button'))
  .filter(e => e.getBoundingClientRect().height > 0 && !e.closest('.prose'))
  .map(e => [e.innerText.trim().slice(0, 20), Math.round(e.getBoundingClientRect().height),
              Math.round(e.getBoundingClientRect().width)])"""


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}


@pytest.fixture
def demo(app):
    load_demo_copy(PASSWORD)


def _pages(account: str) -> list[str]:
    learner = db.session.scalar(select(User).where(User.employee_no == "learner"))
    exam_id = db.session.scalar(select(Attempt.exam_id).where(Attempt.user_id == learner.id)
                                .order_by(Attempt.number.desc(), Attempt.id).limit(1))
    return {
        "learner": ["/", "/notebook/", f"/exams/{exam_id}", "/notifications/"],
        "mentor": ["/", "/mentoring/desk", f"/mentoring/apprentices/{learner.id}"],
        "manager": ["/", "/reports/roster", "/reports/overdue"],
    }[account]


@pytest.mark.parametrize("account", ["learner", "mentor", "manager"])
def test_what_a_thumb_taps_is_44_px_tall(page, live_server, demo, account):
    paths = _pages(account)
    page.goto(live_server + "/login")
    page.fill("input[name=employee_no]", account)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(live_server + "/")
    for path in paths:
        page.goto(live_server + path)
        tapped = page.evaluate(TAPPED)
        assert tapped, path  # each page has something of the kind to tap
        assert [t for t in tapped if t[1] < 44] == [], path
        assert [t for t in tapped if t[2] < 44 and t[0] in ("XLSX", "CSV")] == [], path  # the downloads' short names
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path


def test_the_public_verification_code_box_is_a_field_to_type_in(page, live_server):
    """Whoever holds a paper certificate types its code on /verify: the box had no type, so it took none
    of the fields' style: 25 px tall on a phone, without the others' padding and border."""
    page.goto(live_server + "/verify/")
    box = page.locator("#code").bounding_box()
    assert box["height"] >= 44, box
    assert page.locator("#code").evaluate("e => getComputedStyle(e).borderTopColor") == "rgb(188, 204, 220)"
