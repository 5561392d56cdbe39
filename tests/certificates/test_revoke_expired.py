"""The page of an expired certificate still offers 撤销, and says what it does:
an expired certificate counts for nothing already, but one found to be
obtained by fraud is revoked so that /verify — where a customer checks the
paper — says 已撤销 rather than 已过期."""
from __future__ import annotations

from datetime import date

from lms.certificates import issuing
from lms.certificates.models import Certificate, CertificateState
from lms.extensions import db
from tests.conftest import sign_in


def test_an_expired_certificate_s_page_says_what_revoking_it_does_and_verify_then_says_revoked(
        client, clock, make_user, make_certificate, fast_pdf):
    hr = make_user(("hr",))
    expired = make_certificate(issued_on=date(2024, 1, 10), expires_on=date(2026, 1, 10))
    sign_in(client, hr)
    page = client.get(f"/certificates/{expired.id}").text
    assert 'id="revoke-expired"' in page and "本证书已于 2026-01-10 过期，在任何地方都不再算作有效。" in page
    assert "验证页面显示它于撤销当天被撤销，而不再显示已过期" in page and "此后该资格不再自动发证" in page
    assert "撤销已过期的证书" in page and ">撤销证书</button>" not in page
    assert "此证书已于 2026-01-10 过期" in client.get(f"/verify/{expired.verify_code}").text
    answer = client.post(f"/certificates/{expired.id}/revoke", data={"reason": "以欺诈手段取得", "seen": "expired"})
    assert answer.status_code == 302
    assert db.session.get(Certificate, expired.id).state() == CertificateState.REVOKED
    verify = client.get(f"/verify/{expired.verify_code}").text
    assert "此证书已于 2026-03-02 撤销，不再有效。" in verify and "过期" not in verify.split('id="verify-upload"')[0]


def test_a_valid_certificate_s_page_keeps_the_plain_revoke(client, clock, make_user, make_certificate, fast_pdf):
    hr = make_user(("hr",))
    valid = make_certificate()
    sign_in(client, hr)
    page = client.get(f"/certificates/{valid.id}").text
    assert ">撤销证书</button>" in page and 'id="revoke-expired"' not in page and 'id="renew"' in page


def test_a_replaced_certificate_s_page_says_the_newer_one_stays_in_force(client, clock, make_user, make_certificate,
                                                                         make_certification, fast_pdf):
    hr = make_user(("hr",))
    colleague = make_user(("hr",))
    certification = make_certification()
    old = make_certificate(certification=certification, serial="RMQ-2024-000777", issued_on=date(2024, 4, 1),
                           expires_on=date(2026, 4, 1))
    issuing.issue(old.holder, certification, actor=colleague, reason="续期")
    sign_in(client, hr)
    page = client.get(f"/certificates/{old.id}").text
    assert 'id="revoke-superseded"' in page and "新证书仍然有效" in page and "撤销已被替代的证书" in page
