"""Someone who left the bank (deactivated by HR or by 离职 in an import): the
certificate stays as issued — it records training that happened — but a
customer scanning its QR code is told the holder no longer works at the bank
as of the leaving day, and nothing else; HR's register, its download, the
certificate's page and the person page say the same; nobody is asked to
renew a leaver's certificate."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from lms.certificates import expiry, issuing
from lms.extensions import db
from lms.notify.models import Notification
from lms.org import services
from tests.conftest import sign_in


def _leaver(make_user, make_branch, make_certificate, clock, *, reason="个人原因离职，去向保密"):
    """李学员 holds a valid certificate, and HR deactivated her on 2026-03-02 (the clock's day)."""
    hr = make_user(("hr",), name="周人事")
    holder = make_user(name="李学员", employee_no="880123", branch=make_branch("ZZ0101", "天元支行"))
    certificate = make_certificate(holder=holder)
    services.deactivate(holder, reason, actor=hr)
    return hr, holder, certificate


def test_verify_says_the_holder_left_and_since_when_and_nothing_else(client, clock, make_user, make_branch,
                                                                     make_certificate, fast_pdf):
    hr, holder, certificate = _leaver(make_user, make_branch, make_certificate, clock)
    clock.advance(timedelta(days=40))  # the customer scans it weeks later
    page = client.get(f"/verify/{certificate.verify_code}")
    assert page.status_code == 200
    text = page.text
    assert "此证书有效" in text  # the certificate itself stays as issued
    assert "持证人已于 2026-03-02 离职" in text and "不代表其现在仍在本行工作" in text
    for personal in ("李学员", "880123", "天元支行", "个人原因", "去向保密", "周人事"):
        assert personal not in text, personal


def test_verify_by_uploaded_pdf_says_the_same(client, clock, make_user, make_branch, make_certificate):
    hr, holder, certificate = _leaver(make_user, make_branch, make_certificate, clock)
    page = client.post("/verify/", data={"csrf_token": client.csrf_token(),
                                         "pdf": (io.BytesIO(certificate.pdf), "c.pdf")},
                       content_type="multipart/form-data")
    assert "持证人已于 2026-03-02 离职" in page.text


def test_a_colleague_at_work_is_not_called_a_leaver_and_a_rehire_is_at_work_again(client, clock, make_user,
                                                                                make_branch, make_certificate,
                                                                                fast_pdf):
    at_work = make_certificate(holder=make_user(name="王五"))
    assert "离职" not in client.get(f"/verify/{at_work.verify_code}").text
    hr, holder, certificate = _leaver(make_user, make_branch, make_certificate, clock)
    clock.advance(timedelta(days=3))
    services.reactivate(holder, "返聘", actor=hr)
    assert "离职" not in client.get(f"/verify/{certificate.verify_code}").text
    clock.advance(timedelta(days=30))
    services.deactivate(holder, "再次离职", actor=hr)  # the last leaving counts
    assert "持证人已于 2026-04-04 离职" in client.get(f"/verify/{certificate.verify_code}").text


def test_the_register_its_download_the_certificate_and_the_person_page_say_it_too(client, clock, make_user,
                                                                                 make_branch, make_certificate,
                                                                                 fast_pdf):
    hr, holder, certificate = _leaver(make_user, make_branch, make_certificate, clock)
    colleague = make_certificate(holder=make_user(name="王五"))
    sign_in(client, hr)
    register = client.get("/certificates/")
    assert register.text.count("2026-03-02 离职") == 1  # 李学员's row, not 王五's
    rows = list(csv.reader(io.StringIO(client.get("/certificates/export.csv").data.decode("utf-8-sig"))))
    column = rows[0].index("离职日期")
    by_serial = {r[0]: r for r in rows[1:]}
    assert by_serial[certificate.serial][column] == "2026-03-02" and by_serial[colleague.serial][column] == ""
    assert by_serial[certificate.serial][7] == "有效"  # the state as issued
    detail = client.get(f"/certificates/{certificate.id}").text
    assert "2026-03-02 离职" in detail and 'id="renew"' not in detail  # nothing to renew for a leaver
    assert 'id="renew"' in client.get(f"/certificates/{colleague.id}").text
    person = client.get(f"/org/people/{holder.id}").text
    assert "已停用 · 2026-03-02 离职" in person
    assert 'id="person-certificates-left"' in person and "验证页" in person


def test_hr_is_told_what_deactivating_means_for_the_certificates(client, clock, make_user, make_branch):
    hr = make_user(("hr",))
    person = make_user(name="王五", branch=make_branch())
    sign_in(client, hr)
    page = client.get(f"/org/people/{person.id}").text
    assert 'id="deactivate-means"' in page and "离职" in page


def test_nobody_is_asked_to_renew_a_leavers_certificate(client, clock, make_user, make_branch, make_certification,
                                                         make_certificate, fast_pdf):
    branch = make_branch("ZZ0101", "天元支行")
    manager = make_user(("branch_manager", "learner"), name="赵行长", branch=branch)
    hr = make_user(("hr",))
    leaver = make_user(name="付晓东", branch=branch)
    staying = make_user(name="钱二", branch=branch)
    soon = dict(issued_on=date(2024, 3, 20), expires_on=date(2026, 3, 20))  # 18 days from the clock's day
    gone = make_certificate(holder=leaver, **soon)
    kept = make_certificate(holder=staying, **soon)
    services.deactivate(leaver, "个人原因离职", actor=hr)
    Notification.query.delete()
    db.session.commit()
    sent = expiry.send_expiry_notices()
    assert (sent.holders, sent.managers) == (1, 1)
    alerts = Notification.query.filter_by(kind="certificate_expiring_alert", recipient_id=manager.id).all()
    assert [a.subject for a in alerts] == [f"certificate:{kept.id}:30"]
    sign_in(client, hr)
    listed = client.get("/certificates/expiring?within=30").text
    assert kept.serial in listed and gone.serial not in listed
    assert issuing.valid_certificate(leaver.id, gone.certification_id) is not None  # still valid as issued
