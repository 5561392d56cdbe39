"""The autosave's common case is answered by a quick route in front of Flask
(``lms.quick_routes``): it verifies the session cookie and the CSRF token
itself and checks the signed-in user in its own SQL instead of loading it
through Flask-Login. Whatever it does not admit must still get the usual
answer from the Flask view, with nothing saved: a deactivated account, a
session ended by a password reset, a password that must be changed first, a
user who is not a learner, a bad CSRF token or referrer; and a connection
found dead or a failure in the quick route must still save."""
from __future__ import annotations

import pytest

from lms.exams import services
from lms.exams.models import Attempt
from lms.extensions import db
from tests.conftest import sign_in
from tests.exams.takers import learner  # noqa: F401

HX = {"HX-Request": "true"}


@pytest.fixture
def open_item(app, clock, learner, make_question, make_exam):
    """(attempt id, item id) of the learner's open attempt at a one-question exam."""
    q = make_question("single", data={"options": [{"key": "A", "text": "甲"}, {"key": "B", "text": "乙"}],
                                      "correct": ["B"]})
    exam = make_exam([{"questions": [q.slug]}], time_limit_minutes=30)
    attempt = services.start_attempt(learner, exam)
    db.session.commit()
    return attempt.id, attempt.items[0].id


def _stored_answer(attempt_id: int):
    db.session.expire_all()
    return db.session.get(Attempt, attempt_id).items[0].answer


def _save(client, attempt_id, item_id, key="B"):
    return client.post(f"/attempts/{attempt_id}/items/{item_id}", data={f"a-{item_id}": key}, headers=HX)


def test_the_learners_save_is_acknowledged_in_their_language_and_the_banks_time(client, learner, open_item):
    attempt_id, item_id = open_item
    sign_in(client, learner)
    response = _save(client, attempt_id, item_id)
    assert response.status_code == 200
    assert "已保存" in response.text and "09:00:00" in response.text  # 01:00 UTC in Asia/Shanghai
    assert _stored_answer(attempt_id) == "B"
    learner.locale = "en"
    db.session.commit()
    response = _save(client, attempt_id, item_id, "A")
    assert "Saved at 09:00:00" in response.text
    assert _stored_answer(attempt_id) == "A"


def _deactivate(user):
    user.active = False


def _reset_password(user):
    user.session_version += 1  # what a reset (and deactivation) does to every open session


def _require_new_password(user):
    user.must_change_password = True


def _take_learner_role_away(user):
    user.role_rows[0].role = "trainer"


@pytest.mark.parametrize("change, status, redirect", [
    (_deactivate, 401, "/login?next="),
    (_reset_password, 401, "/login?next="),
    (_require_new_password, 204, "/account/password"),
    (_take_learner_role_away, 403, None),
], ids=["deactivated", "password-reset", "must-change-password", "no-longer-a-learner"])
def test_a_session_the_rules_no_longer_admit_saves_nothing(client, learner, open_item, change, status, redirect):
    attempt_id, item_id = open_item
    sign_in(client, learner)
    change(learner)
    db.session.commit()
    response = _save(client, attempt_id, item_id)
    assert response.status_code == status
    if redirect:
        assert redirect in response.headers["HX-Redirect"]
    assert _stored_answer(attempt_id) is None


def test_without_csrf_token_nothing_is_saved(client, learner, open_item):
    attempt_id, item_id = open_item
    sign_in(client, learner)
    response = client.post(f"/attempts/{attempt_id}/items/{item_id}", data={f"a-{item_id}": "B"}, headers=HX,
                           csrf=False)
    assert response.status_code == 400
    assert _stored_answer(attempt_id) is None


def test_a_dead_connection_is_left_to_the_view(client, learner, open_item, monkeypatch):
    """A connection found dead (the database restarted) is dropped from the
    pool; the Flask view saves and acknowledges it."""
    from lms import database
    from lms.exams import views

    attempt_id, item_id = open_item
    sign_in(client, learner)

    class Dead:
        def __enter__(self):
            raise database.ConnectionLost()

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(views, "standalone_statements", Dead)
    response = _save(client, attempt_id, item_id)
    assert response.status_code == 200 and "已保存" in response.text
    assert _stored_answer(attempt_id) == "B"


def test_a_connection_killed_by_the_server_is_replaced(client, learner, open_item):
    """PostgreSQL only: the server ends the standalone connection's backend;
    the next save is still acknowledged and stored, and the one after goes
    the quick route on a fresh connection."""
    from sqlalchemy import text

    from lms.database import STANDALONE_BIND, standalone_statements

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite connections are files; nothing to kill")
    attempt_id, item_id = open_item
    sign_in(client, learner)
    assert _save(client, attempt_id, item_id, "A").status_code == 200
    with standalone_statements() as conn:
        cursor = conn.dbapi.cursor()
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    db.session.commit()
    assert STANDALONE_BIND in db.engines
    response = _save(client, attempt_id, item_id, "B")
    assert response.status_code == 200 and "已保存" in response.text
    assert _stored_answer(attempt_id) == "B"
    assert _save(client, attempt_id, item_id, "A").status_code == 200
    assert _stored_answer(attempt_id) == "A"


def test_a_stale_question_shape_cannot_misread_the_answer(client, learner, open_item):
    """PostgreSQL keeps each question's shape per process to save in one
    statement. A wrong shape (ids reused after a restore) is caught by that
    statement: the answer is read with the real question and stored."""
    from lms.exams.services import ItemShape, _item_shapes

    attempt_id, item_id = open_item
    sign_in(client, learner)
    assert _save(client, attempt_id, item_id, "A").status_code == 200
    _item_shapes[item_id] = ItemShape(attempt_id, 1, 999_999, "single",
                                      {"options": [{"key": "Z", "text": "别题"}], "correct": ["Z"]})
    response = _save(client, attempt_id, item_id, "B")
    assert response.status_code == 200 and "已保存" in response.text
    assert _stored_answer(attempt_id) == "B"
    assert _item_shapes[item_id].version_id != 999_999


def test_focus_reports_are_limited_per_learner_and_autosaves_are_not(
        client_of, learner, make_user, open_item, make_question, make_exam):
    client = client_of(RATELIMIT_ENABLED=True)  # as deployed (the suite's apps have it off)
    attempt_id, item_id = open_item
    sign_in(client, learner)
    for n in range(60):
        assert client.post(f"/attempts/{attempt_id}/focus", data={"kind": "hidden"}, headers=HX).status_code == 200
    assert client.post(f"/attempts/{attempt_id}/focus", data={"kind": "hidden"}, headers=HX).status_code == 429
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).focus_losses == 60
    for n in range(100):  # autosaves are not limited
        assert _save(client, attempt_id, item_id, "AB"[n % 2]).status_code == 200
    # Another learner (same address) still reports.
    other = make_user(("learner",))
    q = make_question("single")
    other_attempt = services.start_attempt(other, make_exam([{"questions": [q.slug]}]))
    db.session.commit()
    sign_in(client, other)
    assert client.post(f"/attempts/{other_attempt.id}/focus", data={"kind": "hidden"}, headers=HX).status_code == 200


@pytest.mark.parametrize("layout", ["one_page", "per_question"])
def test_the_common_save_is_answered_before_the_flask_view(app, client, clock, learner, make_question, make_exam,
                                                           monkeypatch, layout):
    """The first answer (which also updates the navigator, whose links name
    the questions' pages in the question-by-question layout) and a changed
    answer are both saved and acknowledged without the Flask view running."""
    q = make_question("single", data={"options": [{"key": "A", "text": "甲"}, {"key": "B", "text": "乙"}],
                                      "correct": ["B"]})
    attempt = services.start_attempt(learner, make_exam([{"questions": [q.slug]}], layout=layout))
    db.session.commit()
    attempt_id, item_id = attempt.id, attempt.items[0].id
    sign_in(client, learner)

    def view_must_not_run(**_kwargs):
        raise AssertionError("the quick route left the common case to the view")

    monkeypatch.setitem(app.view_functions, "exams.autosave", view_must_not_run)
    first = _save(client, attempt_id, item_id, "A")
    assert first.status_code == 200 and "已保存" in first.text
    assert 'id="q-nav"' in first.text and 'class="q-nav-link answered' in first.text  # now counted as answered
    if layout == "per_question":
        assert f'href="/attempts/{attempt_id}?q=1"' in first.text
    again = _save(client, attempt_id, item_id, "B")
    assert again.status_code == 200 and "已保存" in again.text and 'id="q-nav"' not in again.text
    assert _stored_answer(attempt_id) == "B"


def test_a_quick_answer_is_the_answer_the_view_gives(client, learner, open_item, monkeypatch):
    """Same body, status and headers (security headers, Vary, no cookie) as
    the Flask view gives for the same save."""
    from lms import quick_routes

    attempt_id, item_id = open_item
    sign_in(client, learner)
    with monkeypatch.context() as view_only:
        view_only.delitem(quick_routes.QUICK_ROUTES, "exams.autosave")
        # The first request through Flask-Login marks this test-made session
        # (no client identifier) as not fresh; the cookie is settled after it.
        assert "Set-Cookie" in _save(client, attempt_id, item_id, "A").headers
        usual = _save(client, attempt_id, item_id, "B")
    quick = _save(client, attempt_id, item_id, "A")
    assert quick.status_code == usual.status_code == 200
    assert quick.text == usual.text
    assert dict(quick.headers) == dict(usual.headers)
    assert "Set-Cookie" not in quick.headers
    assert quick.headers["Cache-Control"] == "no-store" and "frame-ancestors 'none'" in quick.headers[
        "Content-Security-Policy"]
    assert _stored_answer(attempt_id) == "A"


def _token_signed_with(key: str, raw: str = "test-csrf-raw-token") -> str:
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(key, salt="wtf-csrf-token").dumps(raw)


@pytest.mark.parametrize("token", [
    _token_signed_with("another-secret-key"),
    _token_signed_with("test-secret-key", raw="another-sessions-token"),
    "not-a-token",
], ids=["signed-with-another-key", "another-sessions-token", "garbage"])
def test_a_bad_csrf_token_saves_nothing(client, learner, open_item, token):
    attempt_id, item_id = open_item
    sign_in(client, learner)
    client.csrf_token()  # the session holds its token
    response = client.post(f"/attempts/{attempt_id}/items/{item_id}", data={f"a-{item_id}": "B"},
                           headers={**HX, "X-CSRFToken": token}, csrf=False)
    assert response.status_code == 400
    assert _stored_answer(attempt_id) is None


@pytest.fixture
def client_of(app):
    """A client of an app configured otherwise than the suite's (``config`` on top of it)."""
    from lms import create_app
    from tests.conftest import BASE_CONFIG, CSRFClient

    made = []

    def make(**config):
        other = create_app({**BASE_CONFIG, **config})
        other.test_client_class = CSRFClient
        made.append(other)
        return other.test_client()

    yield make
    for other in made:
        with other.app_context():
            for engine in db.engines.values():
                engine.dispose()


@pytest.fixture
def proxied_client(client_of):
    """A client of an app behind one proxy hop that terminates HTTPS (LMS_PROXY_HOPS=1)."""
    return client_of(PROXY_FIX=1)


@pytest.mark.parametrize("referrer, status, stored", [
    ("https://localhost/attempts/1", 200, "B"),
    (None, 400, None),
    ("https://elsewhere.example/attempts/1", 400, None),
    ("http://localhost/attempts/1", 400, None),
], ids=["same-origin", "no-referrer", "other-site", "plain-http-page"])
def test_over_https_the_referrer_must_be_the_site(proxied_client, learner, open_item, referrer, status, stored):
    """Flask-WTF's strict HTTPS check, which the quick route applies too."""
    attempt_id, item_id = open_item
    sign_in(proxied_client, learner)
    headers = {**HX, "X-Forwarded-Proto": "https"}
    if referrer:
        headers["Referer"] = referrer
    response = proxied_client.post(f"/attempts/{attempt_id}/items/{item_id}", data={f"a-{item_id}": "B"},
                                   headers=headers)
    assert response.status_code == status
    if status == 200:
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert _stored_answer(attempt_id) == stored


def test_a_multipart_or_large_post_is_saved_by_the_view(client, learner, open_item):
    attempt_id, item_id = open_item
    sign_in(client, learner)
    response = client.post(f"/attempts/{attempt_id}/items/{item_id}", data={f"a-{item_id}": "A"}, headers=HX,
                           content_type="multipart/form-data")
    assert response.status_code == 200 and "已保存" in response.text
    assert _stored_answer(attempt_id) == "A"
    response = client.post(f"/attempts/{attempt_id}/items/{item_id}",
                           data={f"a-{item_id}": "B", "padding": "x" * 70_000}, headers=HX)
    assert response.status_code == 200 and "已保存" in response.text
    assert _stored_answer(attempt_id) == "B"


def test_a_failure_in_the_quick_route_is_left_to_the_view(client, learner, open_item, monkeypatch, caplog):
    attempt_id, item_id = open_item
    sign_in(client, learner)

    def broken(*_args, **_kwargs):
        raise RuntimeError("broken")

    monkeypatch.setattr(services, "autosave", broken)
    response = _save(client, attempt_id, item_id)
    assert response.status_code == 200 and "已保存" in response.text
    assert _stored_answer(attempt_id) == "B"
    assert "quick route exams.autosave failed" in caplog.text


def test_a_csrf_token_past_its_time_limit_saves_nothing(client_of, learner, open_item, monkeypatch):
    """With WTF_CSRF_TIME_LIMIT set, a token accepted (and remembered) once
    is refused once it is older than the limit."""
    import time

    client = client_of(WTF_CSRF_TIME_LIMIT=60)
    attempt_id, item_id = open_item
    sign_in(client, learner)
    token = client.csrf_token()
    headers = {**HX, "X-CSRFToken": token}
    assert client.post(f"/attempts/{attempt_id}/items/{item_id}", data={f"a-{item_id}": "A"}, headers=headers,
                       csrf=False).status_code == 200
    signed = time.time()
    monkeypatch.setattr(time, "time", lambda: signed + 61)
    response = client.post(f"/attempts/{attempt_id}/items/{item_id}", data={f"a-{item_id}": "B"}, headers=headers,
                           csrf=False)
    assert response.status_code == 400
    assert _stored_answer(attempt_id) == "A"


def test_a_body_over_the_apps_size_limit_is_refused_as_flask_refuses_it(client_of, learner, open_item):
    client = client_of(MAX_CONTENT_LENGTH=200)
    attempt_id, item_id = open_item
    sign_in(client, learner)
    response = client.post(f"/attempts/{attempt_id}/items/{item_id}",
                           data={f"a-{item_id}": "B", "padding": "x" * 300}, headers=HX)
    assert response.status_code == 413
    assert _stored_answer(attempt_id) is None
    assert client.post(f"/attempts/{attempt_id}/items/{item_id}", data={f"a-{item_id}": "B"},
                       headers=HX).status_code == 200
    assert _stored_answer(attempt_id) == "B"


def test_under_strong_session_protection_a_session_from_elsewhere_saves_nothing(client_of, learner, open_item):
    """Flask-Login's "strong" protection signs out a session whose client
    identifier does not match (here: none was recorded at sign-in)."""
    client = client_of(SESSION_PROTECTION="strong")
    attempt_id, item_id = open_item
    sign_in(client, learner)
    response = _save(client, attempt_id, item_id)
    assert response.status_code == 401 and "/login" in response.headers["HX-Redirect"]
    assert _stored_answer(attempt_id) is None
