"""Certificates against a careless user and an attacker: HR issuing to
themselves, the manual-issue form sent twice, and downloads of a register
holding characters a worksheet cannot carry or text that looks like a formula."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from lms.audit.models import AuditEvent
from lms.certificates import issuing, revoking
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.notify.models import Notification
from tests.conftest import sign_in


def _issue_form(client, person, certification, reason="存量人员换发"):
    return client.post("/certificates/issue", data={"employee_no": person.employee_no,
                                                    "certification_id": str(certification.id), "reason": reason})


def test_hr_cannot_issue_a_certificate_to_themselves(client, clock, make_user, make_certification, fast_pdf):
    hr = make_user(("hr", "learner"), employee_no="hr01", name="周人事")
    rmq = make_certification()
    sign_in(client, hr)
    answer = _issue_form(client, hr, rmq, reason="我自己发给自己")
    assert answer.status_code == 400 and "不能给自己颁发证书" in answer.text
    assert Certificate.query.count() == 0 and not AuditEvent.query.filter_by(action="certificate.issued").all()


def test_the_manual_issue_sent_twice_issues_one_certificate(client, clock, make_user, make_certification, fast_pdf):
    hr = make_user(("hr",), employee_no="hr01")
    learner = make_user(("learner",), employee_no="E1", name="李学员")
    rmq = make_certification()
    sign_in(client, hr)
    assert _issue_form(client, learner, rmq).status_code == 302
    again = _issue_form(client, learner, rmq)  # the double click, or the second tab
    assert again.status_code == 400 and "今天颁发" in again.text and "RMQ-2026-000001" in again.text
    [certificate] = Certificate.query.all()
    assert certificate.superseded_by_id is None
    assert Notification.query.filter_by(recipient_id=learner.id, kind="certificate_issued").count() == 1
    # Revoked (issued by mistake), it may be issued again the same day.
    revoking.revoke(certificate.id, hr, "错发")
    assert _issue_form(client, learner, rmq, reason="更正后重新颁发").status_code == 302
    assert Certificate.query.count() == 2


def test_exports_survive_control_characters_and_keep_formulas_as_text(client, clock, make_user, make_certification,
                                                                      fast_pdf):
    hr = make_user(("hr",), employee_no="hr01")
    pasted = make_user(("learner",), employee_no="E1", name="李\x0b学员")  # a vertical tab pasted from Excel
    hostile = make_user(("learner",), employee_no="E2", name="=HYPERLINK(\"http://x\",\"点我\")")
    rmq = make_certification()
    first = issuing.issue(pasted, rmq, actor=hr, reason="换发")
    issuing.issue(hostile, rmq, actor=hr, reason="换发")
    revoking.revoke(first.id, hr, "错发\x1b[31m")
    sign_in(client, hr)
    for url in ("/certificates/export.xlsx", "/certificates/expiring/export.xlsx?within=90"):
        answer = client.get(url)
        assert answer.status_code == 200, url
    sheet = load_workbook(io.BytesIO(client.get("/certificates/export.xlsx").data)).active
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert cells[first.serial][1].value == "李学员" and cells[first.serial][9].value == "错发[31m"
    hostile_row = next(row for serial, row in cells.items() if serial != first.serial)
    assert hostile_row[1].data_type == "s" and hostile_row[1].value.startswith("=HYPERLINK")
    rows = list(csv.reader(io.StringIO(client.get("/certificates/export.csv").data.decode("utf-8-sig"))))
    assert "'=HYPERLINK(\"http://x\",\"点我\")" in [r[1] for r in rows]
    mentoring = client.get("/mentoring/admin/export/unpaired.xlsx")
    assert mentoring.status_code == 200


def _revoke_form(html: str) -> dict:
    import re

    form = re.search(r'<section class="card" id="certificate-revoke">.*?</form>', html, re.S).group(0)
    return dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form))


def test_a_revocation_from_a_page_opened_before_a_renewal_revokes_nothing(client, clock, make_user,
                                                                          make_certification, fast_pdf):
    """HR opens 李学员's certificate to revoke it; meanwhile a renewal replaces it
    with a new one. The revocation sent from the page as it was would revoke the
    replaced certificate and leave the new one in force, HR believing the
    qualification taken away: nothing is revoked, HR is told which certificate
    is in force now; sent again from the page as it is now, it revokes this one."""
    from datetime import timedelta

    hr = make_user(("hr",), employee_no="hr01")
    learner = make_user(("learner",), employee_no="E1", name="李学员")
    rmq = make_certification()
    first = issuing.issue(learner, rmq, actor=hr, reason="换发")
    db.session.commit()
    sign_in(client, hr)
    stale = _revoke_form(client.get(f"/certificates/{first.id}").text)
    assert stale["seen"] == "valid"
    clock.advance(timedelta(days=1))
    second = issuing.issue(learner, rmq, actor=hr, reason="续证")
    db.session.commit()
    refused = client.post(f"/certificates/{first.id}/revoke", data={**stale, "reason": "违规展业"})
    assert refused.status_code == 400 and second.serial in refused.text and "未撤销" in refused.text
    db.session.expire_all()
    assert db.session.get(Certificate, first.id).revoked_at is None
    assert db.session.get(Certificate, second.id).is_valid()
    again = client.post(f"/certificates/{first.id}/revoke", data={**_revoke_form(refused.text), "reason": "违规展业"})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Certificate, first.id).revoked_at is not None
