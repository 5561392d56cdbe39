"""A certificate HR issued to someone who had not met every requirement says
so: its PDF reads "by decision of Human Resources" where an automatic one
reads "has met every requirement", and /verify says it was HR's decision (in
Chinese and English), also for a certificate issued before this wording
(read from the evidence it keeps)."""
from __future__ import annotations

import json

from lms.certificates import issuing
from lms.certificates.models import Certificate
from lms.extensions import db
from tests.certificates.conftest import pdf_text

SIGNOFF = {"signoff": True}
ALL_MET_ZH = "已达到以下资格的全部要求"
ALL_MET_EN = "has met every requirement of the certification above"
DECISION_ZH = "经人力资源部门决定，授予以下资格"
DECISION_EN = "is awarded the certification above by decision of Human Resources."


def _flat(pdf: bytes) -> str:
    return " ".join(pdf_text(pdf, layout=False).split())


def _verify(client, certificate, lang=None):
    if lang:
        client.post("/language", data={"lang": lang})
    return client.get(f"/verify/{certificate.verify_code}").text


def test_hr_issue_with_a_requirement_unmet_says_hr_decided_on_the_pdf_and_verify(client, make_user,
                                                                                  make_certification):
    hr = make_user(("hr",))
    learner = make_user(("learner",), name="李学员")
    certification = make_certification(requirements=SIGNOFF)
    certificate = issuing.issue(learner, certification, actor=hr, reason="存量人员换发")
    pdf = issuing.stored_pdf(certificate.id)
    text = _flat(pdf)
    assert DECISION_ZH.replace("，", "") in text.replace("，", "").replace(" ", "") and DECISION_EN in text
    assert ALL_MET_ZH not in text.replace(" ", "") and "has met every requirement" not in text
    page = _verify(client, certificate)
    assert "人力资源部门决定颁发" in page and "颁发时持证人尚未满足该资格的全部要求" in page
    assert "存量人员换发" not in page  # the reason stays inside the bank
    page = _verify(client, certificate, "en")
    assert "Issued by HR&#39;s decision" in page or "Issued by HR's decision" in page
    assert "the holder had not met every requirement of the certification when it was issued" in page


def test_an_automatic_certificate_and_a_manual_one_with_everything_met_keep_the_wording(client, make_user,
                                                                                         make_certification, sign_off):
    hr = make_user(("hr",))
    learner = make_user(("learner",), name="王五")
    certification = make_certification(requirements=SIGNOFF)
    sign_off(learner)
    automatic = issuing.issue_if_met(learner, certification)
    assert automatic is not None and automatic.issued_by_id is None
    other = make_user(("learner",), name="赵六")
    sign_off(other, mentor=make_user(("mentor", "learner"), name="钱师傅"))
    manual = issuing.issue(other, certification, actor=hr, reason="补发")
    assert manual.issued_by_id == hr.id
    for certificate in (automatic, manual):
        text = _flat(issuing.stored_pdf(certificate.id))
        assert ALL_MET_ZH in text.replace(" ", "") and ALL_MET_EN in text
        assert "Human Resources" not in text
        assert "人力资源部门决定" not in _verify(client, certificate)
        assert "HR&#39;s decision" not in _verify(client, certificate, "en")
        client.post("/language", data={"lang": "zh"})


def test_a_certificate_issued_before_reads_from_its_evidence(client, make_certificate):
    """Issued by hand before this wording, its evidence keeping a requirement unmet: /verify says HR decided,
    and a PDF rendered for it (the first download when it was missing) too."""
    unmet = json.dumps([{"kind": "signoff", "met": False, "params": {}}])
    met = json.dumps([{"kind": "signoff", "met": True, "params": {"mentor": "王师傅", "on": "2026-02-01"}}])
    earlier = make_certificate(evidence_json=unmet, issue_reason="存量人员换发")
    assert "人力资源部门决定颁发" in _verify(client, earlier)
    assert DECISION_EN in _flat(earlier.pdf)
    kept = make_certificate(evidence_json=met)
    assert "人力资源部门决定" not in _verify(client, kept) and ALL_MET_EN in _flat(kept.pdf)


def test_the_pdf_handed_out_before_the_wording_was_corrected_still_verifies_and_says_so(client, make_certificate):
    import hashlib
    import io

    earlier = b"%PDF-1.7 the copy that said every requirement was met"
    unmet = json.dumps([{"kind": "signoff", "met": False, "params": {}}])
    certificate = make_certificate(evidence_json=unmet, earlier_pdf_sha256=hashlib.sha256(earlier).hexdigest())

    def upload(data):
        return client.post("/verify/", data={"pdf": (io.BytesIO(data), "certificate.pdf")},
                           content_type="multipart/form-data").text

    page = upload(earlier)
    assert "此证书有效" in page and "人力资源部门决定颁发" in page
    assert "最初颁发的 PDF 完全一致" in page and "与事实不符" in page
    page = upload(certificate.pdf)  # today's PDF is the one issued now
    assert "人力资源部门决定颁发" in page and "最初颁发" not in page and "完全一致" in page
