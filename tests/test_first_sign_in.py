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
