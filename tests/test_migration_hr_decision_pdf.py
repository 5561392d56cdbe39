"""Upgrading a bank's database with certificates in it to a7e3c9d15f42
(certificate.earlier_pdf_sha256): a certificate HR issued without every
requirement met loses the stored PDF that said they were all met (the next
download renders "by decision of Human Resources"), and that PDF's SHA-256 is
kept, so the copy handed out before still verifies; every other certificate
keeps its bytes. Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

from flask_migrate import upgrade
from sqlalchemy import MetaData, Table, text

from lms import create_app
from lms.content.models import Certification
from lms.extensions import db
from lms.org.models import User
from tests.conftest import BASE_CONFIG
from tests.test_migration_partial_credit import empty_database  # noqa: F401 (a fixture)

BEFORE = "c8e2f4a6b913"


def test_upgrading_renders_hr_decisions_again_and_keeps_the_earlier_pdf_verifiable(empty_database):  # noqa: F811
    app = create_app(dict(BASE_CONFIG, SQLALCHEMY_DATABASE_URI=empty_database))
    with app.app_context():
        upgrade(revision=BEFORE)
        holder = User(employee_no="U001", name="升级学员")
        certification = Certification(slug="rm-qualification", title="客户经理上岗资格", serial_prefix="RMQ",
                                      validity_months=24, requirements_json=json.dumps({"signoff": True}))
        db.session.add_all([holder, certification])
        db.session.commit()
        table = Table("certificate", MetaData(), autoload_with=db.engine)
        assert "earlier_pdf_sha256" not in table.c
        unmet = json.dumps([{"kind": "signoff", "met": False, "params": {}}])
        met = json.dumps([{"kind": "signoff", "met": True, "params": {"mentor": "王师傅", "on": "2026-02-01"}}])
        rows = {"by-decision": (unmet, b"%PDF-1.7 all met, it said"), "met": (met, b"%PDF-1.7 all met, true")}
        with db.engine.begin() as conn:
            for n, (code, (evidence, pdf)) in enumerate(rows.items(), start=1):
                conn.execute(table.insert().values(
                    certification_id=certification.id, user_id=holder.id, serial=f"RMQ-2026-{n:06d}",
                    verify_code=code, issued_on=date(2026, 3, 1), expires_on=date(2028, 2, 29),
                    issued_at=datetime(2026, 3, 1, 2, 0), issue_reason="存量人员换发", evidence_json=evidence,
                    holder_name="升级学员", holder_employee_no="U001", holder_branch="", revoke_reason="",
                    pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest()))
        db.session.remove()

        upgrade()

        with db.engine.connect() as conn:
            kept = conn.execute(text("SELECT verify_code, pdf, pdf_sha256, earlier_pdf_sha256 FROM certificate "
                                     "ORDER BY id")).all()
        old = rows["by-decision"][1]
        assert [tuple(r) for r in kept] == [
            ("by-decision", None, None, hashlib.sha256(old).hexdigest()),
            ("met", rows["met"][1], hashlib.sha256(rows["met"][1]).hexdigest(), None)]
        from lms.certificates import issuing, verification
        from tests.certificates.conftest import pdf_text

        with app.test_request_context():
            found = verification.find_by_pdf(old)
            assert found.verify_code == "by-decision" and verification.earlier_copy(found, old)
            text_now = " ".join(pdf_text(issuing.stored_pdf(found.id), layout=False).split())
            assert "by decision of Human Resources" in text_now and "has met every requirement" not in text_now
            found = verification.find_by_pdf(rows["met"][1])
            assert found.verify_code == "met" and not verification.earlier_copy(found, rows["met"][1])
        db.session.remove()
        db.engine.dispose()
