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
    assert "尚未记录与李学员的帮扶" in page
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


def test_after_a_re_pairing_only_the_new_mentor_signs_off(client, world):
    """HR ends 王师傅's pairing and pairs 李学员 with 张师傅: the old pairing's
    sign-off page, the apprentice's record and a POST with a full form answer
    404 to 王师傅; 张师傅 reaches the new pairing only, not the old one."""
    from sqlalchemy import func, select

    from lms.extensions import db
    from lms.mentoring.models import Pairing, PairingState, SignOff
    from tests.mentoring.test_signoff import _form_data

    old = world.pairing
    old.state, old.ended_on, old.end_reason = PairingState.ENDED, date(2026, 3, 1), "换师傅"
    db.session.commit()
    new = Pairing(mentor_id=world.other_mentor.id, apprentice_id=world.apprentice.id, start_date=date(2026, 3, 2))
    db.session.add(new)
    db.session.commit()

    sign_in(client, world.mentor)
    assert client.get(f"/mentoring/pairings/{old.id}/signoff").status_code == 404
    assert client.post(f"/mentoring/pairings/{old.id}/signoff", data=_form_data()).status_code == 404
    assert client.get(f"/mentoring/pairings/{new.id}/signoff").status_code == 404
    assert client.get(f"/mentoring/apprentices/{world.apprentice.id}").status_code == 404
    sign_in(client, world.other_mentor)
    assert client.get(f"/mentoring/pairings/{old.id}/signoff").status_code == 404
    assert client.get(f"/mentoring/pairings/{new.id}/signoff").status_code == 200
    assert db.session.scalar(select(func.count(SignOff.id))) == 0


def test_an_english_mentor_reads_the_overdue_weeks_in_english(client, world):
    """The weeks that hold a sign-off back were joined with the Chinese
    semicolon on English pages too."""
    from lms.extensions import db
    from tests.test_labels import visible_text

    world.mentor.locale = "en"
    db.session.commit()
    sign_in(client, world.mentor)
    page = visible_text(client.get(f"/mentoring/apprentices/{world.apprentice.id}").text)
    assert " (due 2026-02-15); " in page and "；" not in page.split("has overdue weeks:")[1].split("A sign-off")[0]
    world.mentor.locale = "zh"
    db.session.commit()
    page = visible_text(client.get(f"/mentoring/apprentices/{world.apprentice.id}").text)
    assert "（截止 2026-02-15）；" in page


def test_a_sign_off_held_back_is_not_offered_as_one(client, world):
    """With overdue weeks the apprentice's page said why, then offered
    出师评价 anyway; the page it led to refused. The link now says it shows
    what the sign-off needs; once nothing holds it back it offers it."""
    import re

    from lms.extensions import db
    from tests.mentoring.conftest import answer

    def link():
        page = client.get(f"/mentoring/apprentices/{world.apprentice.id}").text
        return re.search(r'id="signoff-link"[^>]*>([^<]*)</a>', page).group(1)

    sign_in(client, world.mentor)
    assert link() == "查看出师条件"
    for exam in world.exams[:3]:
        answer(world.apprentice, exam, {world.deposit.slug: "B", world.loan.slug: "A"})
    db.session.expire_all()
    assert link() == "出师评价"
