"""Alerts reach the learner's active mentor — failed twice, overdue (in-app
and on the channels switched on), no check-in for 14 days — and never a
former mentor or the mentor of someone else."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from lms.extensions import db
from lms.mentoring import checkins
from lms.notify import scan as notify_scan
from lms.notify import settings as notify_settings
from lms.notify.models import Delivery, Notification
from tests.conftest import sign_in
from tests.mentoring.conftest import answer


def _kinds(user) -> list[str]:
    return sorted(db.session.scalars(select(Notification.kind).where(Notification.recipient_id == user.id)))


def test_failed_twice_reaches_the_mentor_in_app_and_by_e_mail(app, client, world):
    app.config.update(NOTIFY_SMTP_HOST="127.0.0.1", NOTIFY_SMTP_PORT=2525, NOTIFY_SMTP_SECURITY="none",
                      NOTIFY_SMTP_FROM="academy@bank.example")
    notify_settings.save_channel("email", True, ["learner_failed_twice"], actor=world.mentor)
    world.mentor.email = "wang@bank.example"
    world.former_mentor.email = "qian@bank.example"
    db.session.commit()
    answer(world.apprentice, world.exams[3], {world.deposit.slug: "A"})
    assert "learner_failed_twice" not in _kinds(world.mentor)  # once is not an alert
    answer(world.apprentice, world.exams[3], {world.deposit.slug: "A"})
    assert _kinds(world.mentor) == ["learner_failed_twice"]
    assert _kinds(world.former_mentor) == [] and _kinds(world.other_mentor) == []
    assert db.session.scalar(select(Delivery.target).where(Delivery.channel == "email")) == "wang@bank.example"
    sign_in(client, world.mentor)
    page = client.get("/notifications/").text
    assert "李学员" in page and "A001" in page and "第4周测验" in page
    alert = db.session.scalar(select(Notification).where(Notification.recipient_id == world.mentor.id))
    opened = client.post(f"/notifications/{alert.id}/read", data={"open": "1"})
    assert opened.headers["Location"].endswith(f"/mentoring/apprentices/{world.apprentice.id}")  # the apprentice page


def test_the_overdue_scan_alerts_the_mentor(world, clock):
    notify_scan.scan()
    assert "learner_overdue" in _kinds(world.mentor)  # week 3, due 2026-03-01
    assert "learner_overdue" not in _kinds(world.former_mentor)
    overdue_about = db.session.scalars(select(Notification.subject).where(
        Notification.recipient_id == world.other_mentor.id, Notification.kind == "learner_overdue")).all()
    assert overdue_about and all(s.startswith(f"user:{world.other_apprentice.id}:") for s in overdue_about)


def test_no_check_in_for_14_days_alerts_the_mentor_once_per_gap(world, clock):
    def gaps(mentor):
        return list(db.session.scalars(select(Notification.subject).where(
            Notification.recipient_id == mentor.id, Notification.kind == "mentor_no_check_in")
            .order_by(Notification.id)))

    result = notify_scan.scan()  # 21 days since the pairings started on 2026-02-09
    assert result.made.get("mentor_no_check_in") == 2
    assert gaps(world.mentor) == [f"pairing:{world.pairing.id}:since:2026-02-09"]
    assert gaps(world.former_mentor) == []  # an ended pairing has no alerts
    assert notify_scan.scan().made.get("mentor_no_check_in") is None  # idempotent
    checkins.record_check_in(world.pairing, world.mentor, checkins.CheckInInput(held_on=date(2026, 2, 27),
                                                                                form="phone"))
    clock.advance(timedelta(days=12))  # 2026-03-14: 15 days since the check-in
    notify_scan.scan()
    assert gaps(world.mentor) == [f"pairing:{world.pairing.id}:since:2026-02-09",
                                  f"pairing:{world.pairing.id}:since:2026-02-27"]


def test_an_ended_pairing_stops_the_alerts(world, clock):
    world.pairing.state = "ended"
    world.pairing.ended_on = date(2026, 3, 1)
    db.session.commit()
    answer(world.apprentice, world.exams[3], {world.deposit.slug: "A"})
    answer(world.apprentice, world.exams[3], {world.deposit.slug: "A"})
    notify_scan.scan()
    assert _kinds(world.mentor) == []


def test_notify_knows_nothing_of_mentoring():
    """Mentoring registers with notify (recipients, the scan, links); notify imports none of it."""
    from pathlib import Path

    import lms.notify

    for path in Path(lms.notify.__file__).parent.glob("*.py"):
        assert "lms.mentoring" not in path.read_text(encoding="utf-8"), path.name
