"""The sign-off page says what the sign-off rests on before the mentor gives
it: the check-ins recorded (none: a notice and a link to record one — the
demo's 孙娜 was signed off with 尚无帮扶记录 on her page) and the agreed
actions still open, which nobody can close once the pairing is signed off."""
from __future__ import annotations

from datetime import date

from lms.mentoring import checkins
from tests.conftest import sign_in


def test_the_sign_off_page_names_what_it_rests_on(client, world):
    url = f"/mentoring/pairings/{world.pairing.id}/signoff"
    sign_in(client, world.mentor)
    page = client.get(url).text
    assert "尚未记录与 李学员 的帮扶" in page
    assert f'href="/mentoring/apprentices/{world.apprentice.id}/check-ins/new"' in page
    assert 'id="signoff-open-actions"' not in page

    checkins.record_check_in(world.pairing, world.mentor, checkins.CheckInInput(
        held_on=date(2026, 2, 20), form="phone", notes="电话沟通",
        actions=[checkins.NewAction("整理 5 位客户需求", date(2026, 3, 6))]))
    checkins.record_check_in(world.pairing, world.mentor, checkins.CheckInInput(
        held_on=date(2026, 2, 27), form="phone", notes="再次沟通"))
    page = client.get(url).text
    assert "尚未记录" not in page
    assert "已记录 2 次帮扶，最近一次 2026-02-27。" in page
    assert "1 项约定事项尚未完成" in page and "整理 5 位客户需求" in page
