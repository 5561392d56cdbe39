"""A mentor's "today" is the bank's: at 07:30 on Monday in Shanghai (still
Sunday in UTC) a check-in held that morning is not "in the future", the
form offers Monday as its date, and an action due on Sunday is overdue."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from lms.mentoring import checkins
from tests.conftest import sign_in

MONDAY_0730 = datetime(2026, 3, 1, 23, 30)  # Monday 2026-03-02 07:30 in Shanghai


def test_a_check_in_held_this_morning_in_china_is_recorded(client, world, clock):
    clock.freeze(datetime(2026, 3, 1, 12, 0))  # Sunday 20:00 in Shanghai: an action due tonight
    checkins.record_check_in(world.pairing, world.mentor, checkins.CheckInInput(
        held_on=date(2026, 3, 1), form="face_to_face", notes="周日面谈",
        actions=[checkins.NewAction(text="读授信办法", due_on=date(2026, 3, 1))]))
    assert checkins.overdue_actions([world.pairing.id]) == []
    clock.freeze(MONDAY_0730)
    assert [a.text for a in checkins.overdue_actions([world.pairing.id])] == ["读授信办法"]
    check_in = checkins.record_check_in(world.pairing, world.mentor, checkins.CheckInInput(
        held_on=date(2026, 3, 2), form="phone", notes="早会后电话沟通"))
    assert check_in.held_on == date(2026, 3, 2)
    sign_in(client, world.mentor)
    form = client.get(f"/mentoring/apprentices/{world.apprentice.id}/check-ins/new").text
    assert 'value="2026-03-02"' in form


@pytest.mark.parametrize("held_on, refused", [(date(2026, 3, 2), False), (date(2026, 3, 3), True)])
def test_the_future_starts_tomorrow_in_china(world, clock, held_on, refused):
    clock.freeze(MONDAY_0730)
    data = checkins.CheckInInput(held_on=held_on, form="phone", notes="n")
    if refused:
        with pytest.raises(checkins.CheckInError):
            checkins.record_check_in(world.pairing, world.mentor, data)
    else:
        assert checkins.record_check_in(world.pairing, world.mentor, data).held_on == held_on
