"""A session ends on the server: a cookie copied before sign-out, a password
change or a deactivation opens nothing afterwards, on any request path (a
page, an autosave, a submit); and a signed-in
session that sees no request for SESSION_IDLE_MINUTES ends too."""
from __future__ import annotations

from datetime import timedelta

import pytest

from lms.exams.models import Attempt
from lms.extensions import db
from lms.org.models import User
from tests.conftest import TEST_PASSWORD
from tests.exams.takers import as_posted, learner, open_item  # noqa: F401

HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _deployed_idle_limit(app):
    app.config["SESSION_IDLE_MINUTES"] = 30  # as deployed (the suite's apps are more patient)


def _answer(attempt_id: int, item_id: int) -> dict:
    """Option B of the one question, as the exam page posts it (its opaque value)."""
    item = db.session.get(Attempt, attempt_id).items[0]
    return as_posted(item, {f"a-{item_id}": "B"})


def _signed_in_cookie(client, user) -> tuple[str, str]:
    """Sign in with the password, as a person does; (session cookie, CSRF token)."""
    response = client.post("/login", data={"employee_no": user.employee_no, "password": TEST_PASSWORD})
    assert response.status_code == 302
    token = client.csrf_token()  # puts the raw token into the session, as the first page would
    assert client.get("/").status_code == 200
    return client.get_cookie("session").value, token


def _replay(client, cookie: str, token: str, attempt_id: int, item_id: int):
    """The copied cookie on a page, an autosave and a submit."""
    client.set_cookie("session", cookie)
    page = client.get(f"/attempts/{attempt_id}")
    client.set_cookie("session", cookie)
    save = client.post(f"/attempts/{attempt_id}/items/{item_id}", data=_answer(attempt_id, item_id),
                       headers={**HX, "X-CSRFToken": token}, csrf=False)
    client.set_cookie("session", cookie)
    submit = client.post(f"/attempts/{attempt_id}/submit", headers={"X-CSRFToken": token}, csrf=False)
    return page, save, submit


def _assert_signed_out(page, save, submit, attempt_id):
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    assert save.status_code == 401 and save.headers["HX-Redirect"].startswith("/login")
    assert submit.status_code == 302 and submit.headers["Location"].startswith("/login")
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.items[0].answer in (None, "")
    assert attempt.submitted_at is None


def _logout(client, user, token):
    assert client.post("/logout", headers={"X-CSRFToken": token}, csrf=False).status_code == 302


def _change_password(client, user, token):
    response = client.post("/account/password", headers={"X-CSRFToken": token}, csrf=False, data={
        "current_password": TEST_PASSWORD, "new_password": "Another-Good-Pass-9", "confirm": "Another-Good-Pass-9"})
    assert response.status_code == 302


def _deactivated_by_hr(client, user, token):
    from lms.org import services as org

    org.deactivate(db.session.get(User, user.id), "left the bank")
    db.session.commit()


@pytest.mark.parametrize("end", [_logout, _change_password, _deactivated_by_hr],
                         ids=["logout", "password-change", "deactivation"])
def test_a_cookie_copied_before_the_session_ended_opens_nothing(app, client, learner, open_item, end):
    attempt_id, item_id = open_item
    cookie, token = _signed_in_cookie(client, learner)
    end(client, learner, token)
    replayed = app.test_client()
    _assert_signed_out(*_replay(replayed, cookie, token, attempt_id, item_id), attempt_id)


def test_an_idle_session_is_refused_on_every_path(app, client, clock, learner, open_item):
    attempt_id, item_id = open_item
    cookie, token = _signed_in_cookie(client, learner)
    clock.advance(timedelta(minutes=31))
    _assert_signed_out(*_replay(client, cookie, token, attempt_id, item_id), attempt_id)


def test_an_active_session_keeps_going_past_the_idle_limit(app, client, clock, learner, open_item):
    attempt_id, item_id = open_item
    cookie, token = _signed_in_cookie(client, learner)
    for _ in range(6):  # an hour of work, a request every ten minutes
        clock.advance(timedelta(minutes=10))
        response = client.post(f"/attempts/{attempt_id}/items/{item_id}", data=_answer(attempt_id, item_id),
                               headers={**HX, "X-CSRFToken": token}, csrf=False)
        assert response.status_code == 200 and "已保存" in response.text
    assert client.get("/").status_code == 200


def test_the_idle_clock_is_refreshed_at_most_once_a_minute(app, client, clock, learner):
    _signed_in_cookie(client, learner)
    cookie = client.get_cookie("session").value
    clock.advance(timedelta(seconds=30))
    response = client.get("/")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    clock.advance(timedelta(seconds=31))
    response = client.get("/")
    assert "session=" in response.headers.get("Set-Cookie", "")
    assert client.get_cookie("session").value != cookie


def test_the_idle_limit_is_configurable(app, client, clock, learner):
    app.config["SESSION_IDLE_MINUTES"] = 5
    _signed_in_cookie(client, learner)
    clock.advance(timedelta(minutes=4))
    assert client.get("/").status_code == 200
    clock.advance(timedelta(minutes=6))
    assert client.get("/").status_code == 302


def test_a_role_taken_away_closes_its_pages_on_the_open_session(app, client, make_user):
    """A learner made trainer and back: the session signed in as a trainer
    keeps going as a learner, and the console (its pages, htmx requests and
    downloads, where every key is) answers 403 at once, without a sign-out."""
    from lms.org import services as org

    admin = make_user(("admin",), employee_no="A900")
    person = make_user(("learner",), employee_no="T900")
    org.set_roles(person, ("learner", "trainer"), actor=admin)
    db.session.commit()
    _signed_in_cookie(client, person)
    paths = ["/console/", "/console/exams", "/console/import/template.xlsx", "/grading/"]
    assert [client.get(p).status_code for p in paths] == [200] * len(paths)
    assert client.get("/console/exams", headers=HX).status_code == 200

    org.set_roles(db.session.get(User, person.id), ("learner",), actor=admin)
    db.session.commit()
    assert [client.get(p).status_code for p in paths] == [403] * len(paths)
    assert client.get("/console/exams", headers=HX).status_code == 403
    assert client.get("/").status_code == 200  # still signed in, as the learner


def _password_reset_by_hr(client, user, token):
    from lms.org import services as org

    org.reset_password(db.session.get(User, user.id))
    db.session.commit()


@pytest.mark.parametrize("end", [_logout, _password_reset_by_hr, _deactivated_by_hr],
                         ids=["logout", "password-reset-by-hr", "deactivation"])
def test_a_copied_cookie_opens_no_download_and_no_partial_once_the_session_ended(app, client, make_user, end):
    """The streamed register download, its XLSX, and an htmx partial: refused before a byte of them is sent."""
    hr = make_user(("hr", "learner"), name="周人事")
    make_user(("learner",), name="名单上的人")
    cookie, token = _signed_in_cookie(client, hr)
    assert "名单上的人" in client.get("/org/people").text
    end(client, hr, token)
    replayed = app.test_client()
    for url, headers in [("/certificates/export.csv", {}), ("/certificates/export.xlsx", {}),
                         ("/org/people", HX), ("/notifications/bell", HX)]:
        replayed.set_cookie("session", cookie)
        response = replayed.get(url, headers=headers)
        assert response.status_code in (302, 401), url
        assert (response.headers.get("HX-Redirect") or response.headers["Location"]).startswith("/login"), url
        assert "名单上的人" not in response.text and "attachment" not in response.headers.get("Content-Disposition", "")


def test_a_new_secret_key_ends_the_sessions_signed_with_the_old_one_unless_kept_as_a_fallback(app, client, learner):
    """The session's signer is built once per set of keys, not per request: a key changed
    while the app runs is honoured at once, the old key accepted only while it is listed in
    SECRET_KEY_FALLBACKS (a rotation), refused once it is taken out."""
    cookie, _token = _signed_in_cookie(client, learner)
    old = app.config["SECRET_KEY"]
    app.config.update(SECRET_KEY="rotated-" + old, SECRET_KEY_FALLBACKS=[old])
    client.set_cookie("session", cookie)
    assert client.get("/").status_code == 200
    app.config["SECRET_KEY_FALLBACKS"] = []
    client.set_cookie("session", cookie)
    page = client.get("/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    app.config.update(SECRET_KEY=old)
    client.set_cookie("session", cookie)
    assert client.get("/").status_code == 200
