"""Issuing: the requirements with their evidence, the automatic issue after
the passing attempt (only with a sign-off in force) or after the sign-off,
HR's manual issue with a reason, renewal superseding the old certificate,
never twice, revocation at once."""
from __future__ import annotations

from datetime import date

import pytest

from lms import clock as lms_clock
from lms.audit.models import AuditEvent
from lms.certificates import issuing, revoking, triggers
from lms.certificates.models import Certificate, CertificateState
from lms.certificates.requirements import evaluate
from lms.extensions import db
from lms.mentoring import signals as mentoring_signals
from lms.notify.models import Notification
from lms.org.models import PositionRecord

RMQ = {"exams": [{"exam": "exam-rm-entry", "min_score": 80}], "signoff": True}


def _certificates(user):
    return Certificate.query.filter_by(user_id=user.id).order_by(Certificate.id).all()


def test_requirements_are_evaluated_with_evidence_in_words(clock, make_user, make_certification, entry_exam,
                                                            take_exam, sign_off, fast_pdf):
    learner = make_user(("learner",), name="李学员", position="teller", position_start=date(2025, 7, 2))
    certification = make_certification(requirements={**RMQ, "tenure": [{"positions": ["teller"], "months": 12}]})
    first = evaluate(learner, certification)
    assert not first.met
    assert [c.text for c in first.conditions] == [
        "客户经理准入考试：尚未参加（需 80 分）", "没有生效的师傅出师评价", "任柜员 8 个月（需 12 个月，2026-07-02 满）"]
    take_exam(learner, entry_exam, right=1)  # 50%: passed the exam's own mark, not the certification's 80
    sign_off(learner, on=date(2026, 2, 28))
    second = evaluate(learner, certification)
    assert [c.met for c in second.conditions] == [False, True, False]
    assert second.conditions[0].text == "客户经理准入考试最好成绩 50，低于 80"
    assert second.conditions[1].text == "王师傅 2026-02-28 出师评价"
    take_exam(learner, entry_exam, right=2)
    assert evaluate(learner, certification).conditions[0].text == "客户经理准入考试最好成绩 100 ≥ 80 (2026-03-02)"


def test_passing_the_exam_with_a_signoff_in_force_issues_at_once(clock, make_user, make_certification, entry_exam,
                                                                  take_exam, sign_off, fast_pdf):
    learner = make_user(("learner",), name="李学员")
    certification = make_certification(requirements=RMQ)
    take_exam(learner, entry_exam, right=2)
    assert _certificates(learner) == []  # no sign-off yet: nothing
    sign_off(learner)
    take_exam(learner, entry_exam, right=2)
    [certificate] = _certificates(learner)
    assert certificate.serial == "RMQ-2026-000001" and certificate.issued_by_id is None
    assert certificate.expires_on == date(2028, 3, 2) and certificate.holder_name == "李学员"
    assert certificate.pdf_sha256 and fast_pdf == [certificate.id]  # stored after the issue
    assert all(line["met"] for line in certificate.evidence)
    assert Notification.query.filter_by(recipient_id=learner.id, kind="certificate_issued").count() == 1
    event = AuditEvent.query.filter_by(action="certificate.issued").one()
    assert event.details_dict["mode"] == "automatic" and event.actor_label == "system"
    # A third pass issues nothing more (still valid, outside the renewal window).
    take_exam(learner, entry_exam, right=2)
    assert len(_certificates(learner)) == 1
    assert certification.id == certificate.certification_id


def test_a_withdrawn_signoff_does_not_count(clock, make_user, make_certification, entry_exam, take_exam, sign_off,
                                            fast_pdf):
    learner = make_user(("learner",))
    make_certification(requirements=RMQ)
    signoff = sign_off(learner)
    signoff.withdrawn_at = lms_clock.now()
    db.session.commit()
    take_exam(learner, entry_exam, right=2)
    assert _certificates(learner) == []


def test_the_signoff_issues_when_the_exam_was_passed_before(app, clock, make_user, make_certification, entry_exam,
                                                              take_exam, sign_off, fast_pdf):
    learner = make_user(("learner",))
    make_certification(requirements=RMQ)
    take_exam(learner, entry_exam, right=2)
    signoff = sign_off(learner)
    mentoring_signals.signoff_given.send(app, apprentice_id=learner.id, signoff_id=signoff.id)
    assert len(_certificates(learner)) == 1


def test_a_failing_issue_never_breaks_the_submit(monkeypatch, clock, make_user, make_certification, entry_exam,
                                                  take_exam, sign_off, fast_pdf):
    learner = make_user(("learner",))
    make_certification(requirements=RMQ)
    sign_off(learner)

    def broken(*_a, **_k):
        raise RuntimeError("boom")

    monkeypatch.setattr(issuing, "issue", broken)
    attempt = take_exam(learner, entry_exam, right=2)
    assert attempt.state == "finalised" and attempt.passed
    assert _certificates(learner) == []


def test_hr_issues_by_hand_with_a_reason_and_the_unmet_requirements_are_kept(client, clock, make_user,
                                                                               make_certification, fast_pdf):
    from tests.conftest import sign_in

    hr = make_user(("hr",), name="周人事")
    learner = make_user(("learner",), employee_no="E2001", name="李学员")
    certification = make_certification(requirements=RMQ)
    sign_in(client, hr)
    page = client.get("/certificates/issue?employee_no=E2001")
    assert page.status_code == 200 and 'value="E2001"' in page.text
    preview = client.get(f"/certificates/issue?employee_no=E2001&certification_id={certification.id}",
                         headers={"HX-Request": "true"})
    assert "李学员的发证条件" in preview.text and "没有生效的师傅出师评价" in preview.text
    assert "没有这个工号的人员" in client.get("/certificates/issue?employee_no=NOBODY").text
    refused = client.post("/certificates/issue", data={"employee_no": "E2001", "certification_id": certification.id,
                                                       "reason": " "})
    assert refused.status_code == 400 and _certificates(learner) == []
    assert "没有生效的师傅出师评价" in refused.text  # the preview shows what is unmet
    response = client.post("/certificates/issue", data={"employee_no": "E2001", "certification_id": certification.id,
                                                        "reason": "存量人员换发"})
    assert response.status_code == 302
    [certificate] = _certificates(learner)
    assert certificate.issued_by_id == hr.id and certificate.issue_reason == "存量人员换发"
    assert [line["met"] for line in certificate.evidence] == [False, False]
    event = AuditEvent.query.filter_by(action="certificate.issued").one()
    assert event.details_dict["reason"] == "存量人员换发" and event.details_dict["mode"] == "manual"
    assert len(event.details_dict["unmet"]) == 2
    detail = client.get(response.headers["Location"])
    assert "存量人员换发" in detail.text and "没有生效的师傅出师评价" in detail.text
    with pytest.raises(issuing.IssueError):
        issuing.issue(learner, certification, actor=hr, reason="")
    with pytest.raises(issuing.IssueError):
        issuing.issue(learner, certification, actor=learner, reason="我自己")


def test_renewal_in_the_window_supersedes_and_outside_it_issues_nothing(clock, make_user, make_certification,
                                                                          entry_exam, take_exam, sign_off, fast_pdf):
    learner = make_user(("learner",))
    certification = make_certification(requirements=RMQ, validity_months=12, renewal_window_days=60)
    sign_off(learner)
    take_exam(learner, entry_exam, right=2)
    [old] = _certificates(learner)
    assert old.expires_on == date(2027, 3, 2)
    clock.freeze(datetime_at(date(2026, 12, 31)))  # 61 days before expiry: outside the window
    assert issuing.issue_if_met(learner, certification) is None
    clock.freeze(datetime_at(date(2027, 1, 1)))  # 60 days before: the window is open
    new = issuing.issue_if_met(learner, certification)
    # A renewal runs on from the old expiry (2027-03-02), not from the day it was made: renewing early loses nothing.
    assert new is not None and new.serial == "RMQ-2027-000001" and new.expires_on == date(2028, 3, 2)
    assert issuing.issue_if_met(learner, certification) is None  # never twice
    old = db.session.get(Certificate, old.id)
    assert old.state() == CertificateState.SUPERSEDED and old.superseded_by_id == new.id
    assert AuditEvent.query.filter_by(action="certificate.superseded").count() == 1


def test_an_expired_certificate_is_renewed_and_stays_expired(clock, make_user, make_certification, entry_exam,
                                                               take_exam, sign_off, fast_pdf):
    learner = make_user(("learner",))
    certification = make_certification(requirements=RMQ, validity_months=12)
    sign_off(learner)
    take_exam(learner, entry_exam, right=2)
    clock.freeze(datetime_at(date(2027, 6, 1)))
    [old] = _certificates(learner)
    assert old.state() == CertificateState.EXPIRED
    new = issuing.issue_if_met(learner, certification)
    assert new is not None and db.session.get(Certificate, old.id).state() == CertificateState.EXPIRED


def test_revocation_is_at_once_and_nothing_is_issued_again_automatically(client, clock, make_user,
                                                                          make_certification, entry_exam, take_exam,
                                                                          sign_off, fast_pdf):
    from tests.conftest import sign_in

    hr = make_user(("hr",))
    learner = make_user(("learner",))
    certification = make_certification(requirements=RMQ)
    sign_off(learner)
    take_exam(learner, entry_exam, right=2)
    [certificate] = _certificates(learner)
    sign_in(client, hr)
    refused = client.post(f"/certificates/{certificate.id}/revoke", data={"reason": ""})
    assert refused.status_code == 400
    response = client.post(f"/certificates/{certificate.id}/revoke", data={"reason": "冒用他人账号参加考试"})
    assert response.status_code == 302
    certificate = db.session.get(Certificate, certificate.id)
    assert certificate.state() == CertificateState.REVOKED and certificate.revoke_reason == "冒用他人账号参加考试"
    assert Notification.query.filter_by(recipient_id=learner.id, kind="certificate_revoked").count() == 1
    assert AuditEvent.query.filter_by(action="certificate.revoked").one().details_dict["reason"] == "冒用他人账号参加考试"
    take_exam(learner, entry_exam, right=2)
    assert issuing.issue_if_met(learner, certification) is None and len(_certificates(learner)) == 1
    with pytest.raises(revoking.RevokeError):
        revoking.revoke(certificate.id, hr, "再撤销一次")
    # HR may issue again by hand.
    assert issuing.issue(learner, certification, actor=hr, reason="复核后重新发证") is not None


def test_the_scan_issues_what_tenure_now_allows_once(clock, make_user, make_certification, fast_pdf):
    mentor = make_user(("mentor", "learner"), position="rm_senior", position_start=date(2024, 4, 1))
    make_certification(slug="mentor-qualification", title="带教师傅资格", prefix="MTQ",
                       requirements={"tenure": [{"positions": ["rm_senior", "rm_principal"], "months": 24}]})
    assert triggers.scan().issued == 0  # 23 months
    clock.freeze(datetime_at(date(2026, 4, 1)))
    assert triggers.scan().issued == 1
    assert triggers.scan().issued == 0
    [certificate] = _certificates(mentor)
    assert certificate.serial == "MTQ-2026-000001"
    assert certificate.evidence[0]["params"]["months"] == 24


def datetime_at(day: date):
    from datetime import datetime

    return datetime(day.year, day.month, day.day, 1, 0, 0)


def test_tenure_sums_the_listed_positions(app, make_user, make_certification):
    person = make_user(("learner",), position="teller", position_start=date(2023, 1, 1))
    person.positions[0].end_date = date(2023, 7, 1)
    person.positions.append(PositionRecord(position="rm_junior", start_date=date(2023, 7, 1),
                                           end_date=date(2024, 1, 1)))
    db.session.commit()
    certification = make_certification(requirements={"tenure": [{"positions": ["teller", "rm_junior"],
                                                                  "months": 12}]})
    [condition] = evaluate(person, certification).conditions
    assert condition.met and condition.params["months"] == 12


def test_hr_cannot_revoke_their_own_certificate(client, clock, make_user, make_certification, entry_exam, take_exam,
                                                sign_off, fast_pdf):
    """Whether one's own certificate stands is someone else's judgement, either way:
    the holder (HR and a learner) sees a note instead of the form, and a sent form
    is refused next to the reason; a colleague revokes it."""
    from tests.conftest import sign_in

    hr = make_user(("hr", "learner"), name="周人事")
    certification = make_certification(requirements=RMQ)
    sign_off(hr)
    take_exam(hr, entry_exam, right=2)
    [certificate] = _certificates(hr)
    sign_in(client, hr)
    page = client.get(f"/certificates/{certificate.id}")
    assert "这是您本人的证书：是否撤销由另一位人力资源同事决定。" in page.text
    assert f"/certificates/{certificate.id}/revoke" not in page.text
    refused = client.post(f"/certificates/{certificate.id}/revoke", data={"reason": "我自己撤销"})
    assert refused.status_code == 400 and "不能撤销您本人的证书，请另一位人力资源同事办理。" in refused.text
    assert db.session.get(Certificate, certificate.id).state() == CertificateState.VALID
    assert not AuditEvent.query.filter_by(action="certificate.revoked").count()
    colleague = make_user(("hr",), name="吴人事")
    revoking.revoke(certificate.id, colleague, "复核不合格")
    assert db.session.get(Certificate, certificate.id).state() == CertificateState.REVOKED


def test_the_issue_form_finds_the_person_typed_with_spaces_or_full_width(client, clock, make_user, make_certification,
                                                                         fast_pdf):
    """Ｅ２００１ was found, E 2001 (a space copied from a register) was not: one 工号, as every lookup reads it."""
    from tests.conftest import sign_in

    make_user(("hr",), name="周人事")
    learner = make_user(("learner",), employee_no="E2001", name="李学员")
    certification = make_certification(requirements=RMQ)
    sign_in(client, make_user(("hr",), name="吴人事"))
    preview = client.get(f"/certificates/issue?employee_no=E 2001&certification_id={certification.id}",
                         headers={"HX-Request": "true"})
    assert "没有生效的师傅出师评价" in preview.text
    response = client.post("/certificates/issue", data={"employee_no": " Ｅ　２００１ ",
                                                        "certification_id": certification.id, "reason": "存量人员换发"})
    assert response.status_code == 302
    assert len(_certificates(learner)) == 1
