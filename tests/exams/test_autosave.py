"""The autosave is one ordinary Flask view calling one service: every hook
of every other view runs for it too (sign-in and its rules, CSRF, the
password-change guard, rate limiting, security headers, the size limit).
What a user checks: the save is stored and acknowledged, and every refusal
stores nothing: signed out (401 + HX-Redirect), a session the rules no
longer admit, another learner's attempt (404), a missing or bad CSRF token
(400), the time up (409), a body over the size limit (413)."""
from __future__ import annotations

import re

import pytest

from lms.exams import attempts as exam_attempts, errors as exam_errors, models as exam_models
from lms.exams.models import Attempt
from lms.extensions import db
from tests.conftest import sign_in
from tests.exams.takers import as_posted, learner  # noqa: F401

HX = {"HX-Request": "true"}


@pytest.fixture
def open_item(app, clock, learner, make_question, make_exam):
    """(attempt id, item id) of the learner's open attempt at a one-question exam."""
    q = make_question("single", data={"options": [{"key": "A", "text": "甲"}, {"key": "B", "text": "乙"}],
                                      "correct": ["B"]})
    exam = make_exam([{"questions": [q.slug]}], time_limit_minutes=30)
    attempt = exam_attempts.start_attempt(learner, exam)
    db.session.commit()
    return attempt.id, attempt.items[0].id


def _stored_answer(attempt_id: int):
    db.session.expire_all()
    return db.session.get(Attempt, attempt_id).items[0].answer


def _value(attempt_id: int, item_id: int, key: str) -> str:
    """The opaque value the exam page gives the option ``key`` in this attempt."""
    item = db.session.get(Attempt, attempt_id).items[0]
    return as_posted(item, {f"a-{item_id}": key})[f"a-{item_id}"]


def _save(client, attempt_id, item_id, key="B"):
    """As htmx sends it from the exam page (HX-Current-URL: the page the learner is on)."""
    return client.post(f"/attempts/{attempt_id}/items/{item_id}", data={f"a-{item_id}": _value(attempt_id, item_id, key)},
                       headers={**HX, "HX-Current-URL": f"http://localhost/attempts/{attempt_id}"})


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
    (_deactivate, 401, "/login?next=/attempts/{attempt_id}"),
    (_reset_password, 401, "/login?next=/attempts/{attempt_id}"),
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
        assert response.headers["HX-Redirect"] == redirect.format(attempt_id=attempt_id)
    assert _stored_answer(attempt_id) is None


def test_without_csrf_token_nothing_is_saved(client, learner, open_item):
    attempt_id, item_id = open_item
    sign_in(client, learner)
    response = client.post(f"/attempts/{attempt_id}/items/{item_id}", data={f"a-{item_id}": _value(attempt_id, item_id, "B")}, headers=HX,
                           csrf=False)
    assert response.status_code == 400
    assert _stored_answer(attempt_id) is None


@pytest.mark.parametrize("layout", ["one_page", "per_question"])
def test_the_first_answer_updates_the_navigator_and_a_changed_one_does_not(app, client, clock, learner, make_question,
                                                                           make_exam, layout):
    """The first answer also updates the navigator (whose links name the
    questions' pages in the question-by-question layout); a changed answer
    is acknowledged alone."""
    q = make_question("single", data={"options": [{"key": "A", "text": "甲"}, {"key": "B", "text": "乙"}],
                                      "correct": ["B"]})
    attempt = exam_attempts.start_attempt(learner, make_exam([{"questions": [q.slug]}], layout=layout))
    db.session.commit()
    attempt_id, item_id = attempt.id, attempt.items[0].id
    sign_in(client, learner)
    first = _save(client, attempt_id, item_id, "A")
    assert first.status_code == 200 and "已保存" in first.text
    assert 'id="q-nav"' in first.text and 'class="q-nav-link answered' in first.text  # now counted as answered
    if layout == "per_question":
        assert f'href="/attempts/{attempt_id}?q=1"' in first.text
    again = _save(client, attempt_id, item_id, "B")
    assert again.status_code == 200 and "已保存" in again.text and 'id="q-nav"' not in again.text
    assert _stored_answer(attempt_id) == "B"


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
    response = client.post(f"/attempts/{attempt_id}/items/{item_id}", data={f"a-{item_id}": _value(attempt_id, item_id, "B")},
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
    """Flask-WTF's strict HTTPS check."""
    attempt_id, item_id = open_item
    sign_in(proxied_client, learner)
    headers = {**HX, "X-Forwarded-Proto": "https"}
    if referrer:
        headers["Referer"] = referrer
    response = proxied_client.post(f"/attempts/{attempt_id}/items/{item_id}", data={f"a-{item_id}": _value(attempt_id, item_id, "B")},
                                   headers=headers)
    assert response.status_code == status
    if status == 200:
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert _stored_answer(attempt_id) == stored


def test_a_multipart_or_large_post_is_saved(client, learner, open_item):
    attempt_id, item_id = open_item
    sign_in(client, learner)
    response = client.post(f"/attempts/{attempt_id}/items/{item_id}", data={f"a-{item_id}": _value(attempt_id, item_id, "A")}, headers=HX,
                           content_type="multipart/form-data")
    assert response.status_code == 200 and "已保存" in response.text
    assert _stored_answer(attempt_id) == "A"
    response = client.post(f"/attempts/{attempt_id}/items/{item_id}",
                           data={f"a-{item_id}": _value(attempt_id, item_id, "B"), "padding": "x" * 70_000}, headers=HX)
    assert response.status_code == 200 and "已保存" in response.text
    assert _stored_answer(attempt_id) == "B"


def test_a_csrf_token_past_its_time_limit_saves_nothing(client_of, learner, open_item, monkeypatch):
    """With WTF_CSRF_TIME_LIMIT set, a token accepted once is refused once it
    is older than the limit."""
    import time

    client = client_of(WTF_CSRF_TIME_LIMIT=60)
    attempt_id, item_id = open_item
    sign_in(client, learner)
    token = client.csrf_token()
    headers = {**HX, "X-CSRFToken": token}
    assert client.post(f"/attempts/{attempt_id}/items/{item_id}", data={f"a-{item_id}": _value(attempt_id, item_id, "A")}, headers=headers,
                       csrf=False).status_code == 200
    signed = time.time()
    monkeypatch.setattr(time, "time", lambda: signed + 61)
    response = client.post(f"/attempts/{attempt_id}/items/{item_id}", data={f"a-{item_id}": _value(attempt_id, item_id, "B")}, headers=headers,
                           csrf=False)
    assert response.status_code == 400
    assert _stored_answer(attempt_id) == "A"


def test_a_body_over_the_apps_size_limit_is_refused_as_flask_refuses_it(client_of, learner, open_item):
    client = client_of(MAX_CONTENT_LENGTH=200)
    attempt_id, item_id = open_item
    sign_in(client, learner)
    response = client.post(f"/attempts/{attempt_id}/items/{item_id}",
                           data={f"a-{item_id}": _value(attempt_id, item_id, "B"), "padding": "x" * 300}, headers=HX)
    assert response.status_code == 413
    assert _stored_answer(attempt_id) is None
    assert client.post(f"/attempts/{attempt_id}/items/{item_id}", data={f"a-{item_id}": _value(attempt_id, item_id, "B")},
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


def test_signed_out_the_save_is_sent_to_sign_in_and_nothing_is_stored(client, learner, open_item):
    attempt_id, item_id = open_item
    response = _save(client, attempt_id, item_id)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == f"/login?next=/attempts/{attempt_id}"  # the exam page, not the save
    assert _stored_answer(attempt_id) is None


def test_another_learners_attempt_is_not_found_and_unchanged(client, learner, open_item, make_user):
    attempt_id, item_id = open_item
    sign_in(client, make_user(("learner",)))
    assert _save(client, attempt_id, item_id).status_code == 404
    assert _save(client, attempt_id, item_id + 1000).status_code == 404
    assert _stored_answer(attempt_id) is None


def test_a_question_of_another_attempt_is_not_found(client, learner, open_item, make_question, make_exam):
    """The item must belong to the attempt in the URL, even when both are the learner's."""
    attempt_id, item_id = open_item
    other = exam_attempts.start_attempt(learner, make_exam([{"questions": [make_question("single").slug]}]))
    db.session.commit()
    sign_in(client, learner)
    assert _save(client, other.id, item_id).status_code == 404
    assert _stored_answer(attempt_id) is None


def test_after_the_deadline_and_grace_the_save_is_refused_and_the_attempt_submitted(client, clock, learner,
                                                                                    open_item):
    from datetime import timedelta

    attempt_id, item_id = open_item
    sign_in(client, learner)
    assert _save(client, attempt_id, item_id, "A").status_code == 200
    clock.advance(timedelta(minutes=30, seconds=exam_models.DEFAULT_GRACE_SECONDS + 1))
    response = _save(client, attempt_id, item_id, "B")
    assert response.status_code == 409
    assert "考试时间已到" in response.text and "未保存" in response.text
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.state == "finalised" and attempt.end_reason == "timeout"
    assert attempt.items[0].answer == "A"


def test_within_the_grace_the_save_still_counts(client, clock, learner, open_item):
    from datetime import timedelta

    attempt_id, item_id = open_item
    sign_in(client, learner)
    clock.advance(timedelta(minutes=30, seconds=exam_models.DEFAULT_GRACE_SECONDS - 5))
    assert _save(client, attempt_id, item_id, "B").status_code == 200
    assert _stored_answer(attempt_id) == "B"


def test_a_submitted_attempt_takes_no_more_answers(client, learner, open_item):
    attempt_id, item_id = open_item
    sign_in(client, learner)
    assert _save(client, attempt_id, item_id, "A").status_code == 200
    assert client.post(f"/attempts/{attempt_id}/submit", data={}).status_code in (302, 303)
    response = _save(client, attempt_id, item_id, "B")
    assert response.status_code == 409
    assert _stored_answer(attempt_id) == "A"


def test_an_answer_too_long_is_refused_with_the_question_named(client, learner, make_question, make_exam):
    q = make_question("essay")
    attempt = exam_attempts.start_attempt(learner, make_exam([{"questions": [q.slug]}]))
    db.session.commit()
    attempt_id, item_id = attempt.id, attempt.items[0].id
    sign_in(client, learner)
    response = _save(client, attempt_id, item_id, "长" * (exam_errors.MAX_ANSWER_CHARS + 1))
    assert response.status_code == 422
    assert "1" in response.text and str(exam_errors.MAX_ANSWER_CHARS) in response.text
    assert _stored_answer(attempt_id) is None


def test_every_hook_of_the_app_runs_for_the_autosave(app, client, learner, open_item):
    """A rule added for every request (here: a maintenance switch in a
    before_request hook) also stops the autosave, and its answer carries the
    security headers every response carries."""
    from flask import request

    attempt_id, item_id = open_item
    sign_in(client, learner)
    assert "frame-ancestors 'none'" in _save(client, attempt_id, item_id, "A").headers["Content-Security-Policy"]

    def maintenance():
        if request.method == "POST":
            return "维护中", 503

    app.before_request_funcs.setdefault(None, []).append(maintenance)
    response = _save(client, attempt_id, item_id, "B")
    assert response.status_code == 503
    assert response.headers["X-Frame-Options"] == "DENY"
    assert _stored_answer(attempt_id) == "A"


def test_an_autosave_costs_three_statements(app, client, learner, open_item):
    """What every request pays is kept small for every request: the signed-in
    user with their roles in one query (Flask-Login's user loader, not again
    after the commit), the autosave's read of the learner's own question and
    its one conditional UPDATE. Counted, not timed."""
    from sqlalchemy import event

    attempt_id, item_id = open_item
    sign_in(client, learner)
    assert _save(client, attempt_id, item_id, "A").status_code == 200  # the first answer also sends the navigator
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            statements.append(" ".join(statement.split()))

    data = {f"a-{item_id}": _value(attempt_id, item_id, "B")}  # read before counting
    db.session.commit()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.post(f"/attempts/{attempt_id}/items/{item_id}", data=data, headers=HX)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200 and "已保存" in response.text
    assert [s.split()[0] for s in statements] == ["SELECT", "SELECT", "UPDATE"], statements
    assert "user_role" in statements[0]  # the role names come in the user's row
    assert statements[2].startswith("UPDATE attempt_item")
    assert _stored_answer(attempt_id) == "B"


def test_an_autosave_that_answers_a_question_costs_one_statement_more(app, client, learner, open_item):
    """The first answer to a question (and clearing one) also sends the navigator and the answered
    count: one statement more, the attempt's items with their types and the exam's layout
    together (it was three: the attempt, its exam, then the items). Counted, not timed."""
    from sqlalchemy import event

    attempt_id, item_id = open_item
    sign_in(client, learner)
    data = {f"a-{item_id}": _value(attempt_id, item_id, "B")}  # read before counting
    db.session.commit()
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.post(f"/attempts/{attempt_id}/items/{item_id}", data=data, headers=HX)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    assert "已保存" in response.text and "已答 1 / 共 1 题" in response.text  # the count, out of band
    assert re.search(r'class="q-nav-link answered[^"]*">1</a>', response.text)
    assert 'href="#q-1"' in response.text  # the one-page layout: the navigator links within the page
    assert [s.split()[0] for s in statements] == ["SELECT", "SELECT", "UPDATE", "SELECT"], statements
    assert _stored_answer(attempt_id) == "B"


def test_an_autosave_opens_two_transactions_and_a_page_one(app, client, learner, open_item):
    """Each transaction costs every request its begin and commit (~0.3 ms of
    CPU): an autosave opens two on SQLite (the request's reads, the user
    loader's and the service's together; then the write alone, so that the
    write lock is held for one statement) and one on PostgreSQL (the write
    joins the request's); a page the learner opens, one."""
    from sqlalchemy import event

    attempt_id, item_id = open_item
    sign_in(client, learner)
    assert _save(client, attempt_id, item_id, "A").status_code == 200
    data = {f"a-{item_id}": _value(attempt_id, item_id, "B")}
    db.session.commit()
    ended: list[str] = []

    def commit(_conn):
        ended.append("commit")

    def rollback(_conn):
        ended.append("rollback")

    event.listen(db.engine, "commit", commit)
    event.listen(db.engine, "rollback", rollback)
    try:
        saved = client.post(f"/attempts/{attempt_id}/items/{item_id}", data=data, headers=HX)
        save_ended, ended[:] = list(ended), []
        page = client.get(f"/attempts/{attempt_id}")
    finally:
        event.remove(db.engine, "commit", commit)
        event.remove(db.engine, "rollback", rollback)
    assert saved.status_code == 200 and page.status_code == 200
    assert save_ended == (["commit", "commit"] if db.engine.dialect.name == "sqlite" else ["commit"])
    assert ended == ["rollback"]  # the page's reads, ended with the request


def test_a_screen_reader_hears_each_save_once_from_a_lasting_live_region(client, learner, open_item):
    """The "saved at" state was itself the live region (role=status) and the autosave swapped it
    whole: a live region put in anew is often not read out. It now sits in a lasting one; the
    swapped fragment carries no live role of its own (no region in a region); the timer stays silent."""
    attempt_id, item_id = open_item
    sign_in(client, learner)
    page = client.get(f"/attempts/{attempt_id}").text
    assert re.search(rf'<span class="saved-live" role="status">\s*<span id="saved-{item_id}" class="saved-state">', page)
    assert 'role="timer" aria-live="off"' in page
    saved = _save(client, attempt_id, item_id)
    fragment = saved.text.split(f'id="saved-{item_id}"', 1)[1].split("</span>", 1)[0]
    assert saved.status_code == 200 and "已保存" in fragment and "role=" not in fragment
