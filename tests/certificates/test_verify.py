"""The public verification page: no sign-in; the state of a certificate by
its code or by an uploaded PDF; a masked name and nothing else personal; the
same 404 for an unknown and a malformed code; a per-address limit that holds
across app processes."""
from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest

from lms import create_app
from lms.certificates.verification import mask_name
from lms.extensions import db
from tests.conftest import BASE_CONFIG, CSRFClient


@pytest.mark.parametrize("name, masked", [
    ("王", "*"), ("王五", "王*"), ("李学员", "李*员"), ("欧阳娜娜", "欧阳**"), ("爱新觉罗溥仪", "爱新****"),
    ("  李 学员 ", "李*员"), ("John Smith", "J*** S***"), ("Li", "L***"), ("Jo Anne X", "J*** A*** X"),
    ("", "*"),
])
def test_the_masking_rule(name, masked):
    assert mask_name(name) == masked


def _verify(client, certificate):
    return client.get(f"/verify/{certificate.verify_code}")


def test_a_valid_certificate_shows_the_masked_name_the_certification_and_the_dates(client, make_certificate,
                                                                                   make_user, make_branch, fast_pdf):
    holder = make_user(name="李学员", employee_no="880123", branch=make_branch("ZZ0101", "天元支行"))
    certificate = make_certificate(holder=holder)
    page = _verify(client, certificate)
    assert page.status_code == 200 and page.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert page.headers["Cache-Control"] == "no-store"  # a revocation shows at once, also behind a cache
    text = page.text
    assert "此证书有效" in text and "李*员" in text and "客户经理上岗资格" in text
    assert certificate.serial in text and "2026-03-01" in text and "2028-02-29" in text
    for personal in ("李学员", "880123", "天元支行"):
        assert personal not in text, personal


def test_expired_revoked_and_superseded(client, clock, make_certificate, make_user, fast_pdf):
    holder = make_user(name="王五")
    expired = make_certificate(holder=holder, issued_on=date(2023, 1, 1), expires_on=date(2025, 1, 1))
    assert "此证书已于 2025-01-01 过期" in _verify(client, expired).text
    revoked = make_certificate(holder=holder, revoked_at=datetime(2026, 2, 10, 3, 0),
                               revoke_reason="考试舞弊，证据见工单 4711")
    page = _verify(client, revoked).text
    assert "此证书已于 2026-02-10 撤销" in page and "舞弊" not in page and "4711" not in page
    newer = make_certificate(holder=holder)
    old = make_certificate(holder=holder, superseded_by_id=newer.id, superseded_at=datetime(2026, 2, 20, 3, 0))
    page = _verify(client, old).text
    assert "已于 2026-02-20 被新证书替代" in page
    assert newer.verify_code not in page and newer.serial not in page  # no way to the newer one


def test_revocation_shows_at_once(client, make_certificate, fast_pdf):
    certificate = make_certificate()
    assert "此证书有效" in _verify(client, certificate).text
    certificate.revoked_at = datetime(2026, 3, 5, 1, 0)
    db.session.commit()
    assert "撤销" in _verify(client, certificate).text


def test_unknown_and_malformed_codes_get_the_same_404(client, make_certificate, fast_pdf):
    certificate = make_certificate()
    unknown = client.get("/verify/" + "A" * 43)
    malformed = client.get("/verify/%27%20OR%201%3D1--")
    too_long = client.get("/verify/" + certificate.verify_code + "x" * 100)
    prefix = client.get("/verify/" + certificate.verify_code[:-1])
    bodies = {re.sub(r'(csrf[-_]token"? (?:content|value)=")[^"]+', r"\1", r.text)  # the form's token differs
              for r in (unknown, malformed, too_long, prefix)}
    assert {r.status_code for r in (unknown, malformed, too_long, prefix)} == {404}
    assert len(bodies) == 1  # word for word the same page
    assert "没有证书使用此验证码" in unknown.text


def test_the_page_speaks_english_and_fits_a_phone(client, make_certificate, fast_pdf):
    certificate = make_certificate()
    client.post("/language", data={"lang": "en"})
    page = _verify(client, certificate).text
    assert "This certificate is valid." in page and "Holder" in page
    assert 'name="viewport" content="width=device-width' in page


def test_a_pasted_address_in_the_code_box_finds_the_certificate(client, make_certificate, fast_pdf):
    certificate = make_certificate()
    response = client.get("/verify/", query_string={"code": f"https://bank/verify/{certificate.verify_code}"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/verify/{certificate.verify_code}")


# --- the uploaded PDF ---------------------------------------------------------------

def _upload(client, data: bytes, filename="certificate.pdf", **kwargs):
    return client.post("/verify/", data={"pdf": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data", **kwargs)


def test_the_issued_pdf_verifies_and_a_changed_one_does_not(client, make_certificate):
    certificate = make_certificate()
    page = _upload(client, certificate.pdf)
    assert page.status_code == 200 and "此证书有效" in page.text and "完全一致" in page.text
    middle = len(certificate.pdf) // 2
    for altered in (certificate.pdf + b"\n% one more line\n",
                    certificate.pdf[:middle] + bytes([certificate.pdf[middle] ^ 1]) + certificate.pdf[middle + 1:]):
        page = _upload(client, altered)
        assert page.status_code == 200
        assert "此文件不是本系统颁发的证书，或在颁发后被改动过" in page.text and "此证书有效" not in page.text


def test_a_revoked_certificate_uploaded_says_revoked(client, make_certificate):
    certificate = make_certificate(revoked_at=datetime(2026, 3, 3, 1, 0))
    assert "撤销" in _upload(client, certificate.pdf).text


def test_uploads_that_are_not_pdfs_or_too_large_are_refused(app, client, make_certificate):
    assert _upload(client, b"<html>not a pdf</html>").status_code == 400
    app.config["VERIFY_UPLOAD_MAX_BYTES"] = 1000
    response = _upload(client, b"%PDF-1.7\n" + b"0" * 2000)
    assert response.status_code == 413 and "超过" in response.text


def test_the_upload_needs_the_csrf_token(client, make_certificate):
    certificate = make_certificate()
    assert _upload(client, certificate.pdf, csrf=False).status_code == 400


# --- the limit per address, across processes ------------------------------------

def test_the_limit_per_address_holds_across_two_workers(app, clock, make_certificate, fast_pdf):
    certificate = make_certificate()
    workers = []
    for _ in range(2):
        worker = create_app({**BASE_CONFIG, "RATELIMIT_ENABLED": True, "VERIFY_LIMIT_PER_MINUTE": 10})
        worker.test_client_class = CSRFClient
        workers.append(worker.test_client())
    statuses = [workers[n % 2].get(f"/verify/{certificate.verify_code}").status_code for n in range(14)]
    assert statuses == [200] * 10 + [429] * 4
    refused = workers[0].get("/verify/unknown-code")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert "查询过于频繁" in refused.text
    other = workers[1].get(f"/verify/{certificate.verify_code}", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 200  # another address has its own allowance
    from datetime import timedelta

    clock.advance(timedelta(minutes=1))  # the window slides: the ten of 09:00:00 were within the last minute
    assert workers[0].get(f"/verify/{certificate.verify_code}").status_code == 429
    clock.advance(timedelta(minutes=1))
    assert workers[0].get(f"/verify/{certificate.verify_code}").status_code == 200


def test_a_burst_across_the_minute_boundary_gets_one_allowance_not_two(app, clock, make_certificate, fast_pdf):
    """Fixed minute windows let 10 look-ups at 09:00:59 and 10 more at
    09:01:00; the window slides, so the second burst is refused."""
    from datetime import timedelta

    certificate = make_certificate()
    app.config.update(RATELIMIT_ENABLED=True, VERIFY_LIMIT_PER_MINUTE=10)
    client = app.test_client()
    clock.advance(timedelta(seconds=59))
    assert [client.get(f"/verify/{certificate.verify_code}").status_code for _ in range(10)] == [200] * 10
    clock.advance(timedelta(seconds=2))
    assert [client.get(f"/verify/{certificate.verify_code}").status_code for _ in range(10)] == [429] * 10
    clock.advance(timedelta(seconds=30))  # 09:01:31: 29 s of the last minute fell in 09:00's window
    statuses = [client.get(f"/verify/{certificate.verify_code}").status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2  # 10 × 29/60 ≈ 4.8 still count


def test_unknown_and_malformed_codes_cost_the_same_queries(app, client, make_certificate, fast_pdf):
    """The same work for both (a proxy for the same timing): one look-up of the code."""
    from sqlalchemy import event

    make_certificate()
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        seen = {}
        for label, code in (("unknown", "B" * 43), ("malformed", "%27;--"), ("too long", "C" * 300)):
            statements.clear()
            assert client.get(f"/verify/{code}").status_code == 404
            seen[label] = [s for s in statements if "certificate" in s]
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(seen["unknown"]) == 1
    assert seen["unknown"] == seen["malformed"] == seen["too long"]
