"""The audit log names a certification by its title, never its code
(`rm-qualification`), and a certificate's holder under 持证人: on the log's
page, in both languages, and in the evidence pack HR downloads."""
from __future__ import annotations

from lms.certificates import issuing
from tests.certificates.conftest import pdf_text
from tests.conftest import sign_in

SIGNOFF = {"signoff": True}


def _issue(make_user, make_certification):
    hr = make_user(("hr",), name="周人事")
    learner = make_user(("learner",), name="李学员", employee_no="E2001")
    certification = make_certification(slug="rm-qualification", title="客户经理上岗资格", requirements=SIGNOFF)
    issuing.issue(learner, certification, actor=hr, reason="存量人员换发")
    return hr, learner


def test_the_log_page_names_the_certification_and_the_holder(client, make_user, make_certification, fast_pdf):
    hr, _learner = _issue(make_user, make_certification)
    sign_in(client, hr)
    page = client.get("/audit/").text
    assert '<span class="detail-label">资格认证：</span>客户经理上岗资格' in page
    assert '<span class="detail-label">持证人：</span>李学员 (E2001)' in page
    assert "rm-qualification" not in page
    client.post("/language", data={"lang": "en"})
    page = client.get("/audit/").text
    assert '<span class="detail-label">Certification: </span>客户经理上岗资格' in page
    assert '<span class="detail-label">Holder: </span>李学员 (E2001)' in page
    assert "rm-qualification" not in page


def test_a_retired_certification_unknown_now_still_shows_its_code(client, make_user, make_certification, fast_pdf):
    from lms.audit import services as audit
    from lms.extensions import db

    hr = make_user(("hr",), name="周人事")
    audit.record("certificate.issued", object_type="certificate", object_id="999", actor=hr,
                 serial="OLD-2020-000001", certification="old-qualification", mode="manual")
    db.session.commit()
    sign_in(client, hr)
    assert '<span class="detail-label">资格认证：</span>old-qualification' in client.get("/audit/").text


def test_the_evidence_pack_names_the_certification(client, make_user, make_certification, fast_pdf):
    hr, learner = _issue(make_user, make_certification)
    sign_in(client, hr)
    response = client.post(f"/org/people/{learner.id}/evidence-pack.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data, layout=False).replace("\n", "")
    assert "资格认证：客户经理上岗资格" in text and "持证人：李学员 (E2001)" in text
    assert "rm-qualification" not in text
