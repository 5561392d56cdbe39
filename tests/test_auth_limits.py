"""Sign-in limits that hold across app processes, the same work for every
kind of account, throttled and audited password changes, breached passwords
refused, and nothing typed into the 工号 field logged when it names nobody."""
from __future__ import annotations

import argon2
import pytest

from lms import create_app
from lms.audit.models import AuditEvent
from lms.extensions import db
from tests.conftest import BASE_CONFIG, TEST_PASSWORD, CSRFClient


def _login(client, employee_no, password):
    return client.post("/login", data={"employee_no": employee_no, "password": password})


def test_the_per_client_limit_holds_across_two_workers(app, clock):  # frozen: one window
    """Two app instances ("workers") on one database: together they let a
    client try 20 times a minute, not 20 each."""
    workers = []
    for _ in range(2):
        worker = create_app({**BASE_CONFIG, "RATELIMIT_ENABLED": True})
        worker.test_client_class = CSRFClient
        workers.append(worker.test_client())
    statuses = []
    for n in range(40):  # a different unknown 工号 each time: only the client limit applies
        client = workers[n % 2]
        statuses.append(_login(client, f"guess{n:03d}", "wrong-password-123").status_code)
    assert statuses.count(401) == 20
    assert statuses.count(429) == 20 and set(statuses[20:]) == {429}
    refused = _login(workers[0], "guess999", "wrong-password-123")
    assert "Too many sign-in attempts" in refused.text or "尝试登录次数过多" in refused.text


def test_the_per_client_limit_comes_back_as_the_window_slides(app, clock):
    from datetime import timedelta

    app.config["RATELIMIT_ENABLED"] = True
    client = app.test_client()
    for n in range(20):  # 09:00:00
        assert _login(client, f"x{n}", "wrong-password-123").status_code == 401
    assert _login(client, "x20", "wrong-password-123").status_code == 429
    clock.advance(timedelta(minutes=1))  # 09:01:00: the burst is still within the last minute
    assert _login(client, "x21", "wrong-password-123").status_code == 429
    clock.advance(timedelta(seconds=30))  # 09:01:30: half of the last minute is after the burst's
    statuses = [_login(client, f"y{n}", "wrong-password-123").status_code for n in range(12)]
    assert statuses == [401] * 10 + [429] * 2
    clock.advance(timedelta(minutes=2))  # none of it
    statuses = [_login(client, f"z{n}", "wrong-password-123").status_code for n in range(21)]
    assert statuses == [401] * 20 + [429]


def test_a_burst_across_the_minute_boundary_gets_one_allowance_not_two(app, clock):
    """Fixed minute windows let 20 tries at 09:00:59 and 20 more at 09:01:00:
    40 within two seconds. The window slides: the second burst is refused."""
    from datetime import timedelta

    app.config["RATELIMIT_ENABLED"] = True
    client = app.test_client()
    clock.advance(timedelta(seconds=59))  # 09:00:59
    assert [_login(client, f"a{n}", "wrong-password-123").status_code for n in range(20)] == [401] * 20
    clock.advance(timedelta(seconds=2))  # 09:01:01, past the minute's boundary
    statuses = [_login(client, f"b{n}", "wrong-password-123").status_code for n in range(20)]
    assert statuses == [429] * 20
    refused = _login(client, "b99", "wrong-password-123")
    assert "尝试登录次数过多" in refused.text


def test_refused_tries_do_not_keep_a_client_out(app, clock):
    """Knocking on while refused does not push the window on: a minute after
    the allowance was used, the client may try again."""
    from datetime import timedelta

    app.config["RATELIMIT_ENABLED"] = True
    client = app.test_client()
    for n in range(20):
        _login(client, f"x{n}", "wrong-password-123")
    clock.advance(timedelta(seconds=50))
    for n in range(50):  # refused, every one
        assert _login(client, f"k{n}", "wrong-password-123").status_code in (401, 429)
    clock.advance(timedelta(seconds=70))  # two minutes after the 20
    assert _login(client, "again", "wrong-password-123").status_code == 401


@pytest.fixture
def verifications(monkeypatch):
    """How many Argon2 verifications ran."""
    calls = []
    original = argon2.PasswordHasher.verify

    def counting(self, hash, password):
        calls.append(hash)
        return original(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting)
    return calls


def test_every_kind_of_account_costs_one_password_verification(client, make_user, verifications):
    from lms.org import services as org

    make_user(employee_no="1001")
    make_user(employee_no="1002", active=False)
    org.create_user("1003", "未设密码")  # imported without a password: none to compare with
    db.session.commit()
    for employee_no in ("1001", "1002", "1003", "nobody-here", "   "):
        verifications.clear()
        response = _login(client, employee_no, "Wrong-Password-77")
        assert response.status_code in (200, 401), employee_no
        if employee_no.strip():
            assert response.status_code == 401
            assert len(verifications) == 1, employee_no
    verifications.clear()
    assert _login(client, "1002", TEST_PASSWORD).status_code == 401  # deactivated, right password
    assert len(verifications) == 1


def test_what_was_typed_as_the_employee_number_is_not_logged_when_it_names_nobody(client, make_user):
    make_user(employee_no="1001")
    _login(client, "My-Secret-Pass-1", "whatever-else-1")
    _login(client, "My-Secret-Pass-1", "whatever-else-2")
    _login(client, "1001", "Wrong-Password-77")
    events = db.session.query(AuditEvent).order_by(AuditEvent.seq).all()
    assert [e.action for e in events] == ["auth.login_failed"] * 3
    unknown, again, known = (e.details_dict for e in events)
    for event in events:
        assert "My-Secret-Pass" not in event.details and "My-Secret-Pass" not in event.actor_label
    assert unknown["employee_no"].startswith("unknown:") and unknown["employee_no"] == again["employee_no"]
    assert known["employee_no"] == "1001"


def _change(client, current, new="Another-Good-Pass-9"):
    return client.post("/account/password", data={"current_password": current, "new_password": new,
                                                  "confirm": new})


def test_wrong_current_passwords_are_throttled_and_audited(client, make_user, clock):
    from tests.conftest import sign_in

    user = make_user(employee_no="1001")
    sign_in(client, user)
    for n in range(4):  # three free failures, then the delays of a sign-in begin
        response = _change(client, f"not-it-{n}")
        assert response.status_code == 200 and "当前密码不正确" in response.text
    response = _change(client, TEST_PASSWORD)  # even the right one waits now
    assert response.status_code == 429
    assert "秒后重试" in response.text
    failed = db.session.query(AuditEvent).filter_by(action="auth.password_change_failed").all()
    assert len(failed) == 4 and all(e.object_id == str(user.id) for e in failed)
    from datetime import timedelta

    clock.advance(timedelta(seconds=3))
    assert _change(client, TEST_PASSWORD).status_code == 302


@pytest.mark.parametrize("breached", ["P@ssw0rd12", "Password2024!", "q1w2e3r4t5y6", "Iloveyou2023"])
def test_breached_and_guessable_passwords_are_refused_with_a_clear_message(client, make_user, breached):
    from tests.conftest import sign_in

    sign_in(client, make_user(employee_no="1001"))
    response = _change(client, TEST_PASSWORD, breached)
    assert response.status_code == 200
    assert "容易被猜中" in response.text, breached


def test_the_demo_test_and_generated_passwords_pass_the_policy(app):
    from lms.auth.passwords import policy_problems
    from lms.org.services import generate_temporary_password

    assert policy_problems(TEST_PASSWORD, "1001") == []
    assert policy_problems("demo-pass-2024", "admin") == []
    assert policy_problems("Another-Good-Pass-9", "1001") == []
    assert policy_problems(generate_temporary_password(), "1001") == []


def test_sign_in_counts_an_ipv6_64_as_one_client_and_ipv4_addresses_apart(app, clock):
    """An attacker with a /64 has 2^64 addresses: changing the last 64 bits
    between guesses must not buy a fresh allowance. IPv4 addresses (and the
    same address written ::ffff:a.b.c.d) count as before."""
    app.config["RATELIMIT_ENABLED"] = True
    client = app.test_client()
    statuses = [client.post("/login", data={"employee_no": f"v6-{n}", "password": "wrong-password-123"},
                            environ_base={"REMOTE_ADDR": f"2001:db8:7:9::{n + 1:x}"}).status_code
                for n in range(21)]
    assert statuses[:20] == [401] * 20 and statuses[20] == 429
    # Another /64 is another client.
    other = client.post("/login", data={"employee_no": "v6-x", "password": "wrong-password-123"},
                        environ_base={"REMOTE_ADDR": "2001:db8:7:a::1"})
    assert other.status_code == 401
    # IPv4: one address's 20, then the next address still has its own.
    for n in range(20):
        assert client.post("/login", data={"employee_no": f"v4-{n}", "password": "wrong-password-123"},
                           environ_base={"REMOTE_ADDR": "10.9.8.7"}).status_code == 401
    assert client.post("/login", data={"employee_no": "v4-x", "password": "wrong-password-123"},
                       environ_base={"REMOTE_ADDR": "::ffff:10.9.8.7"}).status_code == 429
    assert client.post("/login", data={"employee_no": "v4-y", "password": "wrong-password-123"},
                       environ_base={"REMOTE_ADDR": "10.9.8.6"}).status_code == 401


def test_every_flask_limiter_limit_keys_an_ipv6_64_as_one_client(app):
    """The decorators' keys (the default and the signed-out fallback) use
    the same client key as sign-in and /verify."""
    from lms.extensions import limiter, signed_in_user_or_address

    for address, key in (("2001:db8:1:2::5", "2001:db8:1:2::/64"), ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
                         ("10.1.2.3", "10.1.2.3")):
        with app.test_request_context("/", environ_base={"REMOTE_ADDR": address}):
            assert limiter._key_func() == key
            assert signed_in_user_or_address() == key
