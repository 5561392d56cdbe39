"""What a learner is told about a certification they meet but do not hold.
After HR revoked their certificate nothing is issued automatically (HR issues
again by hand), yet 我的证书 said "the certificate is issued automatically" —
a wait for something that never comes. The result page of the exam now says
what happens next as well."""
from __future__ import annotations

from datetime import datetime

from tests.conftest import sign_in


def test_after_a_revocation_the_learner_is_sent_to_hr_not_told_to_wait(app, client, make_user, make_certification,
                                                                     make_certificate, entry_exam, take_exam,
                                                                     fast_pdf):
    learner = make_user(("learner",), name="李学员")
    certification = make_certification(requirements={"exams": [{"exam": "exam-rm-entry", "min_score": 50}]})
    make_certificate(holder=learner, certification=certification, revoked_at=datetime(2026, 3, 1, 3, 0),
                     revoke_reason="资料不实")
    attempt = take_exam(learner, entry_exam, right=2)
    assert attempt.passed
    sign_in(client, learner)
    mine = client.get("/certificates/mine").text
    assert "证书将自动颁发" not in mine and "须由人力资源部门人工发证" in mine
    result = client.get(f"/attempts/{attempt.id}/result").text
    assert 'id="result-certificates"' in result and "须由人力资源部门人工发证" in result


def test_the_result_page_names_what_is_still_missing(app, client, make_user, make_certification, entry_exam,
                                                     take_exam, fast_pdf):
    learner = make_user(("learner",), name="李学员")
    make_certification(requirements={"exams": [{"exam": "exam-rm-entry", "min_score": 50}], "signoff": True})
    attempt = take_exam(learner, entry_exam, right=2)
    sign_in(client, learner)
    result = client.get(f"/attempts/{attempt.id}/result").text
    assert "客户经理上岗资格将在以下各项要求全部达到后自动颁发，颁发时会通知您。" in result
    assert "✗ 没有生效的师傅出师评价" in result
