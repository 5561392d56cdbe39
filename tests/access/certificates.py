"""Certificates: everyone signed in has 我的证书; the register, expiry lists
and a certificate's page are HR's and branch managers' (in scope); only HR
issues, renews (one or many) and revokes; the PDF opens for its holder, HR/admin and the branch
manager over the holder — 404 for anyone else (no IDOR)."""
from datetime import date

from lms.certificates import renewal_batches
from lms.certificates.models import Certificate
from lms.content.models import Certification
from lms.extensions import db
from tests.access import Row, expect, only, signed_in

READERS = only("hr", "branch_manager")


def setup(world):
    certification = Certification(slug="acc-rmq", title="客户经理上岗资格", serial_prefix="ACQ", validity_months=24,
                                  requirements_json="{}")
    db.session.add(certification)
    db.session.flush()
    certificate = Certificate(certification_id=certification.id, user_id=world.learner.id, serial="ACQ-2025-000042",
                              verify_code="acc-verify-code-000000000000000001", issued_on=date(2026, 1, 5),
                              expires_on=date(2028, 1, 5), holder_name=world.learner.name,
                              holder_employee_no=world.learner.employee_no, holder_branch=world.branch.name,
                              pdf=b"%PDF-1.7 matrix", pdf_sha256="0" * 64)
    db.session.add(certificate)
    db.session.commit()
    world.certification, world.certificate = certification, certificate
    # A bulk renewal's result (of nothing: the matrix's certificate stays as it is for the other rows).
    world.renewal_batch = renewal_batches.new_token()
    renewal_batches.run(world.renewal_batch, [], world.hr, "矩阵：批量续期", include_unmet=False, scope=None)


ROWS = {
    ("certificates.mine", "GET"): Row(lambda w: "/certificates/mine", signed_in()),
    ("certificates.pdf", "GET"): Row(lambda w: f"/certificates/{w.certificate.id}/pdf",
                                     expect(404, anonymous=302, learner=200, hr=200, admin=200, branch_manager=200)),
    ("certificates.register", "GET"): Row(lambda w: "/certificates/", READERS),
    ("certificates.export", "GET"): Row(lambda w: "/certificates/export.xlsx", READERS),
    ("certificates.expiring", "GET"): Row(lambda w: "/certificates/expiring?within=90", READERS),
    ("certificates.expiring_export", "GET"): Row(lambda w: "/certificates/expiring/export.csv?within=30", READERS),
    ("certificates.regraded", "GET"): Row(lambda w: "/certificates/regraded", READERS),
    ("certificates.detail", "GET"): Row(lambda w: f"/certificates/{w.certificate.id}", READERS),
    ("certificates.revoke", "POST"): Row(lambda w: f"/certificates/{w.certificate.id}/revoke", only("hr", ok=302),
                                         data=lambda w: {"reason": "矩阵：撤销"}),
    # The matrix's certificate was issued on no sign-off: HR reaches the service, which refuses (400).
    ("certificates.keep", "POST"): Row(lambda w: f"/certificates/{w.certificate.id}/keep", only("hr", ok=400),
                                       data=lambda w: {"keep-reason": "矩阵：保留"}),
    # A bulk renewal (the expiry list's selection, then the confirmation): HR's alone, as one renewal is.
    ("certificate_renewal.preview", "POST"): Row(lambda w: "/certificates/renew/preview", only("hr"),
                                                 data=lambda w: {"certificate": str(w.certificate.id)}),
    ("certificate_renewal.renew", "POST"): Row(lambda w: "/certificates/renew/", only("hr", ok=303),
                                               data=lambda w: {"certificate": str(w.certificate.id),
                                                               "reason": "矩阵：批量续期"}),
    # Its result: HR and administrators (every HR officer sees the whole bank); for anyone else it does not exist.
    ("certificate_renewal.result", "GET"): Row(lambda w: f"/certificates/renew/{w.renewal_batch}",
                                               expect(404, anonymous=302, hr=200, admin=200)),
    ("certificates.issue", "GET"): Row(lambda w: "/certificates/issue", only("hr")),
    ("certificates.issue", "POST"): Row(lambda w: "/certificates/issue", only("hr", ok=302),
                                        data=lambda w: {"employee_no": w.learner.employee_no,
                                                        "certification_id": w.certification.id,
                                                        "reason": "矩阵：人工发证"}),
}
