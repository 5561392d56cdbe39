"""Certificates as the issuing engine leaves them: a certification, a holder,
a certificate with its stored PDF and SHA-256 (rendered here with the real
renderer)."""
from __future__ import annotations

import hashlib
import secrets
import subprocess
from datetime import date, datetime

import pytest

from lms.extensions import db


@pytest.fixture
def make_certification(app):
    from lms.content.models import Certification

    def make(slug="rm-qualification", title="客户经理上岗资格", prefix="RMQ", months=24):
        certification = Certification(slug=slug, title=title, serial_prefix=prefix, validity_months=months)
        db.session.add(certification)
        db.session.commit()
        return certification

    return make


@pytest.fixture
def make_certificate(app, make_certification, make_user):
    """make_certificate(holder=None, certification=None, render=True, **columns) → a committed Certificate."""
    from lms.certificates.models import Certificate
    from lms.certificates.pdf import render_certificate

    counter = {"n": 0}

    def make(holder=None, certification=None, render=True, **columns):
        counter["n"] += 1
        holder = holder or make_user(name="李学员")
        certification = certification or make_certification(slug=f"cert-{counter['n']}")
        values = dict(certification_id=certification.id, user_id=holder.id,
                      serial=f"{certification.serial_prefix}-2026-{counter['n']:06d}",
                      verify_code=secrets.token_urlsafe(32), issued_on=date(2026, 3, 1),
                      expires_on=date(2028, 2, 29), issued_at=datetime(2026, 3, 1, 2, 0),
                      holder_name=holder.name, holder_employee_no=holder.employee_no,
                      holder_branch=holder.branch.name if holder.branch else "")
        values.update(columns)
        certificate = Certificate(**values)
        certificate.certification = certification
        if render:
            certificate.pdf = render_certificate(certificate)
            certificate.pdf_sha256 = hashlib.sha256(certificate.pdf).hexdigest()
        db.session.add(certificate)
        db.session.commit()
        return certificate

    return make


def pdf_text(pdf: bytes, layout: bool = True) -> str:
    mode = "-layout" if layout else "-raw"
    return subprocess.run(["pdftotext", mode, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def pdf_fonts(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout


def pdf_page_image(pdf: bytes, tmp_path, dpi: int = 200):
    """The first page as a PIL image (poppler's pdftoppm)."""
    from PIL import Image

    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(path), str(tmp_path / "page")], check=True)
    return Image.open(tmp_path / "page.png")
