"""A certificate revoked while its holder has 我的证书 open: the stored PDF
reads as a certificate in force, so the holder gets no new copy of it (from
the link on the page opened before, or typed), and is told why; HR and the
branch manager keep the record."""
from __future__ import annotations

from lms.certificates import issuing, revoking
from tests.conftest import sign_in


def test_the_holder_gets_no_pdf_of_a_revoked_certificate(client, clock, make_user, make_branch, make_certification,
                                                         fast_pdf):
    branch = make_branch("B01")
    hr = make_user(("hr",), employee_no="H01")
    manager = make_user(("branch_manager",), employee_no="M01", branch=branch)
    holder = make_user(("learner",), employee_no="L01", name="李学员", branch=branch)
    certificate = issuing.issue(holder, make_certification(), actor=hr, reason="存量人员换发")
    sign_in(client, holder)
    mine = client.get("/certificates/mine").text  # the page the holder keeps open
    link = f"/certificates/{certificate.id}/pdf"
    assert link in mine and client.get(link).status_code == 200

    revoking.revoke(certificate.id, hr, "资格造假")
    refused = client.get(link)
    assert refused.status_code == 410 and refused.mimetype == "text/html"
    assert not refused.data.startswith(b"%PDF")
    assert f"证书 {certificate.serial} 已于 2026-03-02 撤销" in refused.text and "资格造假" not in refused.text
    assert link not in client.get("/certificates/mine").text  # the refreshed page offers no download

    for keeper in (hr, manager):
        sign_in(client, keeper)
        kept = client.get(link)
        assert kept.status_code == 200 and kept.mimetype == "application/pdf"
