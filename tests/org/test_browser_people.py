"""HR in a real browser: the active search swaps the rows as one types, and the
roles component replaces itself."""
import pytest

pytest.importorskip("playwright")

from playwright.sync_api import expect  # noqa: E402

from lms.extensions import db  # noqa: E402
from tests.browser.conftest import browser_type_launch_args, live_server  # noqa: E402,F401
from tests.conftest import TEST_PASSWORD  # noqa: E402


def _sign_in(page, base, employee_no):
    page.goto(base + "/login")
    page.fill("input[name=employee_no]", employee_no)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(base + "/")


def test_active_search_and_roles_without_reload(page, live_server, org, make_user):  # noqa: F811
    make_user(employee_no="E1001", name="张伟", branch=org.tianyuan)
    target_id = make_user(employee_no="E1002", name="李娜", branch=org.lusong).id
    db.session.commit()  # hold no SQLite lock while the server thread works
    _sign_in(page, live_server, "hr01")
    page.goto(live_server + "/org/people")
    page.evaluate("window.__marker = 'same page'")
    page.locator("#q").press_sequentially("E1002")  # keyup, as a person typing
    expect(page.locator("#people-rows")).not_to_contain_text("张伟")
    assert "李娜" in page.inner_text("#people-rows")
    assert page.evaluate("window.__marker") == "same page"  # swapped, not reloaded
    assert "q=" in page.url  # the URL keeps the search (hx-push-url)

    page.goto(f"{live_server}/org/people/{target_id}")
    page.evaluate("window.__marker = 'same page'")
    page.check("#person-roles input[value=mentor]")
    page.click("#person-roles button[type=submit]")
    page.wait_for_selector("#person-roles .flash-success")
    assert page.evaluate("window.__marker") == "same page"
    assert page.is_checked("#person-roles input[value=mentor]")
