"""A newcomer signs in as each demo role and lands on that role's home page."""
import pytest
from playwright.sync_api import expect

from tests.conftest import load_demo_copy

PASSWORD = "Demo-Password-77"

# What each role sees first on its home page (zh_CN, the default language).
HOME_MARKERS = {
    "admin": "#admin-panel",
    "hr": "#hr-panel",
    "trainer": "#trainer-panel",
    # Mentoring (pairings, check-ins) is a later capability; until then a
    # mentor's home shows what the mentor sees as a learner.
    "mentor": "#learner-profile-panel",
    "learner": "#learner-profile-panel",
}


@pytest.fixture
def demo(app):
    load_demo_copy(PASSWORD)


@pytest.mark.parametrize("account", list(HOME_MARKERS))
def test_sign_in_as_each_demo_role(page, live_server, demo, account):
    page.goto(live_server + "/")
    assert page.url.startswith(live_server + "/login")
    page.fill("input[name=employee_no]", account)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(live_server + "/")
    expect(page.locator(HOME_MARKERS[account])).to_be_visible()
    assert page.locator("h1").first.inner_text().startswith("欢迎")
    page.click("text=退出")
    page.wait_for_url(live_server + "/login*")


def test_wrong_password_shows_message(page, live_server, demo):
    page.goto(live_server + "/login")
    page.fill("input[name=employee_no]", "learner")
    page.fill("input[name=password]", "not-the-password")
    page.click("form.login-form button[type=submit]")
    # The click returns once the form's navigation started, not once the answer is shown:
    # page.content() read then raced the new page (or met the sign-in form it replaces).
    expect(page.locator("body")).to_contain_text("工号或密码错误")
