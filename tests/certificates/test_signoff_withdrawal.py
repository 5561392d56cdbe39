"""Withdrawing a sign-off (出师评价撤销) leaves the certificates issued on it
valid, but never silently: HR sees them at the withdrawal, on the sign-off's
page, on the certificate's page and at the top of the certificate register,
and decides for each — revoke it, or keep it with a reason (audited)."""
from __future__ import annotations

from lms.audit.models import AuditEvent
from lms.certificates.models import Certificate, CertificateState
from lms.extensions import db
from tests.conftest import sign_in
from tests.test_labels import visible_text

RMQ = {"exams": [{"exam": "exam-rm-entry", "min_score": 80}], "signoff": True}


def _issued_on_signoff(make_user, make_certification, entry_exam, take_exam, sign_off, name="李学员"):
    learner = make_user(("learner",), name=name)
    signoff = sign_off(learner)
    take_exam(learner, entry_exam, right=2)  # requirements met: issued automatically, on this sign-off
    [certificate] = Certificate.query.filter_by(user_id=learner.id).all()
    return learner, signoff, certificate


def test_hr_sees_the_certificates_at_the_withdrawal_and_keeps_one_with_a_reason(
        client, clock, make_user, make_certification, entry_exam, take_exam, sign_off, fast_pdf):
    make_certification(requirements=RMQ)
    hr = make_user(("hr",), name="周人事")
    learner, signoff, certificate = _issued_on_signoff(make_user, make_certification, entry_exam, take_exam, sign_off)
    sign_in(client, hr)

    # Before confirming, the withdrawal page names the valid certificate issued on this sign-off.
    page = client.get(f"/mentoring/signoffs/{signoff.id}/withdraw")
    assert page.status_code == 200
    assert certificate.serial in page.text and "id=\"signoff-certificates\"" in page.text
    assert "撤销出师评价不会自动撤销这些证书" in visible_text(page.text)
    # Nothing waits in the register while the sign-off is in force.
    assert "signoff-withdrawn-certificates" not in client.get("/certificates/").text

    assert client.post(f"/mentoring/signoffs/{signoff.id}/withdraw", data={"reason": "评价依据不实"}).status_code == 302
    record = client.get(f"/mentoring/signoffs/{signoff.id}")
    assert f"/certificates/{certificate.id}#certificate-signoff-withdrawn" in record.text
    register = client.get("/certificates/")
    assert "1 张有效证书所依据的出师评价已撤销" in visible_text(register.text)
    assert f'id="awaiting-{certificate.id}"' in register.text
    detail = client.get(f"/certificates/{certificate.id}")
    assert 'id="certificate-signoff-withdrawn"' in detail.text and "评价依据不实" in detail.text
    assert 'id="certificate-keep-form"' in detail.text and 'id="certificate-revoke"' in detail.text

    # Keeping needs a reason, said next to the field.
    refused = client.post(f"/certificates/{certificate.id}/keep", data={"keep-reason": ""})
    assert refused.status_code == 400
    assert 'class="field has-error"' in refused.text and 'id="keep-reason"' in refused.text
    assert AuditEvent.query.filter_by(action="certificate.kept_after_signoff_withdrawal").count() == 0

    kept = client.post(f"/certificates/{certificate.id}/keep", data={"keep-reason": "已另行考核通过"})
    assert kept.status_code == 302
    event = AuditEvent.query.filter_by(action="certificate.kept_after_signoff_withdrawal").one()
    assert event.actor_id == hr.id and event.object_id == str(certificate.id)
    assert event.details_dict["reason"] == "已另行考核通过" and event.details_dict["signoff_id"] == signoff.id
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).state() == CertificateState.VALID
    # Decided: no longer listed anywhere, and a second keep is refused.
    assert "signoff-withdrawn-certificates" not in client.get("/certificates/").text
    assert "certificate-signoff-withdrawn" not in client.get(f"/certificates/{certificate.id}").text
    assert "signoff-certificates" not in client.get(f"/mentoring/signoffs/{signoff.id}").text
    assert client.post(f"/certificates/{certificate.id}/keep", data={"keep-reason": "再次"}).status_code == 400
    # The audit log reads it as a sentence.
    assert "保留了证书" in visible_text(client.get("/audit/").text)


def test_a_revoked_certificate_leaves_the_list_and_the_list_keeps_to_the_branch_scope(
        client, clock, make_user, make_branch, make_certification, entry_exam, take_exam, sign_off, fast_pdf):
    make_certification(requirements=RMQ)
    hr = make_user(("hr",))
    north, south = make_branch("N01", "北支行"), make_branch("S01", "南支行")
    manager = make_user(("branch_manager",), branch=south)
    learner, signoff, certificate = _issued_on_signoff(make_user, make_certification, entry_exam, take_exam, sign_off)
    learner.branch = north
    db.session.commit()
    sign_in(client, hr)
    client.post(f"/mentoring/signoffs/{signoff.id}/withdraw", data={"reason": "撤销"})
    assert f'id="awaiting-{certificate.id}"' in client.get("/certificates/").text

    sign_in(client, manager)  # another branch's manager does not see it
    assert f"awaiting-{certificate.id}" not in client.get("/certificates/").text

    sign_in(client, hr)
    assert client.post(f"/certificates/{certificate.id}/revoke", data={"reason": "出师评价已撤销"}).status_code == 302
    assert "signoff-withdrawn-certificates" not in client.get("/certificates/").text


def test_a_certificate_issued_on_an_earlier_signoff_is_not_listed_for_a_later_one(
        client, clock, make_user, make_certification, entry_exam, take_exam, sign_off, fast_pdf):
    make_certification(requirements=RMQ)
    hr = make_user(("hr",))
    learner, first, certificate = _issued_on_signoff(make_user, make_certification, entry_exam, take_exam, sign_off)
    sign_in(client, hr)
    client.post(f"/mentoring/signoffs/{first.id}/withdraw", data={"reason": "重评"})
    client.post(f"/certificates/{certificate.id}/keep", data={"keep-reason": "保留"})
    client.get("/")  # the flash of the keep
    second = sign_off(learner)  # signed off again; the certificate still rests on the first
    page = client.get(f"/mentoring/signoffs/{second.id}/withdraw")
    assert page.status_code == 200 and 'id="signoff-certificates"' not in page.text


def test_hr_cannot_keep_their_own_certificate_after_its_signoff_is_withdrawn(
        client, clock, make_user, make_certification, entry_exam, take_exam, sign_off, fast_pdf):
    """Keeping a certificate valid is a second person's judgement, as issuing one by
    hand is: an HR officer who holds one decides nothing on it."""
    make_certification(requirements=RMQ)
    other_hr = make_user(("hr",), name="周人事")
    holder = make_user(("hr", "learner"), name="吴人事")
    signoff = sign_off(holder)
    take_exam(holder, entry_exam, right=2)
    [certificate] = Certificate.query.filter_by(user_id=holder.id).all()
    sign_in(client, other_hr)
    assert client.post(f"/mentoring/signoffs/{signoff.id}/withdraw", data={"reason": "评价依据不实"}).status_code == 302

    sign_in(client, holder)
    detail = client.get(f"/certificates/{certificate.id}")
    assert 'id="certificate-keep-form"' not in detail.text
    assert "这是您本人的证书：是否保留由另一位人力资源同事决定。" in visible_text(detail.text)
    refused = client.post(f"/certificates/{certificate.id}/keep", data={"keep-reason": "我已另行考核通过"})
    assert refused.status_code == 400
    assert "不能保留您本人的证书，请另一位人力资源同事决定。" in visible_text(refused.text)
    assert AuditEvent.query.filter_by(action="certificate.kept_after_signoff_withdrawal").count() == 0

    # Another HR officer still decides.
    sign_in(client, other_hr)
    assert client.post(f"/certificates/{certificate.id}/keep", data={"keep-reason": "已另行考核通过"}).status_code == 302
    assert AuditEvent.query.filter_by(action="certificate.kept_after_signoff_withdrawal").count() == 1
