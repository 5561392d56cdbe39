"""The sign-in ends while the exam page is open (signed out in another tab,
the idle or 12-hour limit): the next autosave, or the form the learner sends,
brings them to the sign-in page with a sentence saying why, and signing in
again returns to the exam page, not to the autosave's POST-only address (405)
nor to a fragment; the answers the server accepted before are still there."""
from __future__ import annotations

from datetime import timedelta

import pytest

from lms.exams.models import Attempt
from lms.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.exams.takers import as_posted, learner, open_item  # noqa: F401

HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _deployed_idle_limit(app):
    app.config["SESSION_IDLE_MINUTES"] = 30  # as deployed (the suite's apps are more patient)


def _sign_in(client, user, next_url=None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"employee_no": user.employee_no, "password": TEST_PASSWORD})


def _autosave(client, attempt_id, item_id, key, token):
    item = db.session.get(Attempt, attempt_id).items[0]
    page = f"http://localhost/attempts/{attempt_id}"
    return client.post(f"/attempts/{attempt_id}/items/{item_id}", data=as_posted(item, {f"a-{item_id}": key}),
                       headers={**HX, "HX-Current-URL": page, "X-CSRFToken": token}, csrf=False)


def _stored(attempt_id):
    db.session.expire_all()
    return db.session.get(Attempt, attempt_id).items[0].answer


def _back_after_sign_in(client, learner, hx_redirect):
    login = client.get(hx_redirect)
    assert "登录已结束" in login.text  # why the learner is asked again
    response = _sign_in(client, learner, hx_redirect.split("next=", 1)[1])
    return response.headers["Location"]


def test_after_signing_out_in_another_tab_the_autosave_sends_to_sign_in_and_back_to_the_exam(client, learner, open_item):
    attempt_id, item_id = open_item
    _sign_in(client, learner)
    token = client.csrf_token()
    assert _autosave(client, attempt_id, item_id, "B", token).status_code == 200
    assert client.post("/logout", headers={"X-CSRFToken": token}, csrf=False).status_code == 302  # the other tab

    response = _autosave(client, attempt_id, item_id, "A", token)  # the exam tab, its token gone with the session
    assert response.status_code == 401  # was a 400 htmx does not show: the page kept saying "saved"
    redirect = response.headers["HX-Redirect"]
    assert redirect.startswith("/login?next=")
    back = _back_after_sign_in(client, learner, redirect)
    assert back == f"/attempts/{attempt_id}"  # was the autosave's address: 405 after signing in
    assert client.get(back).status_code == 200
    assert _stored(attempt_id) == "B"  # what the server accepted is kept; nothing else was stored


def test_after_the_idle_limit_the_autosave_and_the_review_button_return_to_the_exam(client, clock, learner, open_item):
    attempt_id, item_id = open_item
    _sign_in(client, learner)
    token = client.csrf_token()
    assert _autosave(client, attempt_id, item_id, "B", token).status_code == 200
    clock.advance(timedelta(minutes=31))  # the idle limit (30 minutes) passed with the page open

    response = _autosave(client, attempt_id, item_id, "A", token)
    assert response.status_code == 401
    redirect = response.headers["HX-Redirect"]
    assert _back_after_sign_in(client, learner, redirect) == f"/attempts/{attempt_id}"
    assert _stored(attempt_id) == "B"

    clock.advance(timedelta(minutes=31))  # again; this time "Review and submit" (the exam form, no htmx)
    response = client.post(f"/attempts/{attempt_id}/save", data={"go": "review", "shown": str(item_id)},
                           headers={"X-CSRFToken": client.csrf_token(), "Referer": f"http://localhost/attempts/{attempt_id}"},
                           csrf=False)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next=/attempts/{attempt_id}"  # was next=/attempts/…/save


def test_a_fragment_asked_for_after_the_sign_in_ended_returns_to_its_page(client, clock, learner):
    _sign_in(client, learner)
    client.get("/")
    clock.advance(timedelta(minutes=31))
    response = client.get("/notifications/bell", headers={**HX, "HX-Current-URL": "http://localhost/notebook/?tag=x"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=/notebook/?tag%3Dx"
    # An address of another site in the header is not followed.
    response = client.get("/notifications/bell", headers={**HX, "HX-Current-URL": "http://evil.example/phish"})
    assert response.headers["HX-Redirect"] == "/login"


def test_a_password_reset_by_hr_mid_exam_says_so_and_keeps_the_answers(client, learner, open_item, make_user):
    """HR resets the learner's password while the exam page is open: the next
    autosave (or a page opened) sends to the sign-in page, which says that HR
    reset the password and to ask for the temporary one — the learner's own
    password no longer works, and "sign in again" alone left them stuck with
    "wrong password" and no reason. What was saved stays; nothing else is stored."""
    from lms.org import services as org
    from lms.org.models import User

    attempt_id, item_id = open_item
    hr = make_user(("hr",), employee_no="H901")
    _sign_in(client, learner)
    token = client.csrf_token()
    assert _autosave(client, attempt_id, item_id, "B", token).status_code == 200
    temporary = org.reset_password(db.session.get(User, learner.id), actor=hr)

    response = _autosave(client, attempt_id, item_id, "A", token)
    assert response.status_code == 401
    login = client.get(response.headers["HX-Redirect"])
    assert "人力资源部重置了您的密码" in login.text and "请向人力资源部索取临时密码" in login.text
    assert _stored(attempt_id) == "B"
    page = client.get(f"/attempts/{attempt_id}", follow_redirects=True)  # the exam page reloaded
    assert "人力资源部重置了您的密码" in page.text
    assert _sign_in(client, learner).status_code == 401  # the old password is gone
    signed_in = client.post("/login", data={"employee_no": learner.employee_no, "password": temporary})
    assert signed_in.headers["Location"] == "/account/password"
    assert "人力资源部重置了您的密码" not in client.get("/account/password").text


def test_signing_out_in_another_tab_does_not_speak_of_a_reset(client, learner, open_item):
    attempt_id, item_id = open_item
    _sign_in(client, learner)
    token = client.csrf_token()
    client.post("/logout", headers={"X-CSRFToken": token}, csrf=False)
    login = client.get(f"/attempts/{attempt_id}", follow_redirects=True)
    assert "人力资源部重置了您的密码" not in login.text
