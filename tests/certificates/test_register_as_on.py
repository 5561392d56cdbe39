"""What an auditor asks of HR's certificate register: who held which valid
certificate on a given day (a certificate revoked since was valid then; one
issued later did not exist), and every change with who, when and why in the
download."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from lms.certificates import issuing, revoking
from tests.conftest import sign_in


def _csv(client, query=""):
    return list(csv.reader(io.StringIO(client.get(f"/certificates/export.csv{query}").data.decode("utf-8-sig"))))


def test_the_register_as_on_a_past_day(client, clock, make_user, make_certification, fast_pdf):
    hr = make_user(("hr",), name="周人事", employee_no="hr01")
    rmq = make_certification()
    zhang = make_user(name="张三", employee_no="E1")
    li = make_user(name="李四", employee_no="E2")
    early = issuing.issue(zhang, rmq, actor=hr, reason="存量人员换发")   # 2026-03-02
    clock.advance(timedelta(days=30))                                   # 2026-04-01
    revoking.revoke(early.id, hr, "考试舞弊（警示教育案例）")
    later = issuing.issue(li, rmq, actor=hr, reason="新入职换发")
    sign_in(client, hr)
    # Today: 张三's is revoked, 李四's valid.
    valid_now = client.get("/certificates/?state=valid").text
    assert later.serial in valid_now and early.serial not in valid_now
    # On 2026-03-15 张三 held a valid certificate; 李四's did not exist yet.
    then = client.get("/certificates/?state=valid&on=2026-03-15").text
    assert early.serial in then and later.serial not in then
    assert "截至 2026-03-15" in then
    row = then.split(f'id="certificate-{early.id}"')[1].split("</tr>")[0]
    assert "state-valid" in row and "state-revoked" not in row
    assert early.serial not in client.get("/certificates/?state=revoked&on=2026-03-15").text
    assert early.serial in client.get("/certificates/?state=revoked&on=2026-04-01").text  # the day it was revoked
    rows = _csv(client, "?on=2026-03-15")
    assert rows[0][7] == "2026-03-15 的状态"
    assert [(r[0], r[7]) for r in rows[1:]] == [(early.serial, "有效")]


def test_the_download_says_who_issued_revoked_and_why(client, clock, make_user, make_certification, fast_pdf):
    hr = make_user(("hr",), name="周人事", employee_no="hr01")
    rmq = make_certification()
    zhang = make_user(name="张三", employee_no="E1")
    first = issuing.issue(zhang, rmq, actor=hr, reason="存量人员换发")
    clock.advance(timedelta(days=1))
    revoking.revoke(first.id, hr, "考试舞弊（警示教育案例）")
    second = issuing.issue(zhang, rmq, actor=hr, reason="处分期满，重新考核通过后补发")
    sign_in(client, hr)
    rows = _csv(client)
    header = rows[0]
    by_serial = {r[0]: dict(zip(header, r)) for r in rows[1:]}
    assert by_serial[first.serial]["颁发人"] == "周人事 (hr01)"
    assert by_serial[first.serial]["颁发原因"] == "存量人员换发"
    assert by_serial[first.serial]["撤销人"] == "周人事 (hr01)"
    assert by_serial[first.serial]["撤销原因"] == "考试舞弊（警示教育案例）"
    assert by_serial[first.serial]["撤销日期"] == "2026-03-03"
    assert by_serial[second.serial]["颁发原因"] == "处分期满，重新考核通过后补发"
    assert by_serial[second.serial]["撤销人"] == "" and by_serial[second.serial]["状态"] == "有效"


def test_a_date_that_is_no_day_is_refused_by_name_before_anything_is_sent(client, make_user, make_certificate):
    """``on`` was read by its first ten characters and ignored when unreadable (2026-02-30 showed today's
    register as if asked); 9999-12-31 broke the download half-way and year 1 answered 404."""
    certificate = make_certificate(render=False)
    sign_in(client, make_user(("hr",), locale="en"))
    for query, message in [
            ("on=2026-02-30", "The date “on” (“2026-02-30”) is not a day of the calendar. Write it as YYYY-MM-DD"),
            ("on=2026-03-15garbage", "The date “on” (“2026-03-15garbage”) is not a day of the calendar."),
            ("on=9999-12-31", "The date “on” (9999-12-31) lies outside 1900-01-01 to 2999-12-31."),
            ("on=0001-01-01", "The date “on” (0001-01-01) lies outside 1900-01-01 to 2999-12-31.")]:
        for url in ("/certificates/", "/certificates/export.csv", "/certificates/export.xlsx"):
            response = client.get(f"{url}?{query}")
            assert response.status_code == 400 and message in response.text, (url, query)
    far = client.get("/certificates/export.csv?on=2999-12-31")  # the last day allowed: every certificate expired
    assert far.status_code == 200
    assert [r[7] for r in csv.reader(io.StringIO(far.data.decode("utf-8-sig")))][1:] == ["Expired"]
    assert certificate.serial in far.data.decode("utf-8-sig")
