"""What HR found walking the certificate pages: an expired certificate renewed
since says by which one on the register; a revoked one leads to the manual
issue (it is not renewed); a replaced certificate reads 已被替代 wherever HR
or a customer reads it (the state, the revoke button, /verify)."""
from __future__ import annotations

from datetime import date

from lms.certificates import issuing, revoking
from tests.conftest import sign_in


def test_an_expired_certificate_renewed_since_names_its_successor_on_the_register(
        client, clock, make_user, make_certificate, make_certification, fast_pdf):
    hr = make_user(("hr",))
    certification = make_certification()
    old = make_certificate(certification=certification, issued_on=date(2022, 1, 10), expires_on=date(2024, 1, 10),
                           serial="RMQ-2022-000001")
    lapsed = make_certificate(certification=make_certification(slug="other", prefix="OTH"),
                              issued_on=date(2022, 1, 10), expires_on=date(2024, 1, 10))
    new = issuing.issue(old.holder, certification, actor=make_user(("hr",)), reason="过期后补发")
    sign_in(client, hr)
    page = client.get("/certificates/?state=expired").text
    row = page[page.index(f'id="certificate-{old.id}"'):]
    row = row[:row.index("</tr>")]
    assert "已过期" in row and f"已续期：<a href=\"/certificates/{new.id}\">{new.serial}</a>" in row
    other = page[page.index(f'id="certificate-{lapsed.id}"'):]
    assert "已续期" not in other[:other.index("</tr>")]  # nothing newer of that certification


def test_a_revoked_certificate_leads_hr_to_the_manual_issue(client, clock, make_user, make_certificate,
                                                            make_certification, fast_pdf):
    hr, colleague = make_user(("hr",)), make_user(("hr",))
    certification = make_certification()
    certificate = make_certificate(certification=certification, serial="RMQ-2025-000001")
    revoking.revoke(certificate.id, colleague, "冒用他人账号参加考试")
    sign_in(client, hr)
    page = client.get(f"/certificates/{certificate.id}").text
    assert 'id="renew"' not in page and 'id="issue-again"' in page and "人工颁发新证书" in page
    assert (f'/certificates/issue?employee_no={certificate.holder.employee_no}&amp;certification_id='
            f'{certification.id}') in page
    issuing.issue(certificate.holder, certification, actor=colleague, reason="重新考核通过")
    assert 'id="issue-again"' not in client.get(f"/certificates/{certificate.id}").text  # holds a valid one again
    sign_in(client, make_user(("branch_manager",), branch=certificate.holder.branch))
    assert 'id="issue-again"' not in client.get(f"/certificates/{certificate.id}").text


def test_a_replaced_certificate_reads_the_same_everywhere(client, clock, make_user, make_certificate,
                                                          make_certification, fast_pdf):
    hr = make_user(("hr",))
    certification = make_certification(validity_months=24, renewal_window_days=90)
    old = make_certificate(certification=certification, issued_on=date(2024, 4, 1), expires_on=date(2026, 4, 1),
                           serial="RMQ-2024-000001")
    issuing.issue(old.holder, certification, actor=make_user(("hr",)), reason="续期")
    sign_in(client, hr)
    page = client.get(f"/certificates/{old.id}").text
    assert "已被替代" in page and "撤销已被替代的证书" in page and "替换" not in page
    verify = client.get(f"/verify/{old.verify_code}").text
    assert "已被替代" in verify and "取代" not in verify
