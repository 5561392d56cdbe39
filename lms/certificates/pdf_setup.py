"""Wiring of the certificate PDF part (called from ``lms.certificates.setup``):
the public verification page, the evidence pack on HR's person page, the
institution settings, and their configuration."""
from __future__ import annotations

import os

from flask import Flask

from lms.certificates import pdf_audit_labels
from lms.certificates.pdf_views import bp as pdf_bp
from lms.certificates.verify_views import bp as verify_bp
from lms.org import person_sections


def evidence_pack_section(person, viewer) -> dict:
    return {"person": person}


def init_app(app: Flask) -> None:
    # Checks per client address and minute on the public page (all processes together),
    # and the largest PDF it takes for the upload check.
    app.config.setdefault("VERIFY_LIMIT_PER_MINUTE", int(os.environ.get("LMS_VERIFY_LIMIT", "30")))
    app.config.setdefault("VERIFY_UPLOAD_MAX_BYTES", int(os.environ.get("LMS_VERIFY_UPLOAD_MB", "5")) * 2**20)
    app.config.setdefault("CERTIFICATE_LOGO_FILE", os.environ.get("LMS_CERTIFICATE_LOGO_FILE") or None)
    pdf_audit_labels.register(app)
    app.register_blueprint(verify_bp)
    app.register_blueprint(pdf_bp)
    person_sections.add(app, "certificates/_evidence_pack_section.html", evidence_pack_section, order=90)
