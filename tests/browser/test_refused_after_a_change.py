"""A page opened before the user's rights changed: htmx does not swap an
error answer, so a form sent from it was refused (403) and the page stayed as
it was, as if nothing had been sent. The refusal now shows at the top of the
page, in the words of the error page."""
from playwright.sync_api import expect

from lms.extensions import db
from lms.org import services as org
from lms.org.models import User
from tests.conftest import TEST_PASSWORD


def test_a_form_sent_after_the_role_was_taken_away_says_so(page, live_server, make_user, clock):
    admin = make_user(("admin",), employee_no="A001")
    hr = make_user(("hr", "learner"), employee_no="H001")
    person = make_user(("learner",), employee_no="E001", name="李学员")
    page.goto(live_server + "/login")
    page.fill("input[name=employee_no]", "H001")
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(live_server + "/")
    page.goto(f"{live_server}/org/people/{person.id}")
    roles = page.locator("#person-roles")
    expect(roles.locator("button[type=submit]")).to_be_visible()

    org.set_roles(db.session.get(User, hr.id), ("learner",), actor=admin)  # HR is HR no more
    db.session.commit()
    roles.locator("input[value=mentor]").check()
    roles.locator("button[type=submit]").click()
    expect(page.locator("#request-refused")).to_have_text("403 · 无权访问 — 您的角色无权访问此页面。")
    expect(page.locator("#request-refused")).to_have_attribute("role", "alert")
    assert "mentor" not in db.session.get(User, person.id).roles
