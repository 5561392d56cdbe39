"""A newly hired RM's first sign-in on a 390 × 844 phone, in Chinese and in
English: the temporary password HR gave leads straight to the password change,
which welcomes them and says the rules before they type; a refused password
names each reason on its own line ("…10 characters.This password…" ran the two
together) and puts the focus back on the new password; a good one leads to
本周培训 with the change confirmed, and the new password is the one that
signs in. Nothing is wider than the screen, every field and the button are at
least 44 px high."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lms.extensions import db
from lms.org import services as org_services

PHONE = {"width": 390, "height": 844}
TEMPORARY = "Temp-pass-2026-abc"
CHOSEN = "Qiantang-river-at-dawn-7"
SHORT_FIELDS = """() => Array.from(document.querySelectorAll('main input:not([type=hidden]), main button'))
    .map(e => [e.name || e.innerText.trim(), Math.round(e.getBoundingClientRect().height)]).filter(([, h]) => h < 44)"""
WORDS = {
    "zh": {"welcome": "欢迎！您刚才用人力资源部给您的临时密码登录。", "rules": "至少 10 个字符，不能包含您的工号。",
           "short": "密码至少需要 10 个字符。", "common": "该密码属于最常见的密码，请另选一个。", "save": "保存",
           "changed": "密码已修改，其他登录会话已退出。", "home": "本周培训", "sign_in": "登录"},
    "en": {"welcome": "Welcome! You signed in with the temporary password HR gave you.",
           "rules": "At least 10 characters, not containing your employee number.",
           "short": "The password must have at least 10 characters.",
           "common": "This password is among the most common passwords; choose another.", "save": "Save",
           "changed": "Your password was changed. Other sessions were signed out.", "home": "This week's training",
           "sign_in": "Sign in"},
}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_first_sign_in_on_a_phone(page, live_server, make_user, make_branch, language):
    words = WORDS[language]
    hr = make_user(("hr",))
    org_services.create_user("E3001", "林新人", branch=make_branch("B01", "天元支行"), temporary_password=TEMPORARY,
                             actor=hr, locale="zh_CN" if language == "zh" else "en")
    db.session.commit()

    page.goto(live_server + "/login")
    page.fill("input[name=employee_no]", "E3001")
    page.fill("input[name=password]", TEMPORARY)
    page.locator("form.login-form button[type=submit]").tap()
    page.wait_for_url(live_server + "/account/password")
    expect(page.locator("main .notice")).to_contain_text(words["welcome"])
    hint = page.locator("#new_password-hint")
    expect(hint).to_contain_text(words["rules"])
    expect(page.locator("#new_password")).to_have_attribute("aria-describedby", "new_password-hint")
    assert page.evaluate(SHORT_FIELDS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.fill("#current_password", TEMPORARY)
    page.fill("#new_password", "abc12345")
    page.fill("#confirm", "abc12345")
    with page.expect_navigation():
        page.get_by_role("button", name=words["save"]).tap()
    errors = page.locator("#new_password-error small.error")
    expect(errors).to_have_text([words["short"], words["common"]])
    first, second = errors.nth(0).bounding_box(), errors.nth(1).bounding_box()
    assert second["y"] >= first["y"] + first["height"] - 0.5  # one reason a line
    expect(page.locator("#new_password")).to_be_focused()
    expect(hint).to_be_visible()  # the rules are still there to read
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.fill("#current_password", TEMPORARY)
    page.fill("#new_password", CHOSEN)
    page.fill("#confirm", CHOSEN)
    page.get_by_role("button", name=words["save"]).tap()
    page.wait_for_url(live_server + "/")
    expect(page.locator(".flash-success")).to_have_text(words["changed"])
    expect(page.locator("#this-week-panel h2")).to_have_text(words["home"])

    page.context.clear_cookies()
    page.goto(live_server + "/login")
    page.fill("input[name=employee_no]", "E3001")
    page.fill("input[name=password]", CHOSEN)
    page.locator("form.login-form button[type=submit]").tap()
    page.wait_for_url(live_server + "/")  # the chosen password signs in, with no second change asked
