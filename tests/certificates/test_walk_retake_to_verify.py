"""The walk from a failed week to a certificate a customer can verify, in one
piece: a certain fail → the retake at once → the retake waits for its essay →
the trainer grades it, it passes → the week counts → the certification's
requirements are met → the certificate is issued automatically → the learner
is told (the result page, the bell, 我的证书) → the PDF (Chinese in an embedded
CJK font, no missing glyph) → the QR code's address → /verify says valid and
shows nothing personal beyond what a verifier needs. The first attempt's
grading, arriving last, changes none of it."""
from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
import zxingcpp

from lms.content.models import Programme, ProgrammeItem
from lms.exams import answers as exam_answers, attempts as exam_attempts, trainer_services
from lms.exams.models import Attempt, AttemptItem
from lms.extensions import db
from lms.notify import kinds
from lms.notify.models import Notification
from lms.programmes import services as weeks
from tests.certificates.conftest import pdf_fonts, pdf_page_image
from tests.conftest import sign_in

BASE = "https://academy.bank.example"


@pytest.fixture
def weasy_warnings(caplog):
    logger = logging.getLogger("weasyprint")
    disabled, logger.disabled = logger.disabled, False
    caplog.set_level(logging.WARNING, logger="weasyprint")
    yield lambda: [r.getMessage() for r in caplog.records if r.name == "weasyprint"]
    logger.disabled = disabled


def _take(learner, exam, right: int, clock) -> Attempt:
    attempt = exam_attempts.start_attempt(learner, exam)
    singles = sorted((i for i in attempt.items if i.question_version.type == "single"),
                     key=lambda i: i.question_version.question.slug)
    for n, item in enumerate(singles):
        exam_answers.save_answer(attempt, item, "B" if n < right else "A", clock.now())
    essay = next(i for i in attempt.items if i.question_version.type == "essay")
    exam_answers.save_answer(attempt, essay, "贷前调查：借款人、担保、用途三方面。", clock.now())
    return exam_attempts.submit(attempt, learner)


def _grade(attempt: Attempt, points: float, trainer) -> Attempt:
    item = db.session.scalar(db.select(AttemptItem).where(AttemptItem.attempt_id == attempt.id,
                                                          AttemptItem.needs_grading.is_(True)))
    trainer_services.grade_essay(item, points, "要点齐全", trainer)
    return db.session.get(Attempt, attempt.id)


def test_from_a_retake_to_a_certificate_a_customer_verifies(app, client, clock, tmp_path, weasy_warnings, make_user,
                                                            make_branch, make_question, make_exam,
                                                            make_certification, sign_off):
    app.config["BASE_URL"] = BASE
    branch = make_branch("ZZ0101", "天元支行")
    learner = make_user(("learner",), name="欧阳喆堃", employee_no="880123", branch=branch)
    trainer = make_user(("trainer",), name="周培训")
    singles = [make_question("single", slug=f"walk-{n}") for n in range(4)]
    essay = make_question("essay", slug="walk-essay")
    exam = make_exam([{"questions": [q.slug for q in singles] + [essay.slug]}], slug="exam-rm-entry",
                     title="客户经理准入考试", pass_mark=80.0, shuffle_options=False, open_to_all=False,
                     max_attempts=None)
    today = clock.now().date()
    programme = Programme(slug="rm-foundation", title="客户经理基础培训", audience_json="{}")
    programme.items = [ProgrammeItem(key="week-12", kind="week", number=12, title="第12周 结业考试", exam_id=exam.id,
                                     opens_on=today - timedelta(days=2), due_on=today + timedelta(days=4))]
    db.session.add(programme)
    db.session.commit()
    week = programme.items[0]
    certification = make_certification(requirements={"programmes": ["rm-foundation"],
                                                     "exams": [{"exam": "exam-rm-entry", "min_score": 80}],
                                                     "signoff": True})
    sign_off(learner)
    sign_in(client, learner)

    # A certain fail: the retake is offered at once, and 我的证书 says what is missing.
    first = _take(learner, exam, 0, clock)
    result = client.get(f"/attempts/{first.id}/result").text
    assert 'id="result-retake"' in result and "无需等待阅卷即可补考" in result
    assert 'id="result-certificates"' not in result  # said once the attempt has its result
    mine = client.get("/certificates/mine").text
    assert "您还没有任何证书。" in mine
    assert "客户经理准入考试：等待培训师阅卷（需 80 分）" in mine  # taken: never "尚未参加"
    assert "尚未参加" not in mine

    # The retake: right but for one single; its essay waits, and it can still pass.
    clock.advance(timedelta(minutes=10))
    second = _take(learner, exam, 3, clock)
    assert second.number == 2 and second.state == "grading"
    waiting = client.get(f"/attempts/{second.id}/result").text
    assert "在此之前不能重考" in waiting and "无需等待阅卷" not in waiting

    # The trainer grades it: passed, the week counts, the certificate is issued automatically.
    clock.advance(timedelta(hours=3))
    second = _grade(second, 1, trainer)
    assert second.passed and weeks.week_status(learner, week).status == weeks.PASSED
    from lms.certificates.models import Certificate

    certificate = db.session.scalar(db.select(Certificate).where(Certificate.user_id == learner.id))
    assert certificate is not None and certificate.certification_id == certification.id
    assert not [w for w in weasy_warnings() if ".notdef" in w]  # every character of the PDF had a glyph

    # The learner is told: the result page, the bell, the home page and 我的证书.
    passed = client.get(f"/attempts/{second.id}/result").text
    assert "id=\"result-certificates\"" in passed and "客户经理上岗资格" in passed and 'href="/certificates/mine"' in passed
    bell = [kinds.text_of(n) for n in db.session.scalars(
        db.select(Notification).where(Notification.recipient_id == learner.id))]
    assert any("客户经理上岗资格" in text and certificate.serial in text for text in bell), bell
    mine = client.get("/certificates/mine").text
    assert certificate.serial in mine and f'href="/certificates/{certificate.id}/pdf"' in mine
    assert 'id="next-rm-qualification"' not in mine  # nothing is missing any more
    assert "您已持有客户经理上岗资格" in passed and certificate.serial in passed

    # The PDF: the stored bytes, Chinese in an embedded CJK font.
    pdf = client.get(f"/certificates/{certificate.id}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data == certificate.pdf
    fonts = pdf_fonts(pdf.data, tmp_path)
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line.split("CID", 1)[1] for line in cjk), fonts

    # The QR code's address, opened by a customer's phone (no session): valid, nothing personal.
    [code] = zxingcpp.read_barcodes(pdf_page_image(pdf.data, tmp_path))
    assert code.text == f"{BASE}/verify/{certificate.verify_code}"
    customer = app.test_client()
    page = customer.get(code.text.removeprefix(BASE))
    assert page.status_code == 200 and "此证书有效" in page.text
    assert "欧阳**" in page.text and certificate.serial in page.text and "客户经理上岗资格" in page.text
    for personal in ("欧阳喆堃", "喆堃", "880123", "天元支行", "周培训", "要点齐全"):
        assert personal not in page.text, personal

    # The first attempt, still waiting, no longer offers a retake of an exam already passed.
    still = client.get(f"/attempts/{first.id}/result").text
    assert "您已在之后的一次作答中通过该考试" in still and "无需等待阅卷即可补考" not in still
    assert 'id="result-retake"' not in still

    # The first attempt is graded last: recorded, and nothing of the above moves.
    clock.advance(timedelta(hours=1))
    first = _grade(first, 1, trainer)
    assert first.state == "finalised" and not first.passed
    assert weeks.week_status(learner, week).status == weeks.PASSED
    assert db.session.scalar(db.select(db.func.count()).select_from(Certificate)) == 1
    assert "此证书有效" in customer.get(code.text.removeprefix(BASE)).text
    assert client.get(f"/attempts/{first.id}/result").status_code == 200
