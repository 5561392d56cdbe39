"""The browser console stays clean: no 404 (the favicon), no Content-Security-
Policy refusals (htmx's inline indicator styles)
over signing in, a form that fails validation (inline, through htmx, and on
submit) and page loads."""
from __future__ import annotations

import pytest

from tests.conftest import TEST_PASSWORD


@pytest.fixture
def console(page):
    """Every console error and failed request of the page."""
    problems = []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}")
            if msg.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return problems


def test_sign_in_validation_errors_and_pages_leave_no_console_errors(page, live_server, console, make_user,
                                                                     make_branch):
    branch = make_branch("B01", "天元支行")
    make_user(("hr",), employee_no="hr01", branch=branch)
    make_user(("learner",), employee_no="E1001", branch=branch)

    page.goto(live_server + "/login")
    page.fill("input[name=employee_no]", "hr01")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(live_server + "/")

    page.goto(live_server + "/org/people/new")
    page.fill("input[name=employee_no]", "E1001")  # taken: the inline check (htmx) says so
    page.locator("input[name=employee_no]").dispatch_event("change")
    page.wait_for_selector("#field-employee_no.has-error")
    page.fill("input[name=name]", "新同事")
    page.fill("input[name=hire_date]", "2999-01-01")  # in the future
    page.locator("input[name=hire_date]").dispatch_event("change")
    page.wait_for_selector("#field-hire_date.has-error")
    page.click("form button[type=submit].primary")  # the whole form refused, page reloads with errors
    page.wait_for_selector(".has-error")

    for path in ("/", "/org/people", "/me"):
        page.goto(live_server + path)
    page.wait_for_timeout(300)
    assert console == []
