"""The demo's pairings (lms.mentoring.demo, hook 60): 王师傅 mentors 李学员
and one more; one mentor is full; one pairing ended with a reason; HR's
pages read them in words."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from lms import clock as lms_clock
from lms.demo import load_demo
from lms.extensions import db
from lms.mentoring import pairing as rules
from lms.mentoring import settings
from lms.mentoring.models import Pairing
from lms.org.models import user_by_employee_no
from tests.conftest import load_demo_copy, sign_in
from tests.test_labels import visible_text
from tests.test_no_raw_codes import raw_codes


def test_the_demo_ships_pairings(app, client, clock):
    load_demo_copy("demo-pass-2024")
    mentor, learner = user_by_employee_no("mentor"), user_by_employee_no("learner")
    _as_apprentice, mentored = rules.history_of(mentor)
    # Two apprentices: 李学员 under way, the other signed off by the sign-off demo (hook 70).
    assert sorted(p.state for p in mentored) == ["active", "signed_off"]
    mine = rules.active_pairing_of(learner.id)
    assert mine.mentor_id == mentor.id and mine.start_date == lms_clock.today() - timedelta(weeks=10)
    ended = db.session.scalars(select(Pairing).where(Pairing.state == "ended")).all()
    assert len(ended) == 1 and ended[0].end_reason
    from lms.mentoring import register
    assert any(load.full for load in register.mentors(None) if load.mentor.id != mentor.id)
    count = db.session.scalar(select(func.count()).select_from(Pairing))
    load_demo("demo-pass-2024")
    assert db.session.scalar(select(func.count()).select_from(Pairing)) == count
    assert settings.capacity_of(mentor) == 3

    sign_in(client, user_by_employee_no("hr"))
    for path in ("/mentoring/admin/", "/mentoring/admin/mentors", "/mentoring/admin/unpaired",
                 f"/mentoring/admin/pairings/{mine.id}", f"/mentoring/admin/pairings/{ended[0].id}",
                 "/mentoring/admin/settings", f"/org/people/{learner.id}", "/audit/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert raw_codes(response.text) == [], path
        text = visible_text(response.text)
        for code in ("pairing.created", "pairing.ended", "signed_off", "mentoring.setting", "rm_principal"):
            assert code not in text, (path, code)
    page = visible_text(client.get(f"/mentoring/admin/pairings/{mine.id}").text)
    assert "王师傅" in page and "李学员" in page
    sign_in(client, user_by_employee_no("manager"))
    assert "李学员" in visible_text(client.get("/mentoring/admin/").text)
