"""The bell in a real browser: htmx loads the unread count into the header,
marking one read swaps the row and the count (out of band), with no
Content-Security-Policy complaint in the console."""
from playwright.sync_api import expect

from lms.notify import services
from tests.conftest import TEST_PASSWORD


def test_the_bell_counts_and_mark_read_updates_it(page, live_server, make_user, clock):
    learner = make_user(("learner",), employee_no="E5001")
    for n in (1, 2):
        services.notify(learner, "graded", f"attempt:{n}", {"exam": f"第{n}周测验", "attempt_id": n, "number": 1,
                                                           "percent": 90, "passed": True})
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type in ("error", "warning") else None)
    page.goto(live_server + "/login")
    page.fill("input[name=employee_no]", "E5001")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(live_server + "/")
    expect(page.locator("#notify-bell .bell-count")).to_have_text("2")  # htmx loads it after the page
    page.click("#notify-bell")
    page.wait_for_url(live_server + "/notifications/")
    assert "已评分：第2周测验" in page.content()
    page.locator("li.notification").first.locator("text=标为已读").click()
    expect(page.locator("#notify-bell .bell-count")).to_have_text("1")  # (no eval: the page's CSP forbids it)
    expect(page.locator("li.notification.unread")).to_have_count(1)  # after htmx settles the swapped row
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
