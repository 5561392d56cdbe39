"""The phone part of the walk from a failed week to a verified certificate, at
375 px: the result of a certain fail offers the retake in sight, and a tap
starts it; once the retake passes, the result page says the certificate is
held; 我的证书 lists it with its PDF; the customer who scans the QR code reads
"valid" on their own phone. No page is wider than the screen."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from lms import clock
from lms.certificates.models import Certificate
from lms.content.models import Certification, Programme, ProgrammeItem
from lms.exams import answers as exam_answers, attempts as exam_attempts, trainer_services
from lms.exams.models import Attempt, AttemptItem
from lms.extensions import db
from tests.browser.test_take_exam import _sign_in
from tests.certificates.conftest import sign_off  # noqa: F401  (a fixture)

PHONE_375 = {"width": 375, "height": 667}
WIDTH = """() => document.documentElement.scrollWidth"""


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE_375, "is_mobile": True, "has_touch": True}


def _answer_and_submit(attempt: Attempt, right: int) -> Attempt:
    singles = sorted((i for i in attempt.items if i.question_version.type == "single"),
                     key=lambda i: i.question_version.question.slug)
    for n, item in enumerate(singles):
        exam_answers.save_answer(attempt, item, "B" if n < right else "A", clock.now())
    essay = next(i for i in attempt.items if i.question_version.type == "essay")
    exam_answers.save_answer(attempt, essay, "贷前调查：借款人、担保、用途三方面。", clock.now())
    return exam_attempts.submit(attempt, attempt.user)


def _grade(attempt: Attempt, points: float, trainer) -> None:
    item = db.session.scalar(db.select(AttemptItem).where(AttemptItem.attempt_id == attempt.id,
                                                          AttemptItem.needs_grading.is_(True)))
    trainer_services.grade_essay(item, points, "", trainer)


def test_a_retake_to_a_verified_certificate_on_a_phone(page, browser, live_server, app, make_user, make_branch,
                                                       make_question, make_exam, sign_off):
    app.config["BASE_URL"] = live_server
    learner = make_user(("learner",), employee_no="p-walk", name="欧阳喆堃",
                        branch=make_branch("ZZ0101", "株洲分行天元区城东支行营业部"))
    trainer = make_user(("trainer",))
    singles = [make_question("single", slug=f"pw-{n}") for n in range(4)]
    essay = make_question("essay", slug="pw-essay")
    exam = make_exam([{"questions": [q.slug for q in singles] + [essay.slug]}], slug="exam-rm-entry",
                     title="客户经理准入考试（第十二周结业考试）", pass_mark=80.0, shuffle_options=False,
                     open_to_all=False, max_attempts=None)
    today = clock.today()
    programme = Programme(slug="rm-foundation", title="客户经理基础培训", audience_json="{}")
    programme.items = [ProgrammeItem(key="week-12", kind="week", number=12, title="第12周 结业考试", exam_id=exam.id,
                                     opens_on=today - timedelta(days=2), due_on=today + timedelta(days=4))]
    db.session.add(programme)
    db.session.add(Certification(slug="rm-qualification", title="客户经理上岗资格", serial_prefix="RMQ",
                                 validity_months=24, renewal_window_days=90, requirements_json=(
                                     '{"programmes": ["rm-foundation"], '
                                     '"exams": [{"exam": "exam-rm-entry", "min_score": 80}], "signoff": true}')))
    db.session.commit()
    sign_off(learner)
    first = _answer_and_submit(exam_attempts.start_attempt(learner, exam), 0)
    first_id, exam_id = first.id, exam.id
    db.session.commit()  # the test holds no database lock while the browser works

    _sign_in(page, live_server, "p-walk")
    page.goto(f"{live_server}/attempts/{first_id}/result")
    retake = page.locator("#result-retake")
    expect(retake).to_be_visible()
    box = retake.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_375["width"], box
    assert page.evaluate(WIDTH) <= PHONE_375["width"]
    retake.tap()
    page.wait_for_url(f"{live_server}/exams/{exam_id}*")
    page.locator("#exam-intro button[type=submit]").tap()
    page.wait_for_url(f"{live_server}/attempts/*")
    db.session.rollback()  # end the read the ids above opened: SQLite would show its snapshot, without attempt 2
    second = db.session.scalar(db.select(Attempt).where(Attempt.user_id == learner.id, Attempt.number == 2))
    assert second is not None and second.state == "open"

    _answer_and_submit(second, 3)
    _grade(second, 1, trainer)
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.user_id == learner.id))
    assert certificate is not None
    db.session.commit()

    page.goto(f"{live_server}/attempts/{second.id}/result")
    expect(page.locator("#result-certificates")).to_contain_text("您已持有客户经理上岗资格")
    assert page.evaluate(WIDTH) <= PHONE_375["width"]
    page.locator("#result-certificates a[href='/certificates/mine']").tap()
    page.wait_for_url(f"{live_server}/certificates/mine")
    row = page.locator(f"#certificate-{certificate.id}")
    expect(row).to_contain_text(certificate.serial)
    assert page.evaluate(WIDTH) <= PHONE_375["width"]
    pdf = row.get_by_role("link", name="下载 PDF").bounding_box()  # on the screen, not behind a sideways scroll
    assert pdf["x"] >= 0 and pdf["x"] + pdf["width"] <= PHONE_375["width"] and pdf["height"] >= 44, pdf
    expect(row.locator("td[data-label='证书编号']")).to_have_text(certificate.serial)
    with page.expect_download() as download:
        row.get_by_role("link", name="下载 PDF").tap()
    assert download.value.suggested_filename == f"{certificate.serial}.pdf"

    customer = browser.new_context(viewport=PHONE_375, is_mobile=True, has_touch=True, locale="zh-CN")
    try:
        phone = customer.new_page()
        phone.goto(f"{live_server}/verify/{certificate.verify_code}")
        expect(phone.locator(".verify-state")).to_contain_text("此证书有效")
        expect(phone.locator(".holder")).to_have_text("欧阳**")
        text = phone.locator("main").inner_text()
        assert "p-walk" not in text and "城东支行" not in text and "喆堃" not in text
        assert phone.evaluate(WIDTH) <= PHONE_375["width"]
    finally:
        customer.close()
