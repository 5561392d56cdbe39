"""The demo's certificates: most RMs hold 客户经理上岗资格 (issued by hand,
"存量人员换发"), some expire within 30/60/90 days, one has expired, one is
revoked; 李学员 and another RM hold none. HR's pages and 我的证书 show labels,
never codes. Loading twice issues nothing more."""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import select

from lms import clock
from lms.certificates import demo as certificates_demo
from lms.certificates import expiry
from lms.certificates.models import Certificate
from lms.content.models import Certification
from lms.extensions import db
from lms.org.models import User, user_by_employee_no
from tests.conftest import load_demo_copy, sign_in
from tests.test_labels import visible_text

SHIPPED = [("rm-qualification", "客户经理上岗资格", "RMQ", {"exams": [{"exam": "exam-rm-entry", "min_score": 80}],
                                                          "signoff": True}),
           ("mentor-qualification", "带教师傅资格", "MTQ",
            {"tenure": [{"positions": ["rm_senior", "rm_principal", "manager"], "months": 24}]})]


def _ensure_certifications() -> None:
    """The shipped definitions (content/certifications) if this tree publishes none yet."""
    for slug, title, prefix, requirements in SHIPPED:
        if db.session.scalar(select(Certification).where(Certification.slug == slug)) is None:
            db.session.add(Certification(slug=slug, title=title, serial_prefix=prefix, validity_months=24,
                                         renewal_window_days=90, requirements_json=json.dumps(requirements)))
    db.session.commit()


def test_the_demo_bank_has_certificates_to_show(app, client, monkeypatch):
    load_demo_copy("demo-pass-2024")
    _ensure_certifications()
    certificates_demo.issue_demo_certificates("demo-pass-2024")
    count = Certificate.query.count()
    certificates_demo.issue_demo_certificates("demo-pass-2024")
    assert Certificate.query.count() == count  # loading twice issues nothing more
    today = clock.today()  # the certificates' calendar
    rmq = db.session.scalar(select(Certification).where(Certification.slug == "rm-qualification"))
    in_rm_post = [u for u in User.query.filter_by(active=True)
                  if u.current_position and u.current_position.position.startswith("rm_")]
    without_valid = [u.employee_no for u in in_rm_post
                     if not any(c.is_valid(today) for c in Certificate.query.filter_by(user_id=u.id,
                                                                                       certification_id=rmq.id))]
    assert "learner" in without_valid and 3 <= len(without_valid) <= 5
    assert len(in_rm_post) - len(without_valid) >= 10
    states = [c.state(today) for c in Certificate.query.filter_by(certification_id=rmq.id)]
    assert states.count("expired") == 1 and states.count("revoked") == 1
    for days in (30, 60, 90):
        assert expiry.expiring(days, certification_id=rmq.id)
    # Loaded in bulk, each PDF is rendered at its first download and stored: the same bytes after.
    assert not any(c.pdf_sha256 for c in Certificate.query)
    assert Certificate.query.filter_by(issue_reason="存量人员换发").count() == count
    # Pages show labels, never codes.
    sign_in(client, user_by_employee_no("hr"))
    for path in ("/certificates/", "/certificates/?state=revoked", "/certificates/expiring?within=90",
                 f"/certificates/{Certificate.query.first().id}", "/certificates/issue"):
        page = client.get(path)
        assert page.status_code == 200, path
        for code in ('>valid<', '>revoked<', '>expired<', '>superseded<'):
            assert code not in page.text, (path, code)
        for code in ("rm_junior", "certificate.issued"):  # a filter's option value is a code, its label is not
            assert code not in visible_text(page.text), (path, code)
    sign_in(client, user_by_employee_no("manager"))
    assert client.get("/certificates/").status_code == 200
    mentor = user_by_employee_no("mentor")
    sign_in(client, mentor)
    mine = client.get("/certificates/mine")
    assert "客户经理上岗资格" in mine.text and "有效" in mine.text
    held = Certificate.query.filter_by(user_id=mentor.id, certification_id=rmq.id).first()
    first = client.get(f"/certificates/{held.id}/pdf")
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    assert client.get(f"/certificates/{held.id}/pdf").data == first.data
    db.session.expire_all()
    assert db.session.get(Certificate, held.id).pdf_sha256 == hashlib.sha256(first.data).hexdigest()
