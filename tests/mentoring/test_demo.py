"""The demo's mentoring story: 王师傅 and 李学员 (paired by the pairings'
demo hook at order 60) — 李学员 failed week 1 twice, four check-ins, one
action overdue, the last check-in not acknowledged; the pages show labels,
never codes."""
from __future__ import annotations

from sqlalchemy import select

from lms import clock
from lms.demo import load_demo
from lms.extensions import db
from lms.mentoring.models import CheckIn, Pairing, PairingState
from lms.notify.models import Notification
from lms.org.models import user_by_employee_no
from tests.conftest import load_demo_copy, sign_in
from tests.test_no_raw_codes import raw_codes


def test_the_demo_mentor_finds_alerts_check_ins_and_an_overdue_action(app, client):
    load_demo_copy("demo-pass-2024")
    load_demo("demo-pass-2024")  # twice: nothing more
    mentor, learner = user_by_employee_no("mentor"), user_by_employee_no("learner")
    assert db.session.scalar(select(Pairing.mentor_id).where(Pairing.apprentice_id == learner.id,
                                                             Pairing.state == PairingState.ACTIVE)) == mentor.id
    check_ins = list(db.session.scalars(select(CheckIn).order_by(CheckIn.held_on)))
    assert len(check_ins) == 4
    assert [c.acknowledged_at is not None for c in check_ins] == [True, True, True, False]
    alerts = db.session.scalars(select(Notification.kind).where(Notification.recipient_id == mentor.id)).all()
    assert "learner_failed_twice" in alerts

    sign_in(client, mentor)
    for path in ("/", "/mentoring/desk", f"/mentoring/apprentices/{learner.id}",
                 f"/mentoring/apprentices/{learner.id}/check-ins/new"):
        response = client.get(path)
        assert response.status_code == 200 and raw_codes(response.text) == [], path
    desk = client.get("/mentoring/desk").text
    assert "多次未通过" in desk and "已 2 次未通过" in desk and "整理本周拜访的 5 位个人客户需求" in desk.split("desk-overdue-actions")[1]
    assert "薄弱知识点" in desk and "错 " in desk
    sign_in(client, learner)
    me = client.get("/mentoring/me").text
    assert raw_codes(me) == [] and me.count('class="check-in card"') == 4 and me.count("hx-post=") == 1
    assert "有 1 条帮扶记录待确认" in client.get("/").text


def test_the_desk_names_the_quarterly_requirement_not_a_bare_quarter(app, client):
    """本周 on the mentor's desk lists the weeks of every programme in one list:
    the quarterly 警示教育 read "2026 年第 4 季度 未开始", and the mentor could
    not tell what was due."""
    import re

    from lms.programmes.services import quarter_label, quarter_of

    load_demo_copy("demo-pass-2024")
    sign_in(client, user_by_employee_no("mentor"))
    desk = client.get("/mentoring/desk").text
    this_week = re.search(r'<div class="desk-this-week">.*?</div>', desk, re.S).group(0)
    quarter = quarter_label(quarter_of(clock.today())[0])
    assert f"<p>警示教育（季度必修） · {quarter} " in this_week, this_week
    assert f"<p>{quarter} " not in this_week
