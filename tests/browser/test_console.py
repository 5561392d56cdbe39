"""The browser console stays clean: no 404 (the favicon), no Content-Security-
Policy refusals (htmx's inline indicator styles)
over signing in, a form that fails validation (inline, through htmx, and on
submit) and page loads."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

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
    # The whole form refused, the page reloads with errors. (".has-error" alone matched the inline
    # errors already on the page, so the test went on while the submit was still on its way.)
    with page.expect_navigation():
        page.click("form button[type=submit].primary")
    expect(page.locator("#field-employee_no.has-error")).to_be_visible()
    expect(page.locator("#field-hire_date.has-error")).to_be_visible()

    for path in ("/", "/org/people", "/me"):
        # Every request of the page answered (the bell's count comes after the page's load),
        # rather than a fixed pause that a slow machine outlasts.
        page.goto(live_server + path, wait_until="networkidle")
    assert console == []
