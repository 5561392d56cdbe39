"""HR deactivates a mentor (or takes their mentor role away) or an
apprentice: the person page lists the active pairings that leaves without a
mentor or apprentice, and HR ends them in the same step (with the reason,
both people notified, audited as ending a pairing) or leaves them flagged."""
from __future__ import annotations

from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.mentoring import pairing as rules
from lms.mentoring.models import Pairing, PairingState
from lms.notify.models import Notification
from tests.conftest import sign_in


def _kinds(user) -> list[str]:
    return sorted(db.session.scalars(select(Notification.kind).where(Notification.recipient_id == user.id)))


def _hr(client, make_user):
    hr = make_user(("hr",), employee_no="HR01", name="人力甲")
    sign_in(client, hr)
    return hr


def test_deactivating_a_mentor_lists_their_pairings_and_ends_them_in_the_same_step(client, world, make_user):
    _hr(client, make_user)
    page = client.get(f"/org/people/{world.mentor.id}").text
    account = page.split('id="person-account"')[1].split("</section>")[0]
    assert "王师傅 (M001) → 李学员 (A001)，自 2026-02-09" in account
    assert "<p>将因此没有师傅或徒弟的进行中结对：</p>" in account  # the reader's colon, not an ASCII one glued on
    assert 'value="end"' in account and 'value="keep"' in account
    assert "李学员" not in client.get(f"/org/people/{world.other_apprentice.id}").text.split(
        'id="person-account"')[1].split("</section>")[0]  # 张师傅's apprentice: nothing of 王师傅's
    response = client.post(f"/org/people/{world.mentor.id}/deactivate", data={"reason": "离职", "dependents": "end"})
    assert response.status_code == 302
    pairing = db.session.get(Pairing, world.pairing.id)
    assert not world.mentor.active
    assert pairing.state == PairingState.ENDED and pairing.end_reason == "离职" and pairing.ended_on is not None
    assert db.session.get(Pairing, world.other_pairing.id).state == PairingState.ACTIVE
    # The apprentice hears of it as of any ended pairing; a deactivated account is sent nothing (notify's rule).
    assert "pairing_ended" in _kinds(world.apprentice) and _kinds(world.mentor) == []
    ended = AuditEvent.query.filter_by(action="pairing.ended").one()
    assert ended.object_id == str(pairing.id) and "离职" in ended.details
    assert AuditEvent.query.filter_by(action="user.deactivated").count() == 1
    assert rules.active_pairing_of(world.apprentice.id) is None  # free to be paired again


def test_leaving_them_keeps_the_pairing_flagged_for_hr(client, world, make_user):
    _hr(client, make_user)
    client.post(f"/org/people/{world.mentor.id}/deactivate", data={"reason": "离职", "dependents": "keep"})
    pairing = db.session.get(Pairing, world.pairing.id)
    assert pairing.state == PairingState.ACTIVE and rules.attention(pairing)
    assert AuditEvent.query.filter_by(action="pairing.ended").count() == 0
    assert "pairing_ended" not in _kinds(world.apprentice)


def test_deactivating_an_apprentice_ends_their_pairing_when_hr_says_so(client, world, make_user):
    _hr(client, make_user)
    account = client.get(f"/org/people/{world.apprentice.id}").text.split('id="person-account"')[1]
    assert "王师傅 (M001) → 李学员 (A001)" in account.split("</section>")[0]
    client.post(f"/org/people/{world.apprentice.id}/deactivate", data={"reason": "调离本行", "dependents": "end"})
    pairing = db.session.get(Pairing, world.pairing.id)
    assert pairing.state == PairingState.ENDED and pairing.end_reason == "调离本行"
    assert "pairing_ended" in _kinds(world.mentor)


def test_taking_the_mentor_role_away_offers_the_same_choice(client, world, make_user):
    _hr(client, make_user)
    roles = client.get(f"/org/people/{world.mentor.id}").text.split('id="person-roles"')[1].split("</section>")[0]
    assert "王师傅 (M001) → 李学员 (A001)" in roles and 'value="end"' in roles
    # Ending needs a reason: refused, and the role stays (one transaction).
    refused = client.post(f"/org/people/{world.mentor.id}/roles", data={"roles": ["learner"], "dependents": "end"})
    assert refused.status_code == 200 and "请填写结束的原因" in refused.text
    assert "mentor" in world.mentor.roles and db.session.get(Pairing, world.pairing.id).is_active
    client.post(f"/org/people/{world.mentor.id}/roles",
                data={"roles": ["learner"], "dependents": "end", "reason": "不再带教"})
    assert "mentor" not in world.mentor.roles
    pairing = db.session.get(Pairing, world.pairing.id)
    assert pairing.state == PairingState.ENDED and pairing.end_reason == "不再带教"
    # Adding or keeping roles lists nothing and ends nothing.
    other = client.get(f"/org/people/{world.other_mentor.id}").text
    assert "赵学员" in other.split('id="person-roles"')[1].split("</section>")[0]
    client.post(f"/org/people/{world.other_mentor.id}/roles", data={"roles": ["learner", "mentor", "trainer"],
                                                                   "dependents": "end", "reason": "x"})
    assert db.session.get(Pairing, world.other_pairing.id).is_active


def test_the_apprentice_page_says_the_apprentice_left_as_the_desk_does(client, world, make_user):
    """The desk said an apprentice's account was deactivated and HR would end
    or change the pairing; the apprentice's own page, where the mentor
    records check-ins, said nothing of it."""
    from lms.org import services as org_services
    from tests.test_labels import visible_text

    hr = make_user(("hr",), employee_no="H001")
    sign_in(client, world.mentor)
    assert "pairing-attention" not in client.get(f"/mentoring/apprentices/{world.apprentice.id}").text
    org_services.deactivate(world.apprentice, "离职", actor=hr)
    sign_in(client, world.mentor)
    note = "李学员 (A001) 的账号已停用。此结对需由人力资源结束或更换师傅。"
    assert note in visible_text(client.get("/mentoring/desk").text)
    assert note in visible_text(client.get(f"/mentoring/apprentices/{world.apprentice.id}").text)
