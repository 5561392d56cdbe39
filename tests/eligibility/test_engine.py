"""The engine: each condition met or unmet, with its evidence in words."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import event

from lms.eligibility import engine
from lms.eligibility.facts import active_rules
from lms.extensions import db
from lms.org.models import PositionRecord
from tests.reports.helpers import add_attempt, make_programme


def _texts(verdict):
    return [(c.met, c.evidence) for c in verdict.conditions]


def test_a_teller_without_anything_is_told_each_missing_condition(world, english):
    verdict = engine.explain(world.teller, world.rule)
    assert not verdict.eligible and verdict.state == "not_eligible"
    assert _texts(verdict) == [(False, "no 客户经理上岗资格"), (False, "Months as Teller: 9 (12 needed, reached on 2026-05-20)"),
                               (False, "no mentor sign-off (no mentor paired)")]
    assert [c.label for c in verdict.conditions] == ["Valid 客户经理上岗资格", "12 months as Teller",
                                                     "A mentor sign-off (出师评价) in force"]


def test_every_condition_met_with_its_evidence(world, english, clock, give_certificate, give_signoff):
    world.teller.positions[0].start_date = date(2025, 3, 1)
    db.session.commit()
    give_certificate(world.teller, world.rmq, expires_on=date(2027, 3, 1))
    give_signoff(world.teller, world.mentor, signed_on=date(2026, 2, 28))
    verdict = engine.explain(world.teller, world.rule)
    assert verdict.eligible
    assert _texts(verdict) == [(True, "客户经理上岗资格 valid until 2027-03-01"), (True, "Months as Teller: 12 (12 needed)"),
                               (True, "Signed off by 王师傅 on 2026-02-28")]


def test_the_evidence_is_in_chinese_for_a_chinese_reader(world, chinese):
    verdict = engine.explain(world.teller, world.rule)
    evidence = " ".join(c.evidence for c in verdict.conditions)
    assert "柜员" in evidence and "客户经理上岗资格" in evidence and "month" not in evidence


def test_expired_revoked_and_superseded_certificates_do_not_count(world, english, give_certificate):
    give_certificate(world.teller, world.rmq, issued_on=date(2024, 3, 1), expires_on=date(2026, 3, 1))
    assert _texts(engine.explain(world.teller, world.rule))[0] == (False, "客户经理上岗资格 expired 2026-03-01")
    give_certificate(world.teller, world.rmq, issued_on=date(2026, 1, 5), revoked_at=datetime(2026, 2, 27, 3))
    assert _texts(engine.explain(world.teller, world.rule))[0] == (False, "客户经理上岗资格 revoked 2026-02-27")


def test_a_valid_certificate_wins_over_an_older_expired_one(world, english, give_certificate):
    give_certificate(world.teller, world.rmq, issued_on=date(2024, 3, 1), expires_on=date(2026, 2, 1))
    give_certificate(world.teller, world.rmq, issued_on=date(2026, 2, 1), expires_on=date(2028, 2, 1))
    assert _texts(engine.explain(world.teller, world.rule))[0] == (True, "客户经理上岗资格 valid until 2028-02-01")


def test_a_certificate_valid_through_today_counts_until_the_day_after(world, english, clock, give_certificate):
    from datetime import timedelta

    give_certificate(world.teller, world.rmq, expires_on=date(2026, 3, 2))
    assert engine.explain(world.teller, world.rule).conditions[0].met
    clock.advance(timedelta(days=1))
    assert _texts(engine.explain(world.teller, world.rule))[0] == (False, "客户经理上岗资格 expired 2026-03-02")


def test_a_withdrawn_signoff_is_not_in_force(world, english, give_signoff):
    give_signoff(world.teller, world.mentor, withdrawn=True)
    assert _texts(engine.explain(world.teller, world.rule))[2] == (
        False, "no mentor sign-off (the one by 王师傅 of 2026-02-20 was withdrawn on 2026-02-25)")


def test_tenure_sums_whole_months_across_stints_and_positions(world, english, make_rule, make_user):
    rule = make_rule(slug="mentor", target="mentor", title="带教师傅准入",
                     tenure=[{"positions": ["rm_senior", "rm_principal", "manager"], "months": 24}])
    person = make_user(("learner",), employee_no="s01")
    person.positions = [PositionRecord(position="rm_senior", start_date=date(2023, 1, 10), end_date=date(2024, 1, 9)),
                        PositionRecord(position="teller", start_date=date(2024, 1, 10), end_date=date(2025, 1, 9)),
                        PositionRecord(position="rm_principal", start_date=date(2025, 1, 10))]
    db.session.commit()
    condition = engine.explain(person, rule).conditions[0]
    # 11 months as senior RM (a day short of the year), 13 as principal so far; teller does not count.
    assert condition.met and condition.evidence == "Months as Senior RM, Principal RM or Manager: 24 (24 needed)"
    person.positions[2].start_date = date(2025, 2, 3)
    person.positions[1].end_date = date(2025, 2, 2)
    db.session.commit()
    db.session.expire_all()
    condition = engine.explain(person, rule).conditions[0]
    assert not condition.met and condition.evidence == ("Months as Senior RM, Principal RM or Manager: 23 "
                                                               "(24 needed, reached on 2026-03-03)")  # still a principal: a day to go


def test_weeks_passed_names_each_week_not_passed(world, english, clock, make_rule):
    from datetime import timedelta

    programme = make_programme(8)  # weeks due 2026-02-22, 03-01, ...: two are past on 2026-03-02
    clock.advance(timedelta(days=35))  # 2026-04-06: weeks 1..7 are due (week 7 on 04-05)
    weeks = [i for i in programme.items]
    for item in weeks[:7]:
        if item.number != 4:
            add_attempt(world.teller, item, 90.0)
    add_attempt(world.teller, weeks[3], 50.0)
    rule = make_rule(slug="rm-intermediate", target="rm_intermediate", title="中级客户经理准入",
                     weeks_passed={"programme": "rm-foundation", "last": 5, "min": 5})
    condition = engine.explain(world.teller, rule).conditions[0]
    assert not condition.met
    assert condition.evidence == "4 of the last 5 weeks passed (needs 5 of the last 5); week 4 exam not passed"
    add_attempt(world.teller, weeks[3], 85.0)
    condition = engine.explain(world.teller, rule).conditions[0]
    assert condition.met and condition.evidence == "5 of the last 5 weeks passed"


def test_weeks_passed_when_fewer_weeks_are_due_than_asked(world, english, make_rule):
    make_programme(8)
    rule = make_rule(slug="rm-intermediate", target="rm_intermediate", title="中级客户经理准入",
                     weeks_passed={"programme": "rm-foundation", "last": 8, "min": 8})
    condition = engine.explain(world.teller, rule).conditions[0]
    assert not condition.met
    assert condition.evidence == ("0 of the last 2 weeks passed (needs 8 of the last 8); only 2 weeks due so far; "
                                  "week 1 exam not passed; week 2 exam not passed")
    # The condition names the programme by its title, not the file's slug (rm-foundation).
    assert condition.label == "8 of the last 8 weeks of 客户经理基础培训 passed"


def test_query_count_does_not_grow_with_the_number_of_people(world, english, make_user, make_rule,
                                                             give_certificate, give_signoff):
    make_programme(4)
    [world.rule, make_rule(slug="rm-intermediate", target="rm_intermediate", title="中级客户经理准入",
                                   certifications=["rm-qualification"],
                                   weeks_passed={"programme": "rm-foundation", "last": 2, "min": 2})]
    people = [make_user(("learner",), position="teller", position_start=date(2024, 1, 1)) for _ in range(200)]
    for person in people[::3]:
        give_certificate(person, world.rmq)
    for person in people[::5]:
        give_signoff(person, world.mentor)

    def statements(ids):
        count = {"n": 0}

        def count_it(*_args):
            count["n"] += 1

        db.session.expunge_all()
        event.listen(db.engine, "before_cursor_execute", count_it)
        try:
            _facts, verdicts = engine.evaluate_people(ids, active_rules())
        finally:
            event.remove(db.engine, "before_cursor_execute", count_it)
        assert ids is None or len(verdicts) == len(ids)
        return count["n"], verdicts

    ids = [p.id for p in people]
    certified = len(people[::3])
    few, _v = statements(ids[:10])
    many, verdicts = statements(ids)
    everybody, _v = statements(None)
    assert few == many == everybody
    assert sum(v[0].conditions[0].met for v in verdicts.values()) == certified


def test_the_register_cell_says_how_many_weeks_are_needed(world, client, make_rule):
    """The register shows an unmet condition's evidence alone: "最近 2 周通过 2 周；目前仅有 2 周已到期" read
    as everything passed, yet 不符合 — the evidence now says what the rule needs, as tenure's "（需 12 个月）"."""
    from tests.conftest import sign_in

    make_programme(8)  # two weeks due on the clock's day, neither passed
    rule = make_rule(slug="rm-intermediate", target="rm_intermediate", title="中级客户经理准入",
                     weeks_passed={"programme": "rm-foundation", "last": 8, "min": 8})
    sign_in(client, world.hr)
    page = client.get(f"/eligibility/?rule={rule.id}&q=t01").text
    assert "最近 2 周通过 0 周（需最近 8 周至少通过 8 周）" in page and "目前仅有 2 周已到期" in page
