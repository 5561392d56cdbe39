"""Check-ins against a careless user and an attacker: a mentor whose mentor
role HR took away (the pairing still open) sees and records nothing more; the
same check-in sent twice (double click, two tabs) is recorded once."""
from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import func, select

from lms.extensions import db
from lms.mentoring.models import CheckIn, CheckInAction
from lms.notify.models import Notification
from lms.org import services
from tests.conftest import sign_in


def _post(client, world, **fields):
    data = {"held_on": "2026-02-27", "form": "face_to_face", "topics": ["个人存款"], "notes": "复盘第 4 周",
            "actions-0-text": "重做错题", "actions-0-due_on": "2026-03-06", **fields}
    return client.post(f"/mentoring/apprentices/{world.apprentice.id}/check-ins/new", data=data)


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_mentor_whose_role_was_taken_away_sees_and_records_nothing(client, world):
    services.set_roles(world.mentor, ["learner"])  # HR took the mentor role away; the pairing is still active
    db.session.commit()
    sign_in(client, world.mentor)
    base = f"/mentoring/apprentices/{world.apprentice.id}"
    assert client.get(base).status_code == 404
    assert client.get(base + "/check-ins/new").status_code == 404
    assert _post(client, world).status_code == 404
    assert _count(CheckIn) == 0
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "check_in_recorded")) == 0


def test_the_same_check_in_sent_twice_is_recorded_once(client, world):
    sign_in(client, world.mentor)
    assert _post(client, world).status_code == 302
    again = _post(client, world)  # the second tab, or the double click
    assert again.status_code == 400 and "已经记录过" in again.text
    assert _count(CheckIn) == 1 and _count(CheckInAction) == 1
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "check_in_recorded")) == 1
    # A second check-in of the same day that says something else is kept.
    assert _post(client, world, notes="下午又电话沟通了一次", form="phone").status_code == 302
    assert _count(CheckIn) == 2


def test_the_same_check_in_from_two_tabs_at_the_same_moment_is_recorded_once(app, world, monkeypatch):
    """Both requests look for the same check-in before either has written it.
    The second waits for the first (the pairing's row lock on PostgreSQL,
    the write lock on SQLite), then finds it and is told; without the wait
    both were recorded on PostgreSQL. Each thread waits at most 0.5 s for the
    other to reach the same point: it can only if nothing holds it back."""
    from lms.mentoring import checkins

    looked = checkins._recorded_already
    both_looked = threading.Barrier(2, timeout=0.5)

    def look_then_wait_for_the_other(*args):
        found = looked(*args)
        try:
            both_looked.wait()
        except threading.BrokenBarrierError:
            pass  # the other request waits for this one's lock: as it should
        return found

    monkeypatch.setattr(checkins, "_recorded_already", look_then_wait_for_the_other)
    pairing_id, mentor_id = world.pairing.id, world.mentor.id
    db.session.commit()  # this test's own reads end: it counts what the threads committed
    told = []

    def record():
        from lms.mentoring.models import Pairing
        from lms.org.models import User

        with app.app_context():
            try:
                checkins.record_check_in(db.session.get(Pairing, pairing_id), db.session.get(User, mentor_id),
                                         checkins.CheckInInput(held_on=date(2026, 2, 27), form="face_to_face",
                                                               topics=["个人存款"], notes="复盘第 4 周"))
            except checkins.CheckInError as err:
                told.append(err.errors)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=record) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _count(CheckIn) == 1
    assert len(told) == 1 and "没有重复记录" in told[0]["pairing"]


def test_notes_that_would_stall_the_renderer_are_refused_and_stored_ones_shown_as_text(client, world):
    sign_in(client, world.mentor)
    hostile = "[" * 2000  # the markdown renderer took seconds over this, minutes over 20,000
    answer = _post(client, world, notes=hostile)
    assert answer.status_code == 400 and "未闭合" in answer.text and _count(CheckIn) == 0
    assert _post(client, world, notes="x" * 5001).status_code == 400  # the notes' limit
    # Notes with links, comparisons and a little markup are fine.
    fine = "见[存款保险条例](https://example.com/a)，利率<3%时 **提醒客户**。\n\n" * 40
    assert _post(client, world, notes=fine).status_code == 302
    # A hostile note stored before the rule (or by other means) shows as text, quickly.
    check_in = db.session.scalar(select(CheckIn))
    check_in.notes = "[" * 20000 + "<b>粗体</b>"
    db.session.commit()
    page = client.get(f"/mentoring/apprentices/{world.apprentice.id}")
    assert page.status_code == 200 and "[[[[" in page.text and "&lt;b&gt;粗体" in page.text


def test_goals_that_would_stall_the_renderer_are_refused(world):
    from datetime import date

    import pytest

    from lms.mentoring import pairing as rules

    with pytest.raises(rules.PairingError, match="“\\["):
        rules.pair(world.former_mentor, world.other_apprentice, date(2026, 3, 2), date(2026, 9, 1),
                   goals="[" * 1500, actor=None)


def test_a_mistyped_year_is_refused_for_an_action_and_a_pairing(client, world):
    from datetime import date

    import pytest

    from lms.mentoring import pairing as rules

    sign_in(client, world.mentor)
    answer = _post(client, world, **{"actions-0-due_on": "2062-03-06"})  # 2062 for 2026: never overdue
    assert answer.status_code == 400 and "一年以上" in answer.text and _count(CheckIn) == 0
    assert _post(client, world, **{"actions-0-due_on": "2027-02-27"}).status_code == 302  # a year is fine
    rules.end(world.other_pairing, "调岗", actor=None)
    with pytest.raises(rules.PairingError, match="超过两年"):
        rules.pair(world.other_mentor, world.other_apprentice, date(2026, 3, 2), date(2062, 9, 1), actor=None)
    rules.pair(world.other_mentor, world.other_apprentice, date(2026, 3, 2), date(2026, 9, 1), actor=None)


def test_the_last_day_python_holds_is_refused_at_its_field(client, world):
    """A check-in dated 9999-12-31 with an action due that day: the action's window (a year after
    the check-in) was reckoned past the last date Python holds (OverflowError), and the mentor got
    "not found" instead of the form. The date is refused at its field; nothing is recorded."""
    sign_in(client, world.mentor)
    answer = _post(client, world, held_on="9999-12-31", **{"actions-0-due_on": "9999-12-31"})
    assert answer.status_code == 400 and "记录帮扶" in answer.text
    assert "9999-12-31 超出了系统可处理的日期范围（1900-01-01 至 2999-12-31）。" in answer.text
    assert _count(CheckIn) == 0


def test_an_apprentice_cannot_be_made_their_own_mentors_mentor(world):
    from datetime import date

    import pytest

    from lms.mentoring import pairing as rules
    from lms.org.models import UserRole

    # 李学员 becomes a mentor too (a principal RM under a mentor of their own), free of other rules.
    world.apprentice.role_rows.append(UserRole(role="mentor"))
    world.apprentice.positions[0].position = "rm_principal"
    db.session.commit()
    refused = rules.refusals(world.apprentice, world.mentor, date(2026, 3, 2), date(2026, 9, 1))
    assert any("不能同时又是其徒弟" in m for _f, m in refused), refused
    # With someone else as the apprentice, no such refusal.
    other = rules.refusals(world.apprentice, world.other_apprentice, date(2026, 3, 2), date(2026, 9, 1))
    assert not any("不能同时又是其徒弟" in m for _f, m in other)


def test_a_nul_in_a_check_in_note_or_action_is_refused_with_the_field_named_and_nothing_recorded(client, world):
    # SQLite would have stored it, PostgreSQL refused it only at the database: now both refuse it first.
    sign_in(client, world.mentor)
    for fields, field in (({"notes": "复盘\x00第 4 周"}, "notes"), ({"actions-0-text": "重做\x00错题"}, "actions-0-text")):
        response = _post(client, world, **fields)
        assert response.status_code == 400
        assert f"字段“{field}”含有控制字符" in response.text
    assert _count(CheckIn) == 0 and _count(CheckInAction) == 0
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "check_in_recorded")) == 0
    assert _post(client, world).status_code == 302  # without it, recorded


def test_a_note_of_lists_nested_hundreds_deep_does_not_break_the_apprentices_page(client, world):
    """"- - - - … x" (1,201 characters, far within the notes' limit) is a list inside a
    list 600 deep: the markdown renderer recursed until Python gave up, and the
    apprentice's page (and the mentor's, and HR's) answered 500 on every view."""
    sign_in(client, world.mentor)
    nested = "- " * 600 + "x"
    assert _post(client, world, notes=nested).status_code == 302
    assert _post(client, world, notes="1. " * 600 + "y", held_on="2026-02-26").status_code == 302
    page = client.get(f"/mentoring/apprentices/{world.apprentice.id}")
    assert page.status_code == 200 and "- - - - x" in page.text and "1. 1. y" in page.text
    sign_in(client, world.apprentice)
    assert client.get("/mentoring/me").status_code == 200
    # A few levels, as people write them, are still lists.
    from lms.content.rendering import render_markdown

    assert str(render_markdown("- 存款\n    - 定期\n        - 三年期")).count("<ul>") == 3
