"""Certificates at their edges: the last day of validity on the bank's
calendar (Beijing, not UTC), 29 February, renewal before and after expiry,
revoke then re-issue, and the code a reader types from the printed page."""
from __future__ import annotations

import io
from datetime import date, datetime

from lms.certificates import issuing
from lms.certificates.models import Certificate, CertificateState
from lms.extensions import db
from tests.certificates.test_issuing import RMQ, _certificates


def _verify(client, certificate):
    return client.get(f"/verify/{certificate.verify_code}")


# --- the day of expiry, in Beijing ------------------------------------------------

def test_a_certificate_is_valid_through_its_last_day_in_beijing_and_expired_at_midnight_there(
        client, clock, make_certificate, fast_pdf):
    certificate = make_certificate(issued_on=date(2024, 12, 1), expires_on=date(2026, 12, 1))
    clock.freeze(datetime(2026, 12, 1, 15, 59))  # 23:59 on 1 December in Beijing: its last minute
    assert certificate.state() == CertificateState.VALID
    assert "此证书有效" in _verify(client, certificate).text
    clock.freeze(datetime(2026, 12, 1, 16, 30))  # 00:30 on 2 December in Beijing (UTC is still on the 1st)
    assert certificate.state() == CertificateState.EXPIRED
    assert "此证书已于 2026-12-01 过期" in _verify(client, certificate).text


def test_a_certificate_issued_after_midnight_in_beijing_carries_that_day(clock, make_user, make_certification,
                                                                         entry_exam, take_exam, sign_off, fast_pdf):
    learner = make_user(("learner",))
    make_certification(requirements=RMQ, validity_months=12)
    sign_off(learner)
    clock.freeze(datetime(2026, 3, 1, 23, 30))  # 07:30 on 2 March in Beijing
    take_exam(learner, entry_exam, right=2)
    [certificate] = _certificates(learner)
    assert (certificate.issued_on, certificate.expires_on) == (date(2026, 3, 2), date(2027, 3, 2))


def test_a_revocation_after_midnight_in_beijing_is_dated_that_day_everywhere(client, clock, make_user,
                                                                             make_certificate, fast_pdf):
    from lms.certificates import revoking
    from tests.conftest import sign_in

    hr = make_user(("hr",))
    certificate = make_certificate()
    clock.freeze(datetime(2026, 3, 4, 17, 0))  # 01:00 on 5 March in Beijing
    revoking.revoke(certificate.id, hr, "复核不合格")
    assert "此证书已于 2026-03-05 撤销" in _verify(client, certificate).text
    sign_in(client, hr)
    rows = client.get("/certificates/export.csv").text
    assert "2026-03-05" in rows and "2026-03-04" not in rows


# --- 29 February and renewals -----------------------------------------------------------

def test_issued_on_29_february_for_a_year_it_is_valid_through_28_february(clock, make_user, make_certification,
                                                                        entry_exam, take_exam, sign_off, fast_pdf):
    learner = make_user(("learner",))
    make_certification(requirements=RMQ, validity_months=12)
    sign_off(learner)
    clock.freeze(datetime(2028, 2, 29, 2, 0))
    take_exam(learner, entry_exam, right=2)
    [certificate] = _certificates(learner)
    assert (certificate.issued_on, certificate.expires_on) == (date(2028, 2, 29), date(2029, 2, 28))
    assert certificate.is_valid(date(2029, 2, 28)) and not certificate.is_valid(date(2029, 3, 1))


def test_a_renewal_runs_on_from_the_old_expiry_and_one_after_expiry_from_the_day(
        clock, make_user, make_certification, entry_exam, take_exam, sign_off, fast_pdf):
    learner = make_user(("learner",))
    certification = make_certification(requirements=RMQ, validity_months=24, renewal_window_days=90)
    sign_off(learner)
    take_exam(learner, entry_exam, right=2)
    [first] = _certificates(learner)
    assert first.expires_on == date(2028, 3, 2)
    clock.freeze(datetime(2028, 1, 10, 2, 0))  # 52 days before expiry, inside the window
    second = issuing.issue_if_met(learner, certification)
    assert second.issued_on == date(2028, 1, 10) and second.expires_on == date(2030, 3, 2)  # not 2030-01-10
    assert db.session.get(Certificate, first.id).state() == CertificateState.SUPERSEDED
    clock.freeze(datetime(2030, 5, 1, 2, 0))  # the second expired on 2 March: a new start
    third = issuing.issue_if_met(learner, certification)
    assert third.expires_on == date(2032, 5, 1)


def test_revoke_then_issue_again_by_hand_starts_from_that_day(clock, make_user, make_certification, entry_exam,
                                                              take_exam, sign_off, fast_pdf):
    from lms.certificates import revoking

    hr = make_user(("hr",))
    learner = make_user(("learner",))
    certification = make_certification(requirements=RMQ, validity_months=24)
    sign_off(learner)
    take_exam(learner, entry_exam, right=2)
    [first] = _certificates(learner)
    clock.freeze(datetime(2026, 6, 1, 2, 0))
    revoking.revoke(first.id, hr, "资料有误")
    again = issuing.issue(learner, certification, actor=hr, reason="更正后重新发证")
    assert again.expires_on == date(2028, 6, 1) and again.serial != first.serial
    first = db.session.get(Certificate, first.id)
    assert first.state() == CertificateState.REVOKED and first.superseded_by_id is None


# --- the code typed from the printed page ---------------------------------------------

def test_a_code_typed_with_full_width_characters_spaces_or_a_line_break_is_found(client, make_certificate,
                                                                                 fast_pdf):
    certificate = make_certificate(verify_code="Ab3-x_Yz9Q0kLmNoPqRsTuVwXy12Cd_-")
    code = certificate.verify_code
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in code)  # what a Chinese input method in 全角 types
    for typed in (full_width, f" {code[:16]}\n{code[16:]} ", f"{code[:10]} {code[10:]}",
                  f"https://bank/verify/{code}?from=wechat", f"验证码：{code}。"):
        response = client.get("/verify/", query_string={"code": typed})
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/verify/{code}"), typed
    assert "此证书有效" in client.get("/verify/" + full_width).text  # typed into the address bar
    assert client.get("/verify/" + code.lower()).status_code == 404  # letters keep their case: another code


def test_a_very_long_code_is_the_ordinary_404(client, make_certificate, fast_pdf):
    make_certificate()
    response = client.get("/verify/", query_string={"code": "A" * 100_000})
    assert response.status_code == 302 and len(response.headers["Location"]) < 300
    assert client.get(response.headers["Location"]).status_code == 404
    assert client.get("/verify/" + "Ａ" * 5000).status_code == 404


def test_a_pdf_downloaded_before_its_revocation_says_revoked_with_the_day_and_no_reason(client, clock,
                                                                                      make_user, make_certificate):
    from lms.certificates import revoking

    certificate = make_certificate()
    downloaded = certificate.pdf  # the holder kept the file
    clock.freeze(datetime(2026, 3, 9, 18, 0))  # 02:00 on 10 March in Beijing
    revoking.revoke(certificate.id, make_user(("hr",)), "考试舞弊，工单 4711，身份证 430202199001011234")
    page = client.post("/verify/", data={"pdf": (io.BytesIO(downloaded), "c.pdf")},
                       content_type="multipart/form-data").text
    assert "此证书已于 2026-03-10 撤销" in page
    for private in ("舞弊", "4711", "430202199001011234", certificate.holder_employee_no):
        assert private not in page


def test_the_limit_counts_an_ipv6_customer_line_not_each_of_its_addresses(app, client, clock, make_certificate,
                                                                          fast_pdf):
    """Guessing codes from a /64 (2^64 addresses on one home line) is limited like from one address.
    (The clock is frozen: the limit counts per minute of the clock, and a running one could start
    the next minute between the fifth request and the sixth.)"""
    app.config.update(RATELIMIT_ENABLED=True, VERIFY_LIMIT_PER_MINUTE=5)
    certificate = make_certificate()
    statuses = [client.get(f"/verify/{certificate.verify_code}",
                           environ_base={"REMOTE_ADDR": f"2001:db8:1:2::{n:x}"}).status_code for n in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    elsewhere = client.get(f"/verify/{certificate.verify_code}", environ_base={"REMOTE_ADDR": "2001:db8:1:3::1"})
    assert elsewhere.status_code == 200  # another line, its own allowance


def test_whom_a_limit_counts():
    from lms.auth.limits import client_key

    assert client_key("10.1.2.3") == client_key("::ffff:10.1.2.3") == "10.1.2.3"
    assert client_key("2001:db8:1:2::5") == client_key("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
    assert client_key(None) == "-" and client_key("unknown") == "unknown"
