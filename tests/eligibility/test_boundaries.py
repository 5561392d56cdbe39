"""Eligibility on its boundaries: tenure counted as a certificate's validity
is (31 January + 1 month = 28 February), the day a missing tenure is reached
in the words HR reads (Chinese, English, the export), and a certificate's
last day on the bank's calendar."""
from __future__ import annotations

from datetime import date, datetime

from lms.eligibility import engine
from lms.extensions import db
from tests.conftest import sign_in


def _tenure(world):
    return engine.explain(world.teller, world.rule).conditions[1]


def test_hired_on_31_january_thirteen_months_are_served_on_28_february(world, english, clock):
    world.teller.positions[0].start_date = date(2025, 1, 31)
    db.session.commit()
    world.rule.requirements_json = '{"tenure": [{"positions": ["teller"], "months": 13}]}'
    db.session.commit()
    clock.freeze(datetime(2026, 2, 27, 2, 0))
    condition = engine.explain(world.teller, world.rule).conditions[0]
    assert (condition.met, condition.evidence) == (False, "Months as Teller: 12 (13 needed, reached on 2026-02-28)")
    clock.freeze(datetime(2026, 2, 28, 2, 0))  # 31 January 2025 + 13 months: the month has no 31st
    verdict = engine.explain(world.teller, world.rule)
    assert verdict.eligible and verdict.conditions[0].evidence == "Months as Teller: 13 (13 needed)"
    assert world.teller.months_in("teller", date(2026, 2, 28)) == 13  # HR's person page counts the same


def test_the_missing_tenure_says_the_day_it_is_reached_in_chinese_and_english(world, english, clock):
    from flask_babel import force_locale

    for locale, expected in (("en", "Months as Teller: 9 (12 needed, reached on 2026-05-20)"),
                             ("zh_CN", "任柜员 9 个月（需 12 个月，2026-05-20 满）")):
        with force_locale(locale):
            condition = _tenure(world)
        assert (condition.met, condition.evidence) == (False, expected)


def test_a_tenure_from_a_post_left_has_no_day_to_promise(world, english, clock, make_user):
    from lms.org.models import PositionRecord

    person = make_user(("learner",), employee_no="s01")
    person.positions = [PositionRecord(position="teller", start_date=date(2025, 1, 10), end_date=date(2025, 10, 9)),
                        PositionRecord(position="rm_junior", start_date=date(2025, 10, 10))]
    db.session.commit()
    condition = engine.explain(person, world.rule).conditions[1]
    assert (condition.met, condition.evidence) == (False, "Months as Teller: 8 (12 needed)")


def test_the_export_carries_the_day_too(world, client, clock):
    sign_in(client, world.hr)
    answer = client.get(f"/eligibility/export.csv?rule={world.rule.id}")
    assert "任柜员 9 个月（需 12 个月，2026-05-20 满）" in answer.data.decode("utf-8-sig")


def test_a_certificate_stops_counting_at_midnight_in_beijing(world, english, clock, give_certificate):
    give_certificate(world.teller, world.rmq, expires_on=date(2026, 3, 2))
    clock.freeze(datetime(2026, 3, 2, 15, 59))  # 23:59 in Beijing
    assert engine.explain(world.teller, world.rule).conditions[0].met
    clock.freeze(datetime(2026, 3, 2, 16, 1))  # 00:01 on 3 March in Beijing, still 2 March in UTC
    condition = engine.explain(world.teller, world.rule).conditions[0]
    assert (condition.met, condition.evidence) == (False, "客户经理上岗资格 expired 2026-03-02")


def test_a_revocation_is_dated_on_the_bank_calendar(world, english, give_certificate):
    give_certificate(world.teller, world.rmq, revoked_at=datetime(2026, 2, 26, 17, 0))  # 01:00 on 27 February
    assert engine.explain(world.teller, world.rule).conditions[0].evidence == "客户经理上岗资格 revoked 2026-02-27"


def test_a_missing_sign_off_names_whose_it_is_to_give(world, client, clock):
    from flask_babel import force_locale

    from lms.mentoring.models import Pairing, PairingState

    db.session.add(Pairing(mentor_id=world.mentor.id, apprentice_id=world.teller.id, state=PairingState.ACTIVE,
                           start_date=date(2025, 9, 1)))
    db.session.commit()
    with force_locale("en"):
        assert engine.explain(world.teller, world.rule).conditions[2].evidence == \
            "no mentor sign-off (mentor 王师傅, paired since 2025-09-01)"
    sign_in(client, world.hr)
    answer = client.get(f"/eligibility/export.csv?rule={world.rule.id}").data.decode("utf-8-sig")
    assert "无出师评价（师傅：王师傅，2025-09-01 起带教）" in answer
    assert "无出师评价（师傅：王师傅，2025-09-01 起带教）" in client.get(f"/eligibility/people/{world.teller.id}").text
