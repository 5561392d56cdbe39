"""The public verification page (everyone, signed in or not: a real code is
200, an unknown one 404), the evidence pack (HR), the certificate issuer's
name and logo (administrators)."""
import hashlib
import io
from datetime import date

from lms.certificates.models import Certificate
from lms.content.models import Certification
from lms.extensions import db
from tests.access import Row, expect, only

_PDF = b"%PDF-1.7\n% not rendered: the access matrix only needs the stored hash\n"


def setup(world):
    certification = Certification(slug="matrix-qualification", title="矩阵资格", serial_prefix="MTX", validity_months=24)
    db.session.add(certification)
    db.session.flush()
    world.certificate = Certificate(certification_id=certification.id, user_id=world.learner.id,
                                    serial="MTX-2026-000001", verify_code="matrix-" + "c" * 40,
                                    issued_on=date(2026, 1, 5), expires_on=date(2028, 1, 4),
                                    holder_name=world.learner.name, holder_employee_no=world.learner.employee_no,
                                    pdf=_PDF, pdf_sha256=hashlib.sha256(_PDF).hexdigest())
    db.session.add(world.certificate)
    db.session.commit()


ROWS = {
    ("verify.index", "GET"): Row(lambda w: "/verify/", expect(200)),
    ("verify.code", "GET"): Row(lambda w: f"/verify/{w.certificate.verify_code}", expect(200)),
    ("verify.upload", "POST"): Row(lambda w: "/verify/", expect(200),
                                   data=lambda w: {"pdf": (io.BytesIO(_PDF), "certificate.pdf")}),
    ("certificate_pdf.evidence_pack_pdf", "POST"): Row(lambda w: f"/org/people/{w.other_learner.id}/evidence-pack.pdf",
                                                       only("hr")),
    ("certificate_pdf.issuer", "GET"): Row(lambda w: "/system/certificate-issuer", only("admin")),
    ("certificate_pdf.issuer", "POST"): Row(lambda w: "/system/certificate-issuer", only("admin", ok=302),
                                            data=lambda w: {"name": "矩阵银行 客户经理学院"}),
    ("certificate_pdf.sample", "GET"): Row(lambda w: "/system/certificate-issuer/sample.pdf", only("admin")),
}
