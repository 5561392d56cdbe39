"""A number in the address too large for the database (20 digits: SQLite
cannot bind it, an OverflowError; PostgreSQL refuses it, integer out of range)
names nothing: 404, never a server error, on pages, htmx posts and query
strings alike."""
from __future__ import annotations

import pytest

from tests.conftest import sign_in

HUGE = "99999999999999999999"


@pytest.mark.parametrize("url", [
    f"/attempts/{HUGE}", f"/notebook/practice/{HUGE}", f"/exams/{HUGE}", f"/grading/attempts/{HUGE}",
    f"/grading/?exam={HUGE}", f"/reports/roster?branch={HUGE}", f"/audit/?page={HUGE}",
])
def test_a_huge_id_in_a_page_address_is_not_found(client, make_user, url):
    sign_in(client, make_user(("learner", "trainer", "hr")))
    response = client.get(url)
    assert response.status_code == 404, url


@pytest.mark.parametrize("url", [f"/attempts/{HUGE}/flag/{HUGE}", "/attempts/3000000000/flag/3000000000", f"/notifications/{HUGE}/read",
                                 f"/exams/{HUGE}/start"])
def test_a_huge_id_in_a_post_is_not_found(client, make_user, url):
    sign_in(client, make_user(("learner",)))
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 404, url
    assert client.get("/").status_code == 200  # the next request starts clean
