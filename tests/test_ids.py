"""An id beyond what an INTEGER column holds, in a URL or a query argument,
is a 404 or an ignored filter — on PostgreSQL it was "integer out of range",
a 500 (SQLite just found nothing)."""
from __future__ import annotations

from tests.conftest import sign_in

HUGE = "99999999999"


def test_ids_beyond_an_integer_column_are_not_found(client, make_user):
    hr = make_user(("hr",), employee_no="hr01")
    sign_in(client, hr)
    for url in (f"/certificates/{HUGE}", f"/certificates/{HUGE}/pdf", f"/eligibility/people/{HUGE}",
                f"/mentoring/admin/pairings/{HUGE}", f"/mentoring/signoffs/{HUGE}", f"/org/people/{HUGE}"):
        assert client.get(url).status_code == 404, url
    for url in (f"/certificates/?branch={HUGE}", f"/certificates/?certification={HUGE}",
                f"/certificates/issue?employee_no=x&certification_id={HUGE}", f"/eligibility/?branch={HUGE}",
                f"/eligibility/?rule={HUGE}", f"/mentoring/admin/?branch={HUGE}&mentor={HUGE}"):
        assert client.get(url).status_code == 200, url
    answer = client.post("/certificates/issue", data={"employee_no": "hr01", "certification_id": HUGE,
                                                      "reason": "x"})
    assert answer.status_code == 400
