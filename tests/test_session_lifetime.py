"""The session's lifetime (LMS_SESSION_HOURS, 12 by default) counts from
sign-in and holds however active the session is: the idle clock re-signs the
cookie every minute or so, which must not push the end of the session on."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import TEST_PASSWORD


@pytest.fixture(autouse=True)
def _deployed_limits(app):
    app.config["SESSION_IDLE_MINUTES"] = 30
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=12)


def test_an_active_session_ends_twelve_hours_after_sign_in(app, client, clock, make_user):
    user = make_user(("learner",))
    assert client.post("/login", data={"employee_no": user.employee_no, "password": TEST_PASSWORD}).status_code == 302
    for _ in range(12 * 3 - 1):  # a page every 20 minutes: never idle
        clock.advance(timedelta(minutes=20))
        assert client.get("/").status_code == 200
    clock.advance(timedelta(minutes=21))  # 12 h 1 min after sign-in
    page = client.get("/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    htmx = client.get("/notifications/bell", headers={"HX-Request": "true"})
    assert htmx.status_code == 401


def test_signing_in_again_starts_a_new_lifetime(app, client, clock, make_user):
    user = make_user(("learner",))
    client.post("/login", data={"employee_no": user.employee_no, "password": TEST_PASSWORD})
    clock.advance(timedelta(hours=11, minutes=50))
    # The session is idle by now: signed out, and signing in again gives 12 more hours.
    assert client.get("/").status_code == 302
    client.post("/login", data={"employee_no": user.employee_no, "password": TEST_PASSWORD})
    clock.advance(timedelta(minutes=20))
    assert client.get("/").status_code == 200
