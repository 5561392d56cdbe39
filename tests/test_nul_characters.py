"""A NUL character (\\x00) typed into an address or a form field: PostgreSQL
cannot store it in text (psycopg refuses it). The request is answered with
what is wrong, never with a server error, and the next request works."""
from __future__ import annotations

from tests.conftest import sign_in


def test_a_nul_in_a_search_is_a_bad_request_not_a_server_error(client, make_user):
    sign_in(client, make_user(("hr",)))
    response = client.get("/audit/", query_string={"q": "李\x00学员"})
    assert response.status_code in (200, 400)  # SQLite stores and searches it; PostgreSQL cannot
    if response.status_code == 400:
        assert "NUL" in response.text and "\\x00" in response.text
    assert client.get("/audit/").status_code == 200


def test_a_nul_in_a_form_field_is_a_bad_request_not_a_server_error(client, make_user, make_branch):
    branch = make_branch("NB01", "南湖支行")
    hr = make_user(("hr",), branch=branch)
    person = make_user(("learner",), employee_no="N001", name="原名", branch=branch)
    sign_in(client, hr)
    page = client.get(f"/org/people/{person.id}/edit")
    assert page.status_code == 200
    response = client.post(f"/org/people/{person.id}/edit", data={"name": "新\x00名", "branch_id": person.branch_id,
                                                                     "locale": "zh_CN", "hire_date": "", "email": ""})
    assert response.status_code in (302, 400)  # saved on SQLite; refused with the reason on PostgreSQL
    if response.status_code == 400:
        assert "NUL" in response.text
    assert client.get(f"/org/people/{person.id}").status_code == 200
