"""One rule for every request, on SQLite and PostgreSQL alike: a NUL (\\x00)
or another C0 control character (tab, CR and LF excepted in values) in a form
field, a query value, an uploaded file's name or the address is refused with
400 before any view runs, the field named in the page's language, and nothing
is stored (lms/control_characters.py). Before, SQLite stored it and
PostgreSQL refused it only when it reached the database."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.exams import attempts as exam_attempts
from lms.exams.models import Attempt
from lms.extensions import db
from lms.org.models import User
from tests.conftest import sign_in
from tests.exams.takers import learner  # noqa: F401

HX = {"HX-Request": "true"}


def _events() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.mark.parametrize("value", ["新\x00名", "新\x07名", "新\x1b[31m名"])
def test_a_control_character_in_a_name_is_refused_with_the_field_named_and_nothing_stored(client, make_user,
                                                                                          make_branch, value):
    branch = make_branch("NB01", "南湖支行")
    hr = make_user(("hr",), branch=branch)
    person = make_user(("learner",), employee_no="N001", name="原名", branch=branch)
    sign_in(client, hr)
    assert client.get(f"/org/people/{person.id}/edit").status_code == 200
    before = _events()
    response = client.post(f"/org/people/{person.id}/edit", data={"name": value, "branch_id": person.branch_id,
                                                                     "locale": "zh_CN", "hire_date": "", "email": ""})
    assert response.status_code == 400
    assert "“name”" in response.text and "控制字符" in response.text and "\\x00" in response.text
    db.session.expire_all()
    assert db.session.get(User, person.id).name == "原名" and _events() == before
    assert client.get(f"/org/people/{person.id}").status_code == 200  # the next request works


def test_tab_and_line_breaks_are_text_and_pass(client, make_user, make_branch):
    branch = make_branch("NB01", "南湖支行")
    hr = make_user(("hr",), branch=branch)
    person = make_user(("learner",), employee_no="N001", name="原名", branch=branch)
    sign_in(client, hr)
    response = client.get("/org/people", query_string={"q": "原\t名\r\n"})
    assert response.status_code == 200


def test_a_nul_in_a_search_box_is_refused_in_the_readers_language(client, make_user):
    hr = make_user(("hr",))
    sign_in(client, hr)
    response = client.get("/audit/", query_string={"q": "李\x00学员"})
    assert response.status_code == 400
    assert "“q”" in response.text and "控制字符" in response.text
    hr.locale = "en"
    db.session.commit()
    response = client.get("/org/people", query_string={"q": "李\x00学员"})
    assert response.status_code == 400
    assert "parameter “q” contains a control character" in response.text
    assert client.get("/audit/").status_code == 200


def test_a_nul_in_any_url_query_is_refused_before_the_view(client, make_user):
    sign_in(client, make_user(("learner",)))
    response = client.get("/notifications/", query_string={"page": "1\x00"})
    assert response.status_code == 400 and "“page”" in response.text
    response = client.get("/", query_string={"x\x00y": "1"})
    assert response.status_code == 400 and "x\\x00y" in response.text
    response = client.get("/verify/ABCD%00EFGH")
    assert response.status_code == 400 and "控制字符" in response.text


def test_a_nul_in_an_essay_autosave_is_refused_and_the_saved_answer_stays(app, client, clock, learner, make_question,
                                                                          make_exam):
    exam = make_exam([{"questions": [make_question("essay").slug]}], time_limit_minutes=30)
    attempt = exam_attempts.start_attempt(learner, exam)
    db.session.commit()
    attempt_id, item_id = attempt.id, attempt.items[0].id
    sign_in(client, learner)
    saved = client.post(f"/attempts/{attempt_id}/items/{item_id}", data={f"a-{item_id}": "第一段\n第二段"}, headers=HX)
    assert saved.status_code == 200
    response = client.post(f"/attempts/{attempt_id}/items/{item_id}", data={f"a-{item_id}": "第一段\x00第二段"},
                           headers=HX)
    assert response.status_code == 400 and f"“a-{item_id}”" in response.text
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).items[0].answer == "第一段\n第二段"


def test_a_nul_in_an_uploaded_file_name_is_refused(client, make_user):
    sign_in(client, make_user(("hr",)))
    before = _events()
    response = client.post("/org/people/import", data={"file": (io.BytesIO(b"employee_no,name\n"), "people\x00.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "“file”" in response.text and "控制字符" in response.text
    assert _events() == before
