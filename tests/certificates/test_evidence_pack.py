"""The evidence pack: one PDF per person for auditors, by HR, with everything
about the person's qualification and the audit chain head it was read at on
every page; generating it is audited."""
from __future__ import annotations

import json
from datetime import date, datetime

from flask_login import login_user
from sqlalchemy import select

from lms.audit import services as audit
from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.mentoring.models import CheckIn, CheckInAction, Pairing, SignOff
from lms.org import services as org_services
from lms.org.models import PositionRecord
from tests.certificates.conftest import pdf_fonts, pdf_text
from tests.conftest import sign_in
from tests.programmes.helpers import programme, take


def _person(app, clock, make_user, make_branch, make_question, make_exam, make_certificate):
    branch = make_branch("ZZ0101", "天元支行")
    hr = make_user(("hr",), employee_no="hr01", name="周人事")
    question = make_question("single")
    exams = [make_exam([{"questions": [question.slug]}], open_to_all=False, title=f"第{n}周测验", pass_mark=60)
             for n in range(1, 5)]
    programme(exams, audience={"positions": ["rm_junior", "rm_intermediate"]})
    person = make_user(("learner",), employee_no="880123", name="欧阳喆堃", branch=branch, position="teller",
                       position_start=date(2024, 1, 1))
    person.positions[0].end_date = date(2026, 2, 1)
    person.positions.append(PositionRecord(position="rm_junior", start_date=date(2026, 2, 2), note="晋升"))
    db.session.commit()
    take(person, exams[2], clock, answer="A")  # failed
    take(person, exams[2], clock)  # passed
    mentor = make_user(("learner", "mentor"), employee_no="m01", name="王师傅")
    pairing = Pairing(mentor_id=mentor.id, apprentice_id=person.id, start_date=date(2026, 2, 2), state="signed_off")
    db.session.add(pairing)
    db.session.flush()
    check_in = CheckIn(pairing_id=pairing.id, held_on=date(2026, 2, 20), form="face_to_face",
                       notes='讨论授信尽调 <img src="http://127.0.0.1:9/x">')
    db.session.add(check_in)
    db.session.flush()
    db.session.add(CheckInAction(pairing_id=pairing.id, check_in_id=check_in.id, text="完成三户企业走访",
                                 due_on=date(2026, 2, 27), done_on=date(2026, 2, 26)))
    db.session.add(SignOff(pairing_id=pairing.id, apprentice_id=person.id, mentor_id=mentor.id,
                           signed_on=date(2026, 2, 28), recommendation="ready",
                           scores_json=json.dumps([{"key": "knowledge", "label": "产品知识", "score": 4,
                                                    "comment": "扎实"}]),
                           comment="可以独立上岗", withdrawn_at=datetime(2026, 3, 1, 1, 0), withdraw_reason="评价人回避"))
    db.session.commit()
    certificate = make_certificate(holder=person, revoked_at=datetime(2026, 3, 1, 2, 0), revoke_reason="资料不实")
    with app.test_request_context():
        login_user(hr)
        org_services.change_position(person, "rm_intermediate", date(2026, 3, 1), actor=hr)
    audit.record("certificate.revoked", certificate, actor=hr, reason="资料不实")
    audit.record("pairing.signed_off", pairing, actor=mentor)
    db.session.commit()
    return person, hr, certificate


def test_hr_downloads_one_pdf_with_everything_and_the_chain_head_on_every_page(
        app, client, clock, tmp_path, make_user, make_branch, make_question, make_exam, make_certificate):
    person, hr, certificate = _person(app, clock, make_user, make_branch, make_question, make_exam, make_certificate)
    unrelated = make_user(name="别人")
    audit.record("user.password_reset", unrelated, actor=hr)
    db.session.commit()
    head = db.session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc())).first()
    sign_in(client, hr)
    response = client.post(f"/org/people/{person.id}/evidence-pack.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"] and "880123" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    pdf = response.data
    text = pdf_text(pdf)
    for expected in ("欧阳喆堃", "880123", "天元支行", "柜员", "初级客户经理", "中级客户经理", "晋升",  # positions
                     "客户经理周训", "第3周", "第 1 次", "第 2 次", "100%", "0%",  # training weeks and attempts
                     certificate.serial, "已撤销", "资料不实",  # certificates with states
                     "王师傅", "已出师", "讨论授信尽调", "完成三户企业走访", "面谈",  # mentoring
                     "产品知识", "可以独立上岗", "评价人回避",  # sign-off, withdrawn
                     "调整了", "周人事"):  # audit events in words
        assert expected in text, (expected, text)
    assert '<img src="http://127.0.0.1:9/x">' in pdf_text(pdf, layout=False).replace("\n", "")  # as text, never fetched
    assert "别人" not in text  # events about others stay out
    # The attempts' column says which time it shows, as the training record's does (it read a bare 全部作答).
    assert "全部作答（交卷时间）" in pdf_text(pdf, layout=False).replace("\n", "")
    pages = [p for p in pdf_text(pdf, layout=False).split("\f") if p.strip()]
    assert len(pages) >= 2
    for page in pages:  # the footer on every page
        assert f"读取时审计链头：第 {head.seq} 号事件" in page
        assert head.hash[:16] in page.replace("\n", "")
        assert "由周人事 hr01 于" in page
    assert "CJK" in pdf_fonts(pdf, tmp_path)
    generated = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "evidence_pack.generated")).one()
    assert generated.seq == head.seq + 1 and generated.object_id == str(person.id)
    assert generated.details_dict["head_seq"] == head.seq and generated.details_dict["head_hash"] == head.hash
    assert generated.actor_id == hr.id


def test_the_generation_shows_in_the_persons_history_in_words(app, client, clock, make_user):
    person = make_user(name="李学员")
    hr = make_user(("hr",), name="周人事")
    sign_in(client, hr)
    assert client.post(f"/org/people/{person.id}/evidence-pack.pdf").status_code == 200
    page = client.get(f"/org/people/{person.id}").text
    assert "周人事" in page and "生成了 李学员" in page and "的审计证据包" in page
    assert 'id="evidence-pack"' in page and f"/org/people/{person.id}/evidence-pack.pdf" in page


def test_only_hr_and_administrators_generate_one(app, client, make_user, make_branch):
    branch = make_branch("ZZ0101")
    person = make_user(branch=branch)
    url = f"/org/people/{person.id}/evidence-pack.pdf"
    assert client.post(url).status_code == 302  # sign in first
    for roles in (("learner",), ("trainer",), ("branch_manager",), ("learner", "mentor")):
        sign_in(client, make_user(roles, branch=branch))
        assert client.post(url).status_code == 403, roles
    sign_in(client, make_user(("admin",)))
    assert client.post(url).status_code == 200
    assert client.get(url).status_code == 405  # generating is recorded: never on a GET
    assert client.post(url, csrf=False).status_code == 400
    assert client.post("/org/people/999999/evidence-pack.pdf").status_code == 404
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "evidence_pack.generated")
                             .order_by(AuditEvent.seq.desc()).limit(1)) is not None
