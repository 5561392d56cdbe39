"""Factories of the certificate tests: certifications as publish leaves them,
a sign-off in force, an exam passed through the real exam flow, and a fast
stand-in for the PDF renderer where the PDF is not what a test looks at."""
from __future__ import annotations

import json
from datetime import date

import pytest

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
