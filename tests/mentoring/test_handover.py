"""A pairing ended early and a new mentor assigned: the new mentor reads what
the former mentor worked on and agreed with the apprentice (read only, each
with its mentor) — not why HR ended the pairing, and nothing to correct."""
from __future__ import annotations

from datetime import date

from lms.mentoring import checkins
from lms.mentoring import pairing as rules
from tests.conftest import sign_in


def test_the_new_mentor_reads_the_former_mentors_check_ins(client, world, make_user, clock):
    checkins.record_check_in(world.pairing, world.mentor, checkins.CheckInInput(
        held_on=date(2026, 2, 27), form="face_to_face", notes="复盘第 1 周：**存款保险**条款不熟",
        topics=["个人存款"], actions=[checkins.NewAction("整理 5 位客户需求", date(2026, 3, 6))]))
    hr = make_user(("hr",), employee_no="HR01")
    rules.change_mentor(world.pairing, world.other_mentor, "王师傅与徒弟不和，另行安排", actor=hr,
                        planned_end_date=date(2026, 6, 1))
    sign_in(client, world.other_mentor)
    page = client.get(f"/mentoring/apprentices/{world.apprentice.id}").text
    assert 'id="earlier-check-ins"' in page and "前任师傅的帮扶记录" in page
    earlier = page.split('id="earlier-check-ins"')[1]
    assert "师傅：王师傅" in earlier and "存款保险" in earlier and "整理 5 位客户需求" in earlier
    assert "结对结束时未完成" in earlier and "已逾期" not in earlier
    assert "添加更正" not in earlier and "correction" not in earlier  # read only: the former mentor's words
    assert "不和" not in page and "另行安排" not in page  # HR's reason stays HR's
    # The new mentor's own list starts empty; the former mentor's page is gone for them.
    own = page.split('id="check-ins"')[1].split('id="earlier-check-ins"')[0]
    assert "尚无帮扶记录" in own and "存款保险" not in own
    sign_in(client, world.mentor)
    assert client.get(f"/mentoring/apprentices/{world.apprentice.id}").status_code == 404


def test_a_first_mentor_sees_no_earlier_section(client, world):
    sign_in(client, world.other_mentor)
    page = client.get(f"/mentoring/apprentices/{world.other_apprentice.id}").text
    assert 'id="earlier-check-ins"' not in page
