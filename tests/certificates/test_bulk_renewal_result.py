"""A bulk renewal's result is a page of its own (Post/Redirect/Get): the POST
renews and redirects to /certificates/renew/<batch>, read from the batch's
audit event; a refresh, the back button and the same confirmation sent again
renew nothing twice. HR renews expired certificates from the register too,
with the register's filter, through the same confirmation and result."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms import clock as lms_clock
from lms.audit.models import AuditEvent
from lms.certificates import issuing, renewal, renewal_batches, revoking
from lms.certificates.models import Certificate, CertificateState
from lms.extensions import db
from lms.org.models import User
from tests.certificates.conftest import count_rows
from tests.conftest import sign_in


@pytest.fixture
def world(renewal_world):
    """Two certificates expiring in 10 and 45 days (today is 2026-03-02), three expired, one of them in 南区支行."""
    return renewal_world([(10, "north", "rm_junior", "赵一"), (45, "north", "rm_junior", "钱二"),
                          (-20, "north", "rm_junior", "孙三"), (-40, "south", "rm_junior", "李四"),
                          (-5, "north", "rm_junior", "周五")])


def _batch_of(page: str) -> str:
    return re.search(r'name="batch" type="hidden" value="([^"]+)"', page).group(1)


def _confirmation(client, ids) -> str:
    page = client.post("/certificates/renew/preview", data={"certificate": [str(i) for i in ids]})
    assert page.status_code == 200
    return page.text


def test_the_renewal_redirects_to_its_result_and_a_resend_renews_nothing_twice(client, clock, world, fast_pdf):
    hr, _colleague, _north, _south, _rmq, held = world
    sign_in(client, hr)
    ids = [held["赵一"].id, held["钱二"].id]
    batch = _batch_of(_confirmation(client, ids))
    form = {"certificate": [str(i) for i in ids], "reason": "2026 年一季度批量续期", "batch": batch}
    sent = client.post("/certificates/renew/", data=form)
    assert sent.status_code == 303 and sent.headers["Location"].endswith(f"/certificates/renew/{batch}")
    certificates = count_rows(Certificate)
    issued = count_rows(AuditEvent, AuditEvent.action == "certificate.issued")
    result = client.get(f"/certificates/renew/{batch}").text
    assert "已续期 2 张证书。" in result and "由周人事 (HR01) 于" in result and "2026 年一季度批量续期" in result
    for name in ("赵一", "钱二"):
        new = db.session.get(Certificate, db.session.get(Certificate, held[name].id).superseded_by_id)
        assert f'id="renewed-{held[name].id}"' in result and new.serial in result
    # A double click, a refresh of the POST, the back button and "send again": the same batch.
    again = client.post("/certificates/renew/", data=form)
    assert again.status_code == 303 and again.headers["Location"] == sent.headers["Location"]
    assert client.get(f"/certificates/renew/{batch}").text.count("已续期 2 张证书。") == 1  # a refresh reads it again
    assert (count_rows(Certificate), count_rows(AuditEvent, AuditEvent.action == "certificate.issued")) == (
        certificates, issued)
    assert count_rows(AuditEvent, AuditEvent.action == "certificate.bulk_renewal") == 1


def test_the_same_batch_run_twice_renews_once(app, clock, world, fast_pdf):
    hr, _colleague, _north, _south, _rmq, held = world
    token = renewal_batches.new_token()
    ids = [held["赵一"].id]
    assert renewal_batches.run(token, ids, hr, "续期", include_unmet=False, scope=None) is True
    before = count_rows(Certificate)
    assert renewal_batches.run(token, ids, hr, "续期", include_unmet=False, scope=None) is False
    assert count_rows(Certificate) == before
    done = renewal_batches.outcome(token).done
    assert [r.old.id for r in done.renewed] == ids and done.not_renewed == []


def test_why_not_is_kept_as_a_code_and_read_in_the_reader_s_language(client, clock, world, make_user, fast_pdf):
    hr, colleague, _north, _south, _rmq, held = world
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


def test_the_result_opens_for_hr_only_and_is_404_for_anyone_else(client, clock, world, make_user, fast_pdf):
    hr, colleague, north, _south, _rmq, held = world
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


def test_the_register_offers_hr_its_expired_certificates_to_renew(client, clock, world, fast_pdf):
    hr, colleague, north, _south, rmq, held = world
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


def test_a_branch_manager_and_a_past_day_s_register_offer_no_renewal(client, clock, world, make_user, fast_pdf):
    hr, _colleague, north, _south, _rmq, held = world
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
