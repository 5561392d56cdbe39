from datetime import timedelta

import pytest

from lms.audit.models import AuditEvent
from lms.extensions import db
from tests.conftest import TEST_PASSWORD


def post_login(client, employee_no, password):
    return client.post("/login", data={"employee_no": employee_no, "password": password})


def test_login_with_right_password_opens_home(client, make_user):
    make_user(("learner",), employee_no="1001", name="李学员")
    response = post_login(client, "1001", TEST_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "李学员" in home.text


def test_unknown_user_and_wrong_password_look_the_same(client, make_user):
    make_user(employee_no="1001")
    wrong = post_login(client, "1001", "wrong-password-1")
    unknown = post_login(client, "9999", "wrong-password-1")
    assert wrong.status_code == unknown.status_code == 401
    assert "工号或密码错误" in wrong.text and "工号或密码错误" in unknown.text


def test_repeated_failures_are_delayed_longer_each_time(client, make_user, clock):
    make_user(employee_no="1001")
    for _ in range(3):
        assert post_login(client, "1001", "nope-nope-nope").status_code == 401
    # The fourth failure starts a delay; during it even the right password waits.
    assert post_login(client, "1001", "nope-nope-nope").status_code == 401
    blocked = post_login(client, "1001", TEST_PASSWORD)
    assert blocked.status_code == 429
    clock.advance(timedelta(seconds=3))
    assert post_login(client, "1001", "nope-nope-nope").status_code == 401  # 5th failure: 4 s
    clock.advance(timedelta(seconds=3))
    assert post_login(client, "1001", TEST_PASSWORD).status_code == 429
    clock.advance(timedelta(seconds=2))
    assert post_login(client, "1001", TEST_PASSWORD).status_code == 302


def test_unknown_accounts_are_throttled_too(client, clock):
    for _ in range(4):
        post_login(client, "ghost", "nope-nope-nope")
    assert post_login(client, "ghost", "nope-nope-nope").status_code == 429


def test_inactive_user_cannot_sign_in(client, make_user):
    make_user(employee_no="1001", active=False)
    assert post_login(client, "1001", TEST_PASSWORD).status_code == 401


def test_login_starts_a_new_session(client, make_user):
    make_user(employee_no="1001")
    with client.session_transaction() as sess:
        sess["planted"] = "by-attacker"
    post_login(client, "1001", TEST_PASSWORD)
    with client.session_transaction() as sess:
        assert "planted" not in sess


def test_logout_is_post_only_and_ends_the_session(client, make_user):
    make_user(employee_no="1001")
    post_login(client, "1001", TEST_PASSWORD)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_password_change_ends_other_sessions(app, make_user):
    user = make_user(employee_no="1001")
    first, second = app.test_client(), app.test_client()
    post_login(first, "1001", TEST_PASSWORD)
    post_login(second, "1001", TEST_PASSWORD)
    response = first.post("/account/password", data={
        "current_password": TEST_PASSWORD, "new_password": "Another-Good-Pass-9", "confirm": "Another-Good-Pass-9"})
    assert response.status_code == 302
    assert first.get("/").status_code == 200      # this session continues
    assert second.get("/").status_code == 302     # the other one is gone
    assert db.session.get(type(user), user.id).session_version == 2


def test_common_and_short_passwords_are_refused(client, make_user):
    make_user(employee_no="1001")
    post_login(client, "1001", TEST_PASSWORD)
    for bad in ("password123", "short1!", "qwertyuiop"):
        response = client.post("/account/password", data={
            "current_password": TEST_PASSWORD, "new_password": bad, "confirm": bad})
        assert response.status_code == 200, bad
        assert "error" in response.text


def test_logins_and_failures_are_audited(client, make_user):
    make_user(employee_no="1001")
    post_login(client, "1001", "nope-nope-nope")
    post_login(client, "1001", TEST_PASSWORD)
    actions = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.seq)]
    assert actions == ["auth.login_failed", "auth.login"]


def test_next_parameter_only_follows_local_paths(client, make_user):
    make_user(employee_no="1001")
    response = client.post("/login?next=https://evil.example/x", data={"employee_no": "1001", "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/"


def test_the_password_is_checked_without_holding_the_write_lock(client, make_user, monkeypatch):
    """Argon2 takes a noticeable time: while it runs, other requests (a class
    saving exam answers) must still be able to write. On SQLite another
    connection writes, without waiting, during the check."""
    import sqlite3

    from lms.auth import services

    if db.engine.dialect.name != "sqlite":
        pytest.skip("the database-wide write lock is SQLite's")
    user = make_user(("learner",))
    db.session.commit()
    real_check = services.check_password
    wrote = []

    def check_while_another_writes(stored, given):
        other = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
        try:
            other.execute('UPDATE "user" SET name = name WHERE id = ?', (user.id,))
            wrote.append(True)
        finally:
            other.close()
        return real_check(stored, given)

    monkeypatch.setattr(services, "check_password", check_while_another_writes)
    response = post_login(client, user.employee_no, TEST_PASSWORD)
    assert response.status_code == 302 and wrote == [True]
