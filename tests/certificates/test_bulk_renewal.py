"""HR renews many certificates at once from the expiry list: ticked ones or
every one the filter shows (branch, position, certification, window); the
confirmation says what will happen to each and changes nothing; one POST
renews each that may be renewed — by the one-by-one renewal's rules, audited
as it is — and names the others with why. Only HR; ids HR cannot see renew
nothing."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.certificates import issuing, renewal, revoking
from lms.certificates.models import Certificate, CertificateState
from lms.extensions import db
from lms.notify.models import Notification
from lms.org import services as org_services
from tests.certificates.conftest import count_rows
from tests.conftest import sign_in

TENURE = {"tenure": [{"positions": ["rm_junior"], "months": 12}]}


@pytest.fixture
def world(renewal_world, expiring_certificate):
    """Certificates expiring in 10 to 120 days (today is 2026-03-02), one of a teller, one of HR's own."""
    world = renewal_world([(10, "north", "rm_junior", "赵一"), (45, "north", "rm_junior", "钱二"),
                           (80, "south", "rm_junior", "孙三"), (60, "north", "teller", "李四"),
                           (120, "north", "rm_junior", "周五")])
    world.held["周人事"] = expiring_certificate(world.hr, world.rmq, world.colleague, 30)
    return world


def test_the_list_offers_hr_the_choice_and_filters_by_position(client, clock, world, make_user, fast_pdf):
    hr, _colleague, north, _south, _rmq, held = world
    manager = make_user(("branch_manager",), branch=north)
    sign_in(client, hr)
    page = client.get("/certificates/expiring?within=90&position=rm_junior").text
    assert 'id="position"' in page and '<option value="rm_junior" selected>' in page
    for name in ("赵一", "钱二", "孙三"):
        assert f'name="certificate" value="{held[name].id}"' in page
    assert f'value="{held["李四"].id}"' not in page  # a teller: not in the post chosen
    assert f'value="{held["周五"].id}"' not in page  # 120 days: outside the window
    assert "续期全部 3 张证书" in page and 'name="position" value="rm_junior"' in page
    sign_in(client, manager)  # reads the list of their branch, renews nothing
    page = client.get("/certificates/expiring?within=90").text
    assert "钱二" in page and 'name="certificate"' not in page and "renewal-selection" not in page


def test_the_confirmation_says_what_will_happen_and_changes_nothing(client, clock, world, fast_pdf):
    hr, colleague, north, _south, rmq, held = world
    revoking.revoke(held["钱二"].id, colleague, "冒用他人账号参加考试")
    org_services.deactivate(held["孙三"].holder, "离职", actor=colleague)
    certificates, events = count_rows(Certificate), count_rows(AuditEvent)
    sign_in(client, hr)
    chosen = [held[n].id for n in ("赵一", "钱二", "孙三", "李四", "周五")] + [987654]
    page = client.post("/certificates/renew/preview", data={"certificate": [str(i) for i in chosen]})
    assert page.status_code == 200
    text = page.text
    assert "将续期 3 张证书。" in text and "2 张证书不续期，每张都写明原因。" in text
    assert "所选证书中有 1 张未找到，不在其中。" in text
    ready = text[text.index('id="renewal-ready"'):text.index('id="renewal-refused"')]
    # Inside its renewal window (90 days) the new one runs on from the old expiry, 24 months on.
    old_expiry = held["赵一"].expires_on
    assert f'id="renewal-{held["赵一"].id}"' in ready and issuing.add_months(old_expiry, 24).isoformat() in ready
    assert "自原到期日起续算" in ready
    # Outside it (120 days left), as by hand: from today, and the page says the days are lost.
    assert f'id="renewal-{held["周五"].id}"' in ready and "2028-03-02" in ready and "剩余的 120 天不结转" in ready
    refused = text[text.index('id="renewal-refused"'):]
    assert "已于 2026-03-02 撤销" in refused and "持证人已于 2026-03-02 离职" in refused
    form = text[text.index('id="renewal-confirm"'):]
    for name in ("赵一", "李四", "周五"):
        assert f'name="certificate" value="{held[name].id}"' in form
    for name in ("钱二", "孙三"):
        assert f'value="{held[name].id}"' not in form
    assert (count_rows(Certificate), count_rows(AuditEvent)) == (certificates, events)  # nothing changed


def test_hr_s_own_certificate_is_refused_and_named(client, clock, world, fast_pdf):
    hr, _colleague, _north, _south, _rmq, held = world
    sign_in(client, hr)
    text = client.post("/certificates/renew/preview", data={"certificate": [str(held["周人事"].id)]}).text
    assert f'id="renewal-{held["周人事"].id}"' in text and "这是您本人的证书：由另一位人力资源同事续期。" in text
    assert "所选证书都不能续期。" in text and 'action="/certificates/renew/"' not in text


def test_every_certificate_the_filter_shows_is_chosen_on_the_server(client, clock, world, fast_pdf):
    hr, _colleague, north, _south, _rmq, held = world
    sign_in(client, hr)
    text = client.post("/certificates/renew/preview", data={
        "matching": "y", "within": "90", "branch": str(north.id), "position": "rm_junior"}).text
    form = text[text.index('id="renewal-confirm"'):]
    chosen = sorted(int(v.split('"')[0]) for v in form.split('name="certificate" value="')[1:])
    assert chosen == sorted([held["赵一"].id, held["钱二"].id])  # not 南区's, the teller's, nor 120 days out


def test_renewing_renews_each_audits_it_and_tells_the_holder(client, clock, world, fast_pdf):
    hr, _colleague, _north, _south, rmq, held = world
    chosen = [held[n].id for n in ("赵一", "钱二", "周五")]
    sign_in(client, hr)
    done = client.post("/certificates/renew/", data={"certificate": [str(i) for i in chosen],
                                                    "reason": "2026 年一季度批量续期"}, follow_redirects=True)
    assert done.status_code == 200 and "已续期 3 张证书。" in done.text
    for name in ("赵一", "钱二", "周五"):
        old = db.session.get(Certificate, held[name].id)
        assert old.state() == CertificateState.SUPERSEDED
        new = db.session.get(Certificate, old.superseded_by_id)
        assert new.is_valid() and new.issued_by_id == hr.id and new.issue_reason == "2026 年一季度批量续期"
        assert f'id="renewed-{old.id}"' in done.text and new.serial in done.text
    zhao = db.session.get(Certificate, db.session.get(Certificate, held["赵一"].id).superseded_by_id)
    assert zhao.expires_on == issuing.add_months(held["赵一"].expires_on, 24)
    issued = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "certificate.issued",
                                                               AuditEvent.actor_id == hr.id).order_by(AuditEvent.seq)))
    assert len(issued) == 3
    assert all('"mode": "manual"' in e.details and "2026 年一季度批量续期" in e.details for e in issued)
    superseded = db.session.scalars(select(AuditEvent.object_id).where(
        AuditEvent.action == "certificate.superseded").order_by(AuditEvent.object_id)).all()
    assert sorted(int(i) for i in superseded) == sorted(chosen)
    told = db.session.scalars(select(Notification.recipient_id).where(Notification.kind == "certificate_issued",
                                                                  Notification.recipient_id.in_(
                                                                      [held[n].user_id for n in ("赵一", "钱二", "周五")]))
                              .order_by(Notification.recipient_id)).all()
    assert len(told) == 6  # the backdated first issue and the renewal, each
    # Sent again (the browser's resend): each is refused as already renewed, nothing twice.
    again = client.post("/certificates/renew/", data={"certificate": [str(i) for i in chosen], "reason": "重复提交"},
                        follow_redirects=True)
    assert "已续期 0 张证书。" in again.text and again.text.count("已被替代") == 3
    assert count_rows(Certificate) == 9


def test_holders_who_do_not_meet_the_requirements_are_renewed_only_when_hr_says_so(
        client, clock, make_user, make_certification, expiring_certificate, fast_pdf):
    hr = make_user(("hr",))
    hr2 = make_user(("hr",))
    tenure = make_certification(slug="rm-intermediate", title="中级客户经理资格", prefix="RMI", requirements=TENURE)
    served = make_user(("learner",), name="钱二", position="rm_junior", position_start=date(2024, 1, 1))
    new_in_post = make_user(("learner",), name="孙三", position="rm_junior", position_start=date(2025, 12, 1))
    served_cert = expiring_certificate(served, tenure, hr2, 20)
    short_cert = expiring_certificate(new_in_post, tenure, hr2, 20)
    ids = [str(served_cert.id), str(short_cert.id)]
    sign_in(client, hr)
    preview = client.post("/certificates/renew/preview", data={"certificate": ids}).text
    unmet = preview[preview.index('id="renewal-unmet"'):preview.index('id="renewal-confirm"')]
    assert f'id="renewal-{short_cert.id}"' in unmet and "任初级客户经理 3 个月（需 12 个月" in unmet
    assert "1 位持证人未满足全部条件" in preview and 'name="include_unmet"' in preview
    done = client.post("/certificates/renew/", data={"certificate": ids, "reason": "批量续期"},
                       follow_redirects=True).text
    assert "已续期 1 张证书。" in done and f'id="not-renewed-{short_cert.id}"' in done
    assert db.session.get(Certificate, short_cert.id).is_valid()
    done = client.post("/certificates/renew/", data={"certificate": ids, "reason": "批量续期，经分管行长同意",
                                                    "include_unmet": "y"}, follow_redirects=True).text
    assert "已续期 1 张证书。" in done
    renewed = db.session.get(Certificate, db.session.get(Certificate, short_cert.id).superseded_by_id)
    assert [line["met"] for line in renewed.evidence] == [False]  # kept in the evidence, as by hand


def test_a_reason_is_required_and_nothing_is_renewed_without_one(client, clock, world, fast_pdf):
    hr, _colleague, _north, _south, _rmq, held = world
    before = count_rows(Certificate)
    sign_in(client, hr)
    page = client.post("/certificates/renew/", data={"certificate": [str(held["赵一"].id)], "reason": "  "})
    assert page.status_code == 400 and 'id="reason-error"' in page.text
    assert f'name="certificate" value="{held["赵一"].id}"' in page.text  # the choice is kept to send again
    assert client.post("/certificates/renew/", data={"certificate": [str(held["赵一"].id)], "reason": "续期"},
                       csrf=False).status_code == 400
    assert client.post("/certificates/renew/", data={"certificate": ["1e9999"], "reason": "续期"}).status_code == 400
    assert count_rows(Certificate) == before


def test_only_hr_renews_and_ids_out_of_sight_renew_nothing(client, clock, world, make_user, fast_pdf):
    hr, _colleague, north, _south, _rmq, held = world
    manager = make_user(("branch_manager",), branch=north)
    before = count_rows(Certificate)
    sign_in(client, manager)
    assert client.post("/certificates/renew/", data={"certificate": [str(held["赵一"].id)],
                                                    "reason": "续期"}).status_code == 403
    assert client.post("/certificates/renew/preview", data={"certificate": [str(held["赵一"].id)]}).status_code == 403
    sign_in(client, hr)
    page = client.post("/certificates/renew/", data={"certificate": ["999999", str(2**31 - 1)], "reason": "续期"},
                       follow_redirects=True)
    assert "已续期 0 张证书。" in page.text and "所选证书中有 2 张未找到，不在其中。" in page.text
    assert count_rows(Certificate) == before


def test_a_certificate_revoked_after_the_confirmation_is_left_out_and_the_others_renewed(
        client, clock, world, fast_pdf):
    hr, colleague, _north, _south, _rmq, held = world
    sign_in(client, hr)
    ids = [str(held["赵一"].id), str(held["钱二"].id)]
    assert "将续期 2 张证书。" in client.post("/certificates/renew/preview", data={"certificate": ids}).text
    revoking.revoke(held["钱二"].id, colleague, "冒用他人账号参加考试")  # a colleague, meanwhile
    done = client.post("/certificates/renew/", data={"certificate": ids, "reason": "批量续期"},
                       follow_redirects=True).text
    assert "已续期 1 张证书。" in done
    assert f'id="not-renewed-{held["钱二"].id}"' in done and "已于 2026-03-02 撤销" in done
    assert db.session.get(Certificate, held["钱二"].id).superseded_by_id is None


def test_nothing_chosen_says_so(client, clock, world, fast_pdf):
    hr, *_ = world
    sign_in(client, hr)
    page = client.post("/certificates/renew/preview", data={})
    assert page.status_code == 400 and "没有选择任何证书" in page.text


def test_renewal_is_not_offered_where_a_bulk_renewal_would_refuse_it(
        client, clock, make_user, make_certificate, make_certification, fast_pdf):
    hr = make_user(("hr",))
    other_hr = make_user(("hr",))
    certification = make_certification()
    own = make_certificate(holder=hr, certification=make_certification(slug="own", prefix="OWN"))
    old = make_certificate(certification=certification, issued_on=date(2022, 1, 10), expires_on=date(2024, 1, 10))
    make_certificate(holder=old.holder, certification=certification)  # renewed after the old one expired
    sign_in(client, hr)
    assert 'id="renew"' not in client.get(f"/certificates/{own.id}").text  # one's own: a colleague renews it
    assert 'id="renew"' not in client.get(f"/certificates/{old.id}").text  # the holder holds a newer one
    sign_in(client, other_hr)
    assert 'id="renew"' in client.get(f"/certificates/{own.id}").text


def test_more_than_one_action_may_renew_is_refused_whole_and_says_how_to_go_on(
        client, clock, world, fast_pdf, monkeypatch):
    hr, _colleague, _north, _south, _rmq, held = world
    monkeypatch.setattr(renewal, "LIMIT", 2)
    before = count_rows(Certificate)
    sign_in(client, hr)
    ids = [str(held[n].id) for n in ("赵一", "钱二", "孙三")]
    page = client.post("/certificates/renew/preview", data={"certificate": ids})
    assert page.status_code == 400 and "一次最多续期 2 张证书，本次选择了 3 张。" in page.text
    page = client.post("/certificates/renew/", data={"certificate": ids, "reason": "续期"})
    assert page.status_code == 400 and "一次最多续期 2 张证书" in page.text
    assert count_rows(Certificate) == before
