"""A bulk renewal's result is a page of its own (Post/Redirect/Get): the POST
renews and redirects to /certificates/renew/<batch>, read from the batch's
audit event; a refresh, the back button and the same confirmation sent again
renew nothing twice. HR renews expired certificates from the register too,
with the register's filter, through the same confirmation and result."""
from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import func, select

from lms import clock as lms_clock
from lms.audit.models import AuditEvent
from lms.certificates import issuing, renewal, renewal_batches, revoking
from lms.certificates.models import Certificate, CertificateState
from lms.extensions import db
from lms.org.models import User
from tests.conftest import sign_in


def _expiring_in(person, certification, hr, days):
    """Issued by hand, backdated, expiring ``days`` from today (2026-03-02); negative: expired."""
    issued_on = issuing.add_months(lms_clock.today() + timedelta(days=days), -certification.validity_months)
    return issuing.issue(person, certification, actor=hr, reason="存量人员换发", on=issued_on)


def _world(make_user, make_branch, make_certification):
    north, south = make_branch("N01", "北区支行"), make_branch("S01", "南区支行")
    hr = make_user(("hr",), name="周人事", employee_no="HR01", branch=north)
    colleague = make_user(("hr",), name="吴人事", employee_no="HR02", branch=north)
    rmq = make_certification(validity_months=24, renewal_window_days=90)
    held = {}
    for days, branch, name in [(10, north, "赵一"), (45, north, "钱二"), (-20, north, "孙三"), (-40, south, "李四"),
                               (-5, north, "周五")]:
        person = make_user(("learner",), name=name, branch=branch, position="rm_junior",
                           position_start=date(2023, 1, 1))
        held[name] = _expiring_in(person, rmq, colleague, days)
    return hr, colleague, north, south, rmq, held


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _batch_of(page: str) -> str:
    return re.search(r'name="batch" type="hidden" value="([^"]+)"', page).group(1)


def _confirmation(client, ids) -> str:
    page = client.post("/certificates/renew/preview", data={"certificate": [str(i) for i in ids]})
    assert page.status_code == 200
    return page.text


def test_the_renewal_redirects_to_its_result_and_a_resend_renews_nothing_twice(
        client, clock, make_user, make_branch, make_certification, fast_pdf):
    hr, _colleague, _north, _south, _rmq, held = _world(make_user, make_branch, make_certification)
    sign_in(client, hr)
    ids = [held["赵一"].id, held["钱二"].id]
    batch = _batch_of(_confirmation(client, ids))
    form = {"certificate": [str(i) for i in ids], "reason": "2026 年一季度批量续期", "batch": batch}
    sent = client.post("/certificates/renew/", data=form)
    assert sent.status_code == 303 and sent.headers["Location"].endswith(f"/certificates/renew/{batch}")
    certificates, issued = _count(Certificate), _count(AuditEvent, AuditEvent.action == "certificate.issued")
    result = client.get(f"/certificates/renew/{batch}").text
    assert "已续期 2 张证书。" in result and "由周人事 (HR01) 于" in result and "2026 年一季度批量续期" in result
    for name in ("赵一", "钱二"):
        new = db.session.get(Certificate, db.session.get(Certificate, held[name].id).superseded_by_id)
        assert f'id="renewed-{held[name].id}"' in result and new.serial in result
    # A double click, a refresh of the POST, the back button and "send again": the same batch.
    again = client.post("/certificates/renew/", data=form)
    assert again.status_code == 303 and again.headers["Location"] == sent.headers["Location"]
    assert client.get(f"/certificates/renew/{batch}").text.count("已续期 2 张证书。") == 1  # a refresh reads it again
    assert (_count(Certificate), _count(AuditEvent, AuditEvent.action == "certificate.issued")) == (certificates,
                                                                                                     issued)
    assert _count(AuditEvent, AuditEvent.action == "certificate.bulk_renewal") == 1


def test_the_same_batch_run_twice_renews_once(app, clock, make_user, make_branch, make_certification, fast_pdf):
    hr, _colleague, _north, _south, _rmq, held = _world(make_user, make_branch, make_certification)
    token = renewal_batches.new_token()
    ids = [held["赵一"].id]
    assert renewal_batches.run(token, ids, hr, "续期", include_unmet=False, scope=None) is True
    before = _count(Certificate)
    assert renewal_batches.run(token, ids, hr, "续期", include_unmet=False, scope=None) is False
    assert _count(Certificate) == before
    done = renewal_batches.outcome(token).done
    assert [r.old.id for r in done.renewed] == ids and done.not_renewed == []


def test_why_not_is_kept_as_a_code_and_read_in_the_reader_s_language(
        client, clock, make_user, make_branch, make_certification, fast_pdf):
    hr, colleague, _north, _south, _rmq, held = _world(make_user, make_branch, make_certification)
    revoking.revoke(held["钱二"].id, colleague, "冒用他人账号参加考试")
    sign_in(client, hr)
    ids = [held["赵一"].id, held["钱二"].id]
    batch = _batch_of(_confirmation(client, ids))
    client.post("/certificates/renew/", data={"certificate": [str(i) for i in ids], "reason": "续期", "batch": batch})
    revoking.revoke(held["赵一"].id, colleague, "事后撤销")  # the old one, after: the outcome stays the batch's
    page = client.get(f"/certificates/renew/{batch}").text
    assert "已续期 1 张证书。" in page and f'id="renewed-{held["赵一"].id}"' in page
    assert f'id="not-renewed-{held["钱二"].id}"' in page and "已于 2026-03-02 撤销" in page
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "certificate.bulk_renewal")).one()
    assert event.object_id == batch and event.details_dict["not_renewed"] == [
        [held["钱二"].id, "revoked", {"day": "2026-03-02"}]]
    english = make_user(("hr",), name="Hannah", locale="en")
    sign_in(client, english)
    page = client.get(f"/certificates/renew/{batch}").text
    assert "1 certificate renewed." in page and "Revoked on 2026-03-02" in page


def test_the_result_opens_for_hr_only_and_is_404_for_anyone_else(
        client, clock, make_user, make_branch, make_certification, fast_pdf):
    hr, colleague, north, _south, _rmq, held = _world(make_user, make_branch, make_certification)
    readers = [(hr.id, 200), (colleague.id, 200), (make_user(("admin",)).id, 200),
               (make_user(("branch_manager",), branch=north).id, 404), (held["赵一"].user_id, 404),
               (make_user(("trainer",)).id, 404)]
    token = renewal_batches.new_token()
    renewal_batches.run(token, [held["赵一"].id], hr, "续期", include_unmet=False, scope=None)
    url = f"/certificates/renew/{token}"
    assert client.get(url).status_code == 302  # not signed in: to the sign-in page
    for user_id, status in readers:
        sign_in(client, db.session.get(User, user_id))
        assert client.get(url).status_code == status, user_id
    sign_in(client, db.session.get(User, hr.id))
    assert client.get(f"/certificates/renew/{renewal_batches.new_token()}").status_code == 404  # no such batch
    assert client.get("/certificates/renew/not-a-batch").status_code == 404


def test_the_register_offers_hr_its_expired_certificates_to_renew(
        client, clock, make_user, make_branch, make_certification, fast_pdf):
    hr, colleague, north, _south, rmq, held = _world(make_user, make_branch, make_certification)
    # 周五's expired certificate was renewed since by a new one (issued after it expired): not offered again.
    renewed_since = issuing.issue(held["周五"].holder, rmq, actor=colleague, reason="过期后补发")
    sign_in(client, hr)
    page = client.get("/certificates/").text
    for name in ("孙三", "李四"):
        assert f'name="certificate" value="{held[name].id}"' in page
    for certificate in (held["赵一"], held["钱二"], held["周五"], renewed_since):  # valid, or replaced since
        assert f'name="certificate" value="{certificate.id}"' not in page
    assert "续期筛选出的全部 2 张已过期证书…" in page
    page = client.get(f"/certificates/?branch={north.id}").text
    assert "续期筛选出的全部 1 张已过期证书…" in page and f'name="branch" value="{north.id}"' in page
    # Every expired one the filter finds (北区 only), chosen on the server.
    text = client.post("/certificates/renew/preview", data={"source": "register", "matching": "y",
                                                            "branch": str(north.id)}).text
    form = text[text.index('id="renewal-confirm"'):]
    assert re.findall(r'name="certificate" value="(\d+)"', form) == [str(held["孙三"].id)]
    assert 'href="/certificates/"' in form  # Cancel goes back to the register
    # Expired: the new one runs from today (no window to run on from).
    assert issuing.add_months(lms_clock.today(), 24).isoformat() in text
    done = client.post("/certificates/renew/", data={"certificate": str(held["孙三"].id), "reason": "过期证书批量续期",
                                                    "batch": _batch_of(text), "source": "register"},
                       follow_redirects=True).text
    assert "已续期 1 张证书。" in done and '<a href="/certificates/">← 证书台账</a>' in done
    assert renewal.newer_than(held["孙三"], issuing.holder_certificates(held["孙三"].user_id)).is_valid()
    assert f'name="certificate" value="{held["孙三"].id}"' not in client.get("/certificates/").text


def test_a_branch_manager_and_a_past_day_s_register_offer_no_renewal(
        client, clock, make_user, make_branch, make_certification, fast_pdf):
    hr, _colleague, north, _south, _rmq, held = _world(make_user, make_branch, make_certification)
    sign_in(client, make_user(("branch_manager",), branch=north))
    page = client.get("/certificates/").text
    assert "孙三" in page and 'id="renewal-selection"' not in page and 'name="certificate"' not in page
    assert client.post("/certificates/renew/preview", data={"source": "register", "matching": "y"}).status_code == 403
    sign_in(client, hr)
    page = client.get("/certificates/?on=2026-01-01").text
    assert 'id="renewal-selection"' not in page
    page = client.get("/certificates/?state=valid").text  # the expired ones the filter hides are not offered
    assert 'id="renewal-selection"' not in page
    assert held["孙三"].state() == CertificateState.EXPIRED
