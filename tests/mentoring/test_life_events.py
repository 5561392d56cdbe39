"""A pairing's life as a bank lives it: the mentor changes, leaves the bank
or loses the mentor role, the apprentice leaves, a sign-off is withdrawn
after the mentor left. What the apprentice, the mentors and HR see then."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from lms.extensions import db
from lms.mentoring import checkins
from lms.mentoring import pairing as rules
from lms.mentoring.models import CheckInAction
from tests.conftest import sign_in


def _check_in_with_action(world, due: date) -> None:
    checkins.record_check_in(world.pairing, world.mentor, checkins.CheckInInput(
        held_on=date(2026, 2, 27), form="face_to_face", notes="复盘",
        actions=[checkins.NewAction("整理 5 位客户需求", due)]))


def test_an_action_left_open_by_an_ended_pairing_is_not_overdue_for_ever(client, world, make_user, clock):
    """The mentor changes (or the pairing ends) with an agreed action open: nobody
    can close it any more, so the apprentice is not told for ever that it is overdue."""
    _check_in_with_action(world, date(2026, 3, 1))  # overdue from 2026-03-02 (today)
    hr = make_user(("hr",), employee_no="HR01")
    rules.change_mentor(world.pairing, world.other_mentor, "师傅调岗", actor=hr, planned_end_date=date(2026, 6, 1))
    sign_in(client, world.apprentice)
    me = client.get("/mentoring/me").text
    assert 'id="my-overdue-actions"' not in me
    card = me.split('class="check-in card"')[1]
    assert "整理 5 位客户需求" in card and "已逾期" not in card and "结对结束时未完成" in card
    home = client.get("/").text.split('id="my-mentor-panel"')[1].split("</section>")[0]
    assert "逾期" not in home
    # The new mentor's pairing starts clean: no action of the old one is theirs to close.
    assert checkins.open_actions(rules.active_pairing_of(world.apprentice.id).id) == []
    # The action itself is kept as it was: history.
    assert db.session.scalar(select(CheckInAction.done_on)) is None


def test_an_open_action_of_the_active_pairing_is_still_overdue(client, world):
    _check_in_with_action(world, date(2026, 3, 1))
    sign_in(client, world.apprentice)
    me = client.get("/mentoring/me").text
    assert 'id="my-overdue-actions"' in me and "已逾期" in me
    assert "1 项约定事项已逾期" in client.get("/").text


def _alerts(mentor) -> list[str]:
    from lms.notify.models import Notification
    return sorted(db.session.scalars(select(Notification.kind).where(Notification.recipient_id == mentor.id)))


def test_a_mentor_who_lost_the_mentor_role_hears_no_more_about_the_apprentice(world, clock):
    """HR took the mentor role away with the pairing still open: the apprentice page is 404
    for them, so an alert they cannot act on (and that leads nowhere) is not sent."""
    from lms.notify import scan as notify_scan
    from lms.org import services as org
    from tests.mentoring.conftest import answer

    org.set_roles(world.mentor, ["learner"])
    answer(world.apprentice, world.exams[3], {world.deposit.slug: "A"})
    answer(world.apprentice, world.exams[3], {world.deposit.slug: "A"})
    notify_scan.scan()  # week 3 overdue, 21 days without a check-in
    assert _alerts(world.mentor) == []
    assert "mentor_no_check_in" in _alerts(world.other_mentor)  # the rule still holds for others


def test_an_apprentice_who_left_the_bank_raises_no_check_in_alert(world, clock):
    from lms.notify import scan as notify_scan
    from lms.org import services as org

    org.deactivate(world.other_apprentice, "离职")
    notify_scan.scan()
    assert "mentor_no_check_in" not in _alerts(world.other_mentor)
    assert "mentor_no_check_in" in _alerts(world.mentor)


def test_hr_sees_a_pairing_nobody_can_carry_on(client, world, make_user):
    """The mentor left the bank (or lost the mentor role), or the apprentice left: the
    pairing stays open until HR acts, and HR's pages say so and what to do."""
    from lms.org import services as org

    hr = make_user(("hr",), employee_no="HR01")
    sign_in(client, hr)
    page = client.get(f"/mentoring/admin/pairings/{world.pairing.id}").text
    assert 'id="pairing-attention"' not in page  # nothing to do while all is well
    org.deactivate(world.mentor, "离职")
    org.set_roles(world.other_mentor, ["learner"])
    page = client.get(f"/mentoring/admin/pairings/{world.pairing.id}").text
    attention = page.split('id="pairing-attention"')[1].split("</section>")[0]
    assert "王师傅 (M001) 的账号已停用" in attention and "更换师傅" in attention
    page = client.get(f"/mentoring/admin/pairings/{world.other_pairing.id}").text
    assert "张师傅 (M002) 没有师傅角色" in page.split('id="pairing-attention"')[1].split("</section>")[0]
    register = client.get("/mentoring/admin/").text
    rows = {n: register.split(f'id="pairing-{p.id}"')[1].split("</tr>")[0]
            for n, p in (("mine", world.pairing), ("other", world.other_pairing), ("former", world.former))}
    assert "需处理" in rows["mine"] and "需处理" in rows["other"] and "需处理" not in rows["former"]
    # The apprentice is told why nobody records check-ins any more.
    sign_in(client, world.apprentice)
    me = client.get("/mentoring/me").text.split(f'id="pairing-{world.pairing.id}"')[1].split("</section>")[0]
    assert "王师傅 (M001) 的账号已停用" in me and "人力资源" in me


def test_the_mentor_sees_an_apprentice_who_left(client, world):
    from lms.org import services as org

    org.deactivate(world.apprentice, "离职")
    sign_in(client, world.mentor)
    assert "账号已停用" not in client.get("/mentoring/desk").text.replace("李学员 (A001) 的账号已停用", "")
    assert "李学员 (A001) 的账号已停用" in client.get("/mentoring/desk").text


def test_hr_finds_every_pairing_that_needs_attention_with_one_filter(client, world, make_user):
    """A bank with hundreds of pairings: the badges alone would be on page 7. The state filter
    需处理 lists exactly the active pairings whose mentor or apprentice left, or whose mentor
    lost the role."""
    from lms.org import services as org

    hr = make_user(("hr",), employee_no="HR01")
    sign_in(client, hr)
    page = client.get("/mentoring/admin/?state=attention").text
    assert '<option value="attention" selected>需处理</option>' in page and 'id="no-pairing"' in page
    org.set_roles(world.mentor, ["learner"])
    org.deactivate(world.former_mentor, "离职")  # their pairing has ended already: nothing to do
    page = client.get("/mentoring/admin/?state=attention").text
    assert f'id="pairing-{world.pairing.id}"' in page
    assert f'id="pairing-{world.other_pairing.id}"' not in page and f'id="pairing-{world.former.id}"' not in page
    org.deactivate(world.other_apprentice, "离职")
    page = client.get("/mentoring/admin/?state=attention").text
    assert f'id="pairing-{world.pairing.id}"' in page and f'id="pairing-{world.other_pairing.id}"' in page
    assert "共 2 对结对" in page
