"""An attacker who knows a 工号 (it is on the name badge) must not be able to
keep the relationship manager out of their exam: failures sent from other
browsers delay only browsers the account has not signed in with; the RM's own
browser counts its own failures (with the same delays) and gets in."""
from __future__ import annotations

from datetime import timedelta

from lms.auth import devices
from tests.conftest import TEST_PASSWORD

WRONG = "not-the-password-1"


def _sign_in(client, password, employee_no="E2001"):
    return client.post("/login", data={"employee_no": employee_no, "password": password})


def _sign_out(client):
    assert client.post("/logout", data={"csrf_token": client.csrf_token()}).status_code == 302


def _attack(client, clock, hours):
    """A wrong password whenever the account's delay is over (it grows to a
    quarter of an hour), for ``hours``: the account stays shut to every
    browser that has not signed in with it."""
    end = clock.now() + timedelta(hours=hours)
    while clock.now() < end:
        held = _sign_in(client, WRONG).status_code == 429
        clock.advance(timedelta(minutes=1) if held else timedelta(seconds=1))


def test_an_attacker_from_elsewhere_cannot_keep_the_rm_out_of_their_own_browser(app, make_user, clock):
    make_user(("learner",), employee_no="E2001")
    rm, attacker, new_pc = app.test_client(), app.test_client(), app.test_client()
    assert _sign_in(rm, TEST_PASSWORD).status_code == 302  # yesterday, on the RM's PC
    _sign_out(rm)
    _attack(attacker, clock, hours=3)
    assert _sign_in(attacker, TEST_PASSWORD).status_code == 429  # the attacker's browser waits
    assert _sign_in(new_pc, TEST_PASSWORD).status_code == 429  # so does any browser the account never used
    assert _sign_in(rm, TEST_PASSWORD).status_code == 302  # the RM's own browser gets in, to the exam
    assert rm.get("/").status_code == 200


def test_the_rms_own_browser_is_no_licence_to_guess(app, make_user, clock):
    make_user(("learner",), employee_no="E2001")
    rm = app.test_client()
    assert _sign_in(rm, TEST_PASSWORD).status_code == 302
    _sign_out(rm)
    for _ in range(4):
        assert _sign_in(rm, WRONG).status_code == 401
    answer = _sign_in(rm, TEST_PASSWORD)
    assert answer.status_code == 429 and "秒后重试" in answer.text
    clock.advance(timedelta(seconds=3))
    assert _sign_in(rm, TEST_PASSWORD).status_code == 302


def test_a_made_up_or_altered_cookie_is_a_browser_the_account_does_not_know(app, make_user, clock):
    make_user(("learner",), employee_no="E2001")
    rm, attacker = app.test_client(), app.test_client()
    assert _sign_in(rm, TEST_PASSWORD).status_code == 302
    cookie = rm.get_cookie(devices.COOKIE, path=devices.PATH)
    assert cookie is not None and "E2001" not in cookie.value and cookie.http_only
    _sign_out(rm)
    _attack(attacker, clock, hours=1)
    attacker.set_cookie(devices.COOKIE, cookie.value[:-2] + ("AA" if not cookie.value.endswith("AA") else "BB"),
                        path=devices.PATH)
    assert _sign_in(attacker, TEST_PASSWORD).status_code == 429
    other = make_user(("learner",), employee_no="E2002")  # a cookie of another account's browser
    thief = app.test_client()
    assert _sign_in(thief, TEST_PASSWORD, employee_no=other.employee_no).status_code == 302
    _sign_out(thief)
    assert _sign_in(thief, TEST_PASSWORD).status_code == 429


def test_one_address_spraying_one_password_over_many_accounts_is_held_after_100_failures(app, make_user, clock):
    """20 tries a minute per address let one address try a password on 28,800
    工号 a day; failures now also count per address and hour (100). The
    browser an account knows still gets in from that address (a colleague
    behind the branch's one address cannot shut the branch out)."""
    app.config["RATELIMIT_ENABLED"] = True
    make_user(("learner",), employee_no="E2001")
    rm, sprayer = app.test_client(), app.test_client()
    assert _sign_in(rm, TEST_PASSWORD).status_code == 302
    _sign_out(rm)
    statuses = []
    for n in range(110):  # under 20 a minute: only the failures count
        statuses.append(_sign_in(sprayer, "Summer-2026-bank", employee_no=f"E{3000 + n}").status_code)
        clock.advance(timedelta(seconds=4))
    assert statuses[:100] == [401] * 100 and set(statuses[100:]) == {429}
    refused = _sign_in(sprayer, "Summer-2026-bank", employee_no="E9999")
    assert refused.status_code == 429 and "登录失败次数过多" in refused.text
    assert _sign_in(app.test_client(), TEST_PASSWORD).status_code == 429  # a browser the account never used
    assert _sign_in(rm, TEST_PASSWORD).status_code == 302
    clock.advance(timedelta(hours=2))  # the failures slide out of the window
    assert _sign_in(sprayer, "Summer-2026-bank", employee_no="E9998").status_code == 401


NEW_PASSWORD = "Another-Horse-77"


def _change_password(client, current, new):
    return client.post("/account/password", data={"current_password": current, "new_password": new,
                                                  "confirm": new, "csrf_token": client.csrf_token()})


def test_a_password_change_forgets_the_browsers_that_knew_the_old_one(app, make_user, clock):
    """Someone who signed in with the old password (a stolen one, or a colleague at the branch's PC)
    kept a known browser after the RM changed it: held neither by the account's delays nor by its
    address's limit. Now that browser is a stranger again; the RM's own browser, where the password
    was changed, stays known."""
    make_user(("learner",), employee_no="E2001")
    rm, intruder, attacker = app.test_client(), app.test_client(), app.test_client()
    assert _sign_in(intruder, TEST_PASSWORD).status_code == 302  # the old password, stolen
    _sign_out(intruder)
    assert _sign_in(rm, TEST_PASSWORD).status_code == 302
    assert _change_password(rm, TEST_PASSWORD, NEW_PASSWORD).status_code == 302
    _sign_out(rm)
    _attack(attacker, clock, hours=1)
    assert _sign_in(intruder, NEW_PASSWORD).status_code == 429  # even knowing the new one, it waits
    assert _sign_in(rm, NEW_PASSWORD).status_code == 302  # the RM's browser gets in
