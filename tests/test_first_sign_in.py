"""A new employee's first sign-in: HR created the account with a temporary
password, and the forced change said "您的密码已被重置" (your password was
reset) to someone whose password nobody reset. A new account is welcomed and
told to type the temporary password as the current one; a real reset still
says it was reset."""
from __future__ import annotations

from lms.org import services as org_services
from lms.extensions import db

TEMPORARY = "Temp-pass-2026-abc"


def _sign_in(client, employee_no, password):
    return client.post("/login", data={"employee_no": employee_no, "password": password})


def test_a_new_account_is_welcomed_not_told_its_password_was_reset(app, client, make_user, make_branch):
    hr = make_user(("hr",))
    org_services.create_user("E9001", "孙新人", branch=make_branch("B01"), temporary_password=TEMPORARY, actor=hr)
    db.session.commit()
    response = _sign_in(client, "E9001", TEMPORARY)
    assert response.headers["Location"].endswith("/account/password")
    page = client.get("/account/password").text
    assert "欢迎！您刚才用人力资源部给您的临时密码登录" in page
    assert "已被重置" not in page


def test_a_reset_password_still_says_it_was_reset(app, client, make_user, make_branch):
    hr = make_user(("hr",))
    user = org_services.create_user("E9002", "钱老员工", branch=make_branch("B01"), temporary_password=TEMPORARY,
                                    actor=hr)
    db.session.commit()
    password = org_services.reset_password(user, actor=hr)
    db.session.commit()
    _sign_in(client, "E9002", password)
    page = client.get("/account/password").text
    assert "您的密码已被重置，请先设置新密码。" in page and "欢迎" not in page


def test_the_rules_are_said_before_the_first_try_and_read_with_the_field(app, client, make_user, make_branch):
    """The forced change said nothing of the rules until a password was refused; a newcomer
    found them out one refusal at a time. They stand under the field, with the minimum the
    bank configured, and a screen reader reads them with it."""
    app.config["PASSWORD_MIN_LENGTH"] = 12
    hr = make_user(("hr",))
    org_services.create_user("E9003", "周新人", branch=make_branch("B01"), temporary_password=TEMPORARY, actor=hr)
    db.session.commit()
    _sign_in(client, "E9003", TEMPORARY)
    page = client.get("/account/password").text
    rules = "至少 12 个字符，不能包含您的工号。常见密码、单词、姓名、日期和键盘连续键都会被拒绝：用几个互不相关的词组成一句话最好。"
    assert f'<small class="hint" id="new_password-hint">{rules}</small>' in page
    assert 'aria-describedby="new_password-hint"' in page

    refused = client.post("/account/password", data={"current_password": TEMPORARY, "new_password": "E9003abc",
                                                      "confirm": "E9003abc"}).text
    assert "密码至少需要 12 个字符。" in refused and "密码不能包含工号。" in refused
    assert 'aria-describedby="new_password-hint new_password-error"' in refused  # the rules, then why it was refused
    assert rules in refused


def test_the_rules_in_english_follow_the_configured_minimum(app, client, make_user, make_branch):
    hr = make_user(("hr",))
    org_services.create_user("E9004", "Wu Xin", branch=make_branch("B01"), temporary_password=TEMPORARY, actor=hr,
                             locale="en")
    db.session.commit()
    _sign_in(client, "E9004", TEMPORARY)
    page = client.get("/account/password").text
    assert ("At least 10 characters, not containing your employee number. Common passwords, words, names, dates "
            "and keyboard patterns are refused: a phrase of unrelated words works best.") in page
