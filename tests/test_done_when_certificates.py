"""Issue 13's "Done when", walked in the demo through the pages people use.

孙娜 (E1020, 天元支行, 初级客户经理) is 王师傅's signed-off apprentice. In
week 12 of her programme she passes 客户经理准入考试 (the trainer grades the
essay) and receives 客户经理上岗资格 at once; she downloads the PDF (her name
in an embedded CJK font, no missing glyph), whose QR code opens the public
page saying 有效. HR revokes it with a reason: the page says 已撤销 with the
date (not the reason), and the eligibility register shows her not eligible
for her post's rule because of the revocation. Moving her up to 中级客户经理
is refused with the unmet conditions, and done with HR's override reason
(audited). The 持证上岗 monitor (HR's home and its full list) counts her.

The demo loads once (~40 s), so the story is one test."""
from __future__ import annotations

import html
import logging
import random
import re
from datetime import datetime, time

import pytest
import zxingcpp
from sqlalchemy import select

from lms import questions
from lms.audit.models import AuditEvent
from lms.certificates.models import Certificate
from lms.content.models import Exam
from lms.exams.models import Attempt
from lms.extensions import db
from lms.org.models import User, user_by_employee_no
from lms.programmes.access import exam_access
from tests.certificates.conftest import pdf_fonts, pdf_page_image, pdf_text
from tests.conftest import load_demo_copy, sign_in
from tests.exams.takers import as_posted

BASE_URL = "https://lms.bank.example"
HX = {"HX-Request": "true"}
REVOKE_REASON = "准入考试由他人代考，经核实撤销"
OVERRIDE_REASON = "总行人力资源部特批：网点中级岗位空缺"


@pytest.fixture
def weasy_warnings(caplog):
    """WeasyPrint's warnings (its logger is switched back on: Alembic's logging
    set-up disabled it when the migrations ran)."""
    logger = logging.getLogger("weasyprint")
    disabled, logger.disabled = logger.disabled, False
    caplog.set_level(logging.WARNING, logger="weasyprint")
    yield lambda: [r.getMessage() for r in caplog.records if r.name == "weasyprint"]
    logger.disabled = disabled


def _form_fields(qtype: str, data: dict, answer, name: str) -> dict:
    """A right answer as the exam page's form posts it, in the bank's keys."""
    if qtype == "case":
        fields = {}
        for part in data["parts"]:
            fields.update(_form_fields(part["type"], part.get("data", {}), answer[part["id"]], f"{name}-{part['id']}"))
        return fields
    if qtype == "truefalse":
        return {name: "true" if answer else "false"}
    if qtype == "fill":
        return {f"{name}-{i}": value for i, value in enumerate(answer, start=1)}
    return {name: answer}


def _right_form(item, rng) -> dict:
    version = item.question_version
    answer = questions.get(version.type).simulated_answer(version.data, True, rng)
    return as_posted(item, _form_fields(version.type, version.data, answer, f"a-{item.id}"))


def _text(response) -> str:
    """The page's visible text, roughly: tags out, entities decoded, spaces folded."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def _valid_rows(page) -> list[int]:
    """The ids of the valid 客户经理上岗资格 rows of 我的证书."""
    rows = re.findall(r'<tr id="certificate-(\d+)" class="state-(\w+)">\s*<td[^>]*>([^<]*)</td>',
                      page.get_data(as_text=True))
    assert page.status_code == 200 and (rows or "您还没有任何证书。" in page.get_data(as_text=True))
    return [int(i) for i, state, title in rows if state == "valid" and title == "客户经理上岗资格"]


def _monitor_row(page, person) -> str | None:
    """The text of ``person``'s row in the 持证上岗 monitor, or None."""
    row = re.search(rf'<tr><td><a href="/eligibility/people/{person.id}">{person.employee_no}</a></td>(.*?)</tr>',
                    page.get_data(as_text=True), re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", row.group(1)))).strip() if row else None


def _monitor_total(page) -> int:
    return int(re.search(r'id="monitor-total">\s*(\d+) 人', page.get_data(as_text=True)).group(1))


def _audit(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_issue_13_done_when_in_the_demo(app, client, clock, weasy_warnings, tmp_path):
    load_demo_copy("demo-pass-2024")  # the demo's load builds no address: BASE_URL is for the pages and PDFs
    app.config["BASE_URL"] = BASE_URL
    person, trainer, hr = (user_by_employee_no(no) for no in ("E1020", "trainer", "hr"))
    mentor = user_by_employee_no("mentor")
    assert person.name == "孙娜" and person.current_position.position == "rm_junior"
    exam = db.session.scalar(select(Exam).where(Exam.slug == "exam-rm-entry"))

    # --- 0. She is 王师傅's signed-off apprentice; week 12 (the entry exam) has not opened yet.
    sign_in(client, person)
    my_signoff = client.get("/mentoring/my-signoff").get_data(as_text=True)
    assert 'id="my-signoff"' in my_signoff and mentor.name in my_signoff
    assert "您还没有出师" not in my_signoff
    intro = client.get(f"/exams/{exam.id}")
    assert "开始考试" not in intro.get_data(as_text=True)
    opens_on = exam_access(person, exam).opens_on  # the date the intro page gives
    assert opens_on is not None and opens_on.isoformat() in _text(intro)
    clock.freeze(datetime.combine(opens_on, time(1, 0)))  # 09:00 in Shanghai, the day week 12 opens

    # --- 1. She takes the exam through the exam pages; the trainer grades what needs a person.
    intro = client.get(f"/exams/{exam.id}")
    assert intro.status_code == 200 and "开始考试" in intro.get_data(as_text=True)
    started = client.post(f"/exams/{exam.id}/start")
    assert started.status_code == 302
    attempt = db.session.get(Attempt, int(started.headers["Location"].rstrip("/").split("/")[-1]))
    assert attempt.user_id == person.id
    rng = random.Random(13)
    for item in attempt.items:
        saved = client.post(f"/attempts/{attempt.id}/items/{item.id}", data=_right_form(item, rng), headers=HX)
        assert saved.status_code == 200 and "已保存" in saved.get_data(as_text=True), (item.position, saved.text)
    review = client.get(f"/attempts/{attempt.id}/review")
    assert "您已回答全部题目" in review.get_data(as_text=True)
    submitted = client.post(f"/attempts/{attempt.id}/submit")
    assert submitted.status_code == 302
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.state == "grading"  # the essay waits for a trainer
    assert "培训师" in _text(client.get(f"/attempts/{attempt.id}/result"))
    assert _valid_rows(client.get("/certificates/mine")) == []  # none yet: her 存量 certificate has expired

    sign_in(client, trainer)
    waiting = [item for item in attempt.items if item.needs_grading]
    assert waiting
    for item in waiting:
        graded = client.post(f"/grading/items/{item.id}", data={"points": f"{item.points:g}", "comment": "论述完整"})
        assert graded.status_code == 302, graded.text
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.state == "finalised" and attempt.passed and attempt.percent >= 80

    # At once: 我的证书 shows 客户经理上岗资格, valid.
    sign_in(client, person)
    result = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert '<span class="badge ok">已通过</span>' in result and "未通过" not in result
    mine_page = client.get("/certificates/mine")
    [certificate_id] = _valid_rows(mine_page)
    assert "有效" in _text(mine_page)
    certificate = db.session.get(Certificate, certificate_id)
    assert certificate.issued_on == opens_on and certificate.holder_name == "孙娜"
    [issued] = [e for e in _audit("certificate.issued") if e.object_id == str(certificate_id)]
    assert issued.details_dict["mode"] == "automatic" and issued.actor_label == "system" and issued.actor_id is None  # not the grading trainer

    # --- 2. She downloads the PDF: her name in real glyphs, a QR code opening the public page.
    download = client.get(f"/certificates/{certificate_id}/pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    pdf = download.data
    assert pdf.startswith(b"%PDF")
    assert not [w for w in weasy_warnings() if ".notdef" in w], weasy_warnings()
    fonts = pdf_fonts(pdf, tmp_path)
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line.split("CID", 1)[1] for line in cjk), fonts  # embedded
    assert "孙娜" in pdf_text(pdf)
    codes = zxingcpp.read_barcodes(pdf_page_image(pdf, tmp_path))
    assert len(codes) == 1 and codes[0].format == zxingcpp.BarcodeFormat.QRCode
    url = codes[0].text
    assert re.fullmatch(re.escape(BASE_URL) + r"/verify/[A-Za-z0-9_-]{20,}", url), url

    anonymous = app.test_client()
    page = anonymous.get(url.removeprefix(BASE_URL))
    assert page.status_code == 200
    verified = _text(page)
    assert "此证书有效。" in verified and certificate.serial in verified and "客户经理上岗资格" in verified

    # --- 3. HR revokes it with a reason: the public page says revoked, with the date and not the reason.
    sign_in(client, hr)
    before = client.get("/eligibility/monitor")
    assert before.status_code == 200 and _monitor_row(before, person) is None  # certified: not on the list
    uncertified_before = _monitor_total(before)
    detail = client.get(f"/certificates/{certificate_id}")
    assert detail.status_code == 200 and 'name="reason"' in detail.get_data(as_text=True)
    refused = client.post(f"/certificates/{certificate_id}/revoke", data={"reason": ""})
    assert refused.status_code == 400  # a reason is required
    revoked = client.post(f"/certificates/{certificate_id}/revoke", data={"reason": REVOKE_REASON})
    assert revoked.status_code == 302
    assert certificate.serial in _text(client.get(revoked.headers["Location"]))
    [event] = [e for e in _audit("certificate.revoked") if e.details_dict.get("reason") == REVOKE_REASON]
    assert event.actor_id == hr.id

    verified = _text(anonymous.get(url.removeprefix(BASE_URL)))
    assert "已撤销" in verified and f"此证书已于 {opens_on.isoformat()} 撤销，不再有效。" in verified, verified
    assert REVOKE_REASON not in verified and "此证书有效。" not in verified

    # Her eligibility for her post's rule (客户经理岗位准入 → 初级客户经理): not eligible, because of the revocation.
    eligibility = client.get(f"/eligibility/people/{person.id}")
    assert eligibility.status_code == 200
    verdict = re.search(r'<div class="verdict" id="verdict-rm-junior-entry">(.*?)</div>',
                        eligibility.get_data(as_text=True), re.S)
    assert verdict, _text(eligibility)
    verdict_text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", verdict.group(1))))
    assert "不符合" in verdict_text and "✗" in verdict_text, verdict_text
    assert f"客户经理上岗资格已于 {opens_on.isoformat()} 撤销" in verdict_text, verdict_text

    # --- 4. Moving her (ineligible) up to 中级客户经理: refused with the unmet conditions, done with an override.
    person_url = f"/org/people/{person.id}"
    move = {"position": "rm_intermediate", "start_date": opens_on.isoformat(), "note": "晋升"}
    answer = client.post(f"{person_url}/position", data=move, headers=HX)
    answer_text = _text(answer)
    assert answer.status_code == 200 and 'name="override_reason"' in answer.get_data(as_text=True)
    gate = re.search(r'<div id="position-gate".*?</ul>', answer.get_data(as_text=True), re.S)
    assert gate, answer_text
    gate_text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", gate.group(0))))
    assert "不符合 中级客户经理岗位准入" in gate_text, gate_text
    assert f"客户经理上岗资格已于 {opens_on.isoformat()} 撤销" in gate_text, gate_text  # the unmet conditions
    assert "中级客户经理资格" in gate_text, gate_text
    db.session.expire_all()
    assert db.session.get(User, person.id).current_position.position == "rm_junior"
    assert not _audit("user.eligibility_override")

    answer = client.post(f"{person_url}/position", data={**move, "override_reason": OVERRIDE_REASON}, headers=HX)
    assert answer.status_code == 200
    db.session.expire_all()
    assert db.session.get(User, person.id).current_position.position == "rm_intermediate"
    [override] = _audit("user.eligibility_override")
    assert override.actor_id == hr.id and override.object_id == str(person.id)
    assert override.details_dict["reason"] == OVERRIDE_REASON and override.details_dict["after"] == "rm_intermediate"
    assert any("客户经理上岗资格" in line and "撤销" in line for line in override.details_dict["unmet"]), override.details
    log = _text(client.get("/audit/"))
    assert OVERRIDE_REASON in log, log

    # --- 5. The 持证上岗 monitor: its full list names her with the revocation, HR's home counts her.
    monitor = client.get("/eligibility/monitor")
    assert monitor.status_code == 200
    row = _monitor_row(monitor, person)
    assert row is not None, _text(monitor)
    assert row.startswith("孙娜 中级客户经理") and f"客户经理上岗资格已于 {opens_on.isoformat()} 撤销" in row, row
    total = _monitor_total(monitor)
    assert total == uncertified_before + 1
    home = client.get("/")
    panel = re.search(r'<section class="card alarm" id="certified-to-work-panel">(.*?)</section>',
                      home.get_data(as_text=True), re.S)
    assert panel, _text(home)
    panel_text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", panel.group(1))))
    assert f"{total} 人在客户经理岗位上无有效证书" in panel_text and "天元支行" in panel_text, panel_text
