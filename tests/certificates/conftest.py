"""Factories of the certificate tests: certifications as publish leaves them,
a certificate with its stored PDF and SHA-256 (rendered with the real
renderer), a sign-off in force, an exam passed through the real exam flow, the
world of HR's bulk renewal (certificates expiring so many days from today),
a count of rows, and a fast stand-in for the PDF renderer where the PDF is not what a test
looks at; helpers reading a PDF (text, fonts, the page as an image)."""
from __future__ import annotations

import hashlib
import json
import secrets
import subprocess
from collections import namedtuple
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lms.extensions import db


@pytest.fixture
def make_certification(app):
    from lms.content.models import Certification

    def make(slug="rm-qualification", title="客户经理上岗资格", prefix="RMQ", requirements=None, validity_months=24,
             renewal_window_days=90):
        certification = Certification(slug=slug, title=title, serial_prefix=prefix, validity_months=validity_months,
                                      renewal_window_days=renewal_window_days,
                                      requirements_json=json.dumps(requirements or {}, ensure_ascii=False))
        db.session.add(certification)
        db.session.commit()
        return certification

    return make


@pytest.fixture
def sign_off(app, make_user):
    """sign_off(apprentice, mentor=None) → a SignOff in force (the row h3's service writes)."""
    from lms import clock
    from lms.mentoring.models import Pairing, PairingState, SignOff

    def make(apprentice, mentor=None, on=None):
        mentor = mentor or make_user(("mentor", "learner"), name="王师傅")
        pairing = Pairing(mentor_id=mentor.id, apprentice_id=apprentice.id, state=PairingState.SIGNED_OFF,
                          start_date=date(2025, 6, 1))
        db.session.add(pairing)
        db.session.flush()
        signoff = SignOff(pairing_id=pairing.id, apprentice_id=apprentice.id, mentor_id=mentor.id,
                          signed_on=on or clock.today(), recommendation="ready")
        db.session.add(signoff)
        db.session.commit()
        return signoff

    return make


@pytest.fixture
def entry_exam(make_exam, make_question):
    """The entry exam: two single-choice questions (B is right), pass mark 50."""
    questions = [make_question("single").slug for _ in range(2)]
    return make_exam([{"questions": questions}], slug="exam-rm-entry", title="客户经理准入考试", pass_mark=50,
                     max_attempts=None)


@pytest.fixture
def take_exam():
    """take_exam(user, exam, right=n) → the finalised attempt, through the real
    start / answer / submit flow (so the exam engine's signals fire)."""
    from lms.exams import answers as exam_answers
    from lms.exams import attempts as exam_attempts

    def take(user, exam, right: int):
        attempt = exam_attempts.start_attempt(user, exam)
        for i, item in enumerate(attempt.items):
            exam_answers.save_answer(attempt, item, "B" if i < right else "A")
        exam_attempts.submit(attempt, user)
        return attempt

    return take


@pytest.fixture
def fast_pdf(monkeypatch):
    """A stand-in renderer (a real render takes ~0.2 s): bytes naming the serial."""
    from lms.certificates import pdf

    calls = []

    def render(certificate):
        calls.append(certificate.id)
        return b"%PDF-1.7 test " + certificate.serial.encode()

    monkeypatch.setattr(pdf, "render_certificate", render)
    return calls


@pytest.fixture
def make_certificate(app, make_certification, make_user):
    """make_certificate(holder=None, certification=None, render=True, **columns) → a committed Certificate."""
    from lms.certificates import pdf  # looked up at each call: fast_pdf's stand-in applies
    from lms.certificates.models import Certificate

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
            certificate.pdf = pdf.render_certificate(certificate)
            certificate.pdf_sha256 = hashlib.sha256(certificate.pdf).hexdigest()
        db.session.add(certificate)
        db.session.commit()
        return certificate

    return make


def count_rows(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def expiring_certificate(app, clock):
    """expiring_certificate(person, certification, actor, days) → a certificate issued by hand
    (存量人员换发) and backdated so that it expires ``days`` from today (the frozen clock's
    2026-03-02); negative: expired."""
    from lms.certificates import issuing

    def issue(person, certification, actor, days: int):
        issued_on = issuing.add_months(clock.today() + timedelta(days=days), -certification.validity_months)
        return issuing.issue(person, certification, actor=actor, reason="存量人员换发", on=issued_on)

    return issue


RenewalWorld = namedtuple("RenewalWorld", "hr colleague north south rmq held")


@pytest.fixture
def renewal_world(make_user, make_branch, make_certification, expiring_certificate):
    """renewal_world(holders) → a RenewalWorld: HR (周人事, HR01) and a colleague
    (吴人事, HR02) in 北区支行 (N01), 南区支行 (S01), the certification ``rmq``
    (24 months, renewal window 90 days) and, for each ``(days, "north" or
    "south", position, name)`` of holders, a learner of that branch in that
    post since 2023-01-01 whose certificate, issued by the colleague, expires
    ``days`` from today: ``held[name]``."""

    def build(holders) -> RenewalWorld:
        north, south = make_branch("N01", "北区支行"), make_branch("S01", "南区支行")
        hr = make_user(("hr",), name="周人事", employee_no="HR01", branch=north)
        colleague = make_user(("hr",), name="吴人事", employee_no="HR02", branch=north)
        rmq = make_certification(validity_months=24, renewal_window_days=90)
        held = {}
        for days, branch, position, name in holders:
            person = make_user(("learner",), name=name, branch={"north": north, "south": south}[branch],
                               position=position, position_start=date(2023, 1, 1))
            held[name] = expiring_certificate(person, rmq, colleague, days)
        return RenewalWorld(hr, colleague, north, south, rmq, held)

    return build


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
