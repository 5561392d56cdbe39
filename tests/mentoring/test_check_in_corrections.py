"""A mentor corrects a typo in a check-in: the check-in stays as written and
shows 已更正 with each correction and its time, to the mentor, the
apprentice and in HR's evidence pack; only its author, only while the
pairing is active and no sign-off closes it, within 7 bank days; audited;
never deleted."""
from __future__ import annotations

from datetime import date, timedelta

from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.mentoring import checkins
from lms.mentoring.models import CheckIn, CheckInCorrection, SignOff
from tests.conftest import sign_in


def _record(world, notes="面谈：讲了个人贷款三查，约定周五前读授信办法"):
    return checkins.record_check_in(world.pairing, world.mentor, checkins.CheckInInput(
        held_on=date(2026, 3, 2), form="face_to_face", notes=notes))


def _correct(client, world, check_in_id, text="更正：约定的是周四，不是周五"):
    return client.post(f"/mentoring/apprentices/{world.apprentice.id}/check-ins/{check_in_id}/correction",
                       data={"text": text})


def test_the_author_adds_a_correction_and_everyone_sees_both(client, world, clock):
    check_in = _record(world)
    sign_in(client, world.mentor)
    page = client.get(f"/mentoring/apprentices/{world.apprentice.id}").text
    assert "添加更正" in page and "2026-03-09" in page  # the last day it can be corrected
    clock.advance(timedelta(hours=2))
    response = _correct(client, world, check_in.id)
    assert response.status_code == 302
    page = client.get(f"/mentoring/apprentices/{world.apprentice.id}").text
    assert "约定周五前读授信办法" in page  # the original stays as written
    assert "已更正" in page and "更正：约定的是周四，不是周五" in page and "2026-03-02 11:00" in page
    assert db.session.get(CheckIn, check_in.id).notes.endswith("约定周五前读授信办法")
    event = AuditEvent.query.filter_by(action="mentoring.check_in_corrected").one()
    assert event.object_id == str(check_in.id) and "周四" in event.details
    client.post("/logout")
    sign_in(client, world.apprentice)
    mine = client.get("/mentoring/me").text
    assert "约定周五前读授信办法" in mine and "已更正" in mine and "更正：约定的是周四" in mine
    assert "添加更正" not in mine


def test_only_the_author_and_only_within_seven_bank_days(client, world, clock):
    check_in = _record(world)
    for someone in (world.other_mentor, world.former_mentor, world.apprentice):
        sign_in(client, someone)
        assert _correct(client, world, check_in.id).status_code == 404
        client.post("/logout")
    sign_in(client, world.mentor)
    assert _correct(client, world, check_in.id, text="   ").status_code == 400
    clock.advance(timedelta(days=7))  # 2026-03-09 in Shanghai: the last day
    assert _correct(client, world, check_in.id, text="第一次更正").status_code == 302
    clock.advance(timedelta(days=1))
    refused = _correct(client, world, check_in.id, text="太晚的更正")
    assert refused.status_code == 400 and "记录后 7 天内" in refused.text
    assert "添加更正" not in client.get(f"/mentoring/apprentices/{world.apprentice.id}").text
    assert [c.text for c in CheckInCorrection.query] == ["第一次更正"]


def test_a_sign_off_in_force_or_an_ended_pairing_closes_corrections(client, world, clock):
    check_in = _record(world)
    db.session.add(SignOff(pairing_id=world.pairing.id, apprentice_id=world.apprentice.id,
                           mentor_id=world.mentor.id, signed_on=date(2026, 3, 2), recommendation="ready"))
    db.session.commit()
    sign_in(client, world.mentor)
    refused = _correct(client, world, check_in.id)
    assert refused.status_code == 400 and "已出师" in refused.text
    SignOff.query.one().withdrawn_at = clock.now()
    db.session.commit()
    assert _correct(client, world, check_in.id).status_code == 302
    world.pairing.state = "ended"
    db.session.commit()
    assert _correct(client, world, check_in.id, text="再改").status_code == 404
    assert CheckInCorrection.query.count() == 1


def test_hr_reads_the_correction_beside_the_check_in_in_the_evidence_pack(app, world, clock, make_user):
    from lms.certificates import evidence_pack

    hr = make_user(("hr",))
    check_in = _record(world)
    checkins.correct_check_in(world.mentor, check_in.id, "更正：是跟岗带教")
    with app.test_request_context("/"):
        html = evidence_pack.generate(world.apprentice, actor=hr).html
    db.session.rollback()
    assert "约定周五前读授信办法" in html and "已更正" in html and "更正：是跟岗带教" in html


def _ack(client, check_in_id):
    return client.post(f"/mentoring/me/check-ins/{check_in_id}/acknowledge")


def test_a_correction_after_the_acknowledgement_asks_the_apprentice_to_acknowledge_again(client, world, clock):
    from lms.mentoring.panels import my_mentor_panel

    check_in = _record(world)
    sign_in(client, world.apprentice)
    assert _ack(client, check_in.id).status_code == 302
    first = db.session.get(CheckIn, check_in.id).acknowledged_at
    assert my_mentor_panel(world.apprentice)["unacknowledged"] == 0
    client.post("/logout")

    clock.advance(timedelta(hours=3))
    sign_in(client, world.mentor)
    assert _correct(client, world, check_in.id).status_code == 302
    assert "待确认更正" in client.get(f"/mentoring/apprentices/{world.apprentice.id}").text
    client.post("/logout")

    sign_in(client, world.apprentice)
    bell = client.get("/notifications/").text
    assert "王师傅更正了 2026-03-02 的帮扶记录：请阅读并再次确认。" in bell
    mine = client.get("/mentoring/me").text
    assert "待确认更正" in mine and "确认更正" in mine and "更正：约定的是周四" in mine
    assert my_mentor_panel(world.apprentice)["unacknowledged"] == 1  # the home page's count
    assert "有 1 条帮扶记录待确认" in client.get("/").text

    clock.advance(timedelta(hours=1))
    assert _ack(client, check_in.id).status_code == 302
    again = db.session.get(CheckIn, check_in.id)
    db.session.refresh(again)
    assert again.acknowledged_at > first and not again.correction_to_acknowledge
    assert my_mentor_panel(world.apprentice)["unacknowledged"] == 0
    mine = client.get("/mentoring/me").text
    assert "待确认更正" not in mine and "已于 2026-03-02 13:00 确认" in mine
    event = AuditEvent.query.filter_by(action="mentoring.check_in_correction_acknowledged").one()
    assert event.object_id == str(check_in.id) and "2026-03-02 09:00" in event.details  # the first acknowledgement
    assert _ack(client, check_in.id).status_code == 302  # twice: nothing more
    assert AuditEvent.query.filter_by(action="mentoring.check_in_correction_acknowledged").count() == 1


def test_a_correction_before_any_acknowledgement_is_acknowledged_with_the_check_in(client, world, clock):
    check_in = _record(world)
    clock.advance(timedelta(hours=1))
    checkins.correct_check_in(world.mentor, check_in.id, "更正：是跟岗带教")
    sign_in(client, world.apprentice)
    mine = client.get("/mentoring/me").text
    assert "待确认更正" not in mine and "徒弟尚未确认" in mine and "更正：是跟岗带教" in mine
    clock.advance(timedelta(hours=1))
    assert _ack(client, check_in.id).status_code == 302
    assert not db.session.get(CheckIn, check_in.id).awaits_acknowledgement
    assert AuditEvent.query.filter_by(action="mentoring.check_in_correction_acknowledged").count() == 0


def test_hr_sees_a_correction_the_apprentice_has_not_acknowledged_in_the_evidence_pack(app, world, clock, make_user):
    from lms.certificates import evidence_pack

    hr = make_user(("hr",))
    check_in = _record(world)
    checkins.acknowledge(world.apprentice, check_in.id)
    clock.advance(timedelta(hours=1))
    checkins.correct_check_in(world.mentor, check_in.id, "更正：是跟岗带教")
    with app.test_request_context("/"):
        html = evidence_pack.generate(world.apprentice, actor=hr).html
    db.session.rollback()
    assert "待确认更正" in html
