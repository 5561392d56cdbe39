"""Mentor and apprentice hear of their pairing: HR paired them (who, from
when, where to look) and HR ended it or changed the mentor (with the reason).
Before, nobody was told: a new mentor learnt of an apprentice only by opening
the desk, an apprentice of a changed mentor only from 我的师傅."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.mentoring import pairing as rules
from lms.notify.models import Notification
from tests.conftest import sign_in
from tests.mentoring.pairing_world import make_world


@pytest.fixture
def w(app, clock, make_user, make_branch):
    return make_world(make_user, make_branch)


def _notes(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.recipient_id == user.id)
                                   .order_by(Notification.id)))


def test_hr_pairing_tells_the_mentor_and_the_apprentice(client, w):
    apprentice = w.learners[2]
    for person in (w.mentor, apprentice):  # Chinese readers
        person.locale = "zh_CN"
    db.session.commit()
    sign_in(client, w.hr)
    made = client.post("/mentoring/admin/pair", data={"mentor_no": "M001", "apprentice_no": apprentice.employee_no,
                                                      "start_date": "2026-03-02", "planned_end_date": "2026-09-01"})
    assert made.status_code == 302
    assert [n.kind for n in _notes(w.mentor)] == ["pairing_started"]
    assert [n.kind for n in _notes(apprentice)] == ["pairing_started"]

    sign_in(client, w.mentor)
    page = client.get("/notifications/").text
    assert f"人力资源已指定您为学员3 ({apprentice.employee_no}) 的师傅，自 2026-03-02 起" in page
    opened = client.post(f"/notifications/{_notes(w.mentor)[0].id}/read", data={"open": "1"})
    assert opened.headers["Location"].endswith(f"/mentoring/apprentices/{apprentice.id}")
    sign_in(client, apprentice)
    assert "您的师傅是王师傅 (M001)" in client.get("/notifications/").text
    opened = client.post(f"/notifications/{_notes(apprentice)[0].id}/read", data={"open": "1"})
    assert opened.headers["Location"].endswith("/mentoring/me")


def test_ending_and_changing_the_mentor_tell_them_with_the_reason(client, w):
    apprentice = w.learners[1]
    pairing = rules.pair(w.mentor, apprentice, date(2026, 3, 2), date(2026, 9, 1), actor=w.hr)
    new = rules.change_mentor(pairing, w.mentor2, "师傅调往芦淞支行", actor=w.hr)
    assert [n.kind for n in _notes(w.mentor)] == ["pairing_started", "pairing_ended"]
    assert [n.kind for n in _notes(w.mentor2)] == ["pairing_started"]
    assert [n.kind for n in _notes(apprentice)] == ["pairing_started", "pairing_ended", "pairing_started"]
    rules.end(new, "徒弟转岗", actor=w.hr)
    assert [n.kind for n in _notes(w.mentor2)] == ["pairing_started", "pairing_ended"]
    w.mentor2.locale = "en"  # an English reader
    db.session.commit()
    sign_in(client, w.mentor2)
    page = client.get("/notifications/").text
    assert f"Your pairing with {apprentice.name} ({apprentice.employee_no}) ended on 2026-03-02: 徒弟转岗" in page
    sign_in(client, w.mentor)
    assert "师傅调往芦淞支行" in client.get("/notifications/").text
