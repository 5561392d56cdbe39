"""One limit (``lms.in_list.IN_LIST_LIMIT``) decides, for every reader of many people's rows, whether
their ids go to the database as an IN list or every row is read and the others' left out here. HR
reads the same figures either way: the roster and its download, the overdue list, the roster
filtered by a state, the waiting papers' verdicts and the eligibility register's conditions, for a
population of every kind of week (passed, retaken, tied across a pass-mark change, waiting with a
certain fail and with a chance, open now, never started, catch-up, scored by the latest attempt),
with people outside the asked ones holding attempts, certificates and sign-offs of their own."""
from __future__ import annotations

import json
import re
import secrets
from datetime import date, datetime, timedelta

import pytest
from flask_babel import force_locale

from lms import in_list
from lms.certificates.models import Certificate
from lms.content.models import Certification, EligibilityRule
from lms.eligibility import engine
from lms.exams.models import Attempt, AttemptItem
from lms.extensions import db
from lms.mentoring.models import Pairing, PairingState, SignOff
from lms.programmes import services as week_rules
from lms.reports import cells as cell_rules, rankings, roster as roster_rules, state_filter, tables, waiting
from lms.reports.cells import STATES
from lms.reports.members import roster_members
from tests.reports.helpers import add_attempt, make_programme
from tests.statements import counting_statements


def _waiting(user, item, version_id: int, right: int) -> None:
    """A paper waiting for a trainer: four single choices of 1 point, ``right`` of them right, and
    an essay of 1 point to grade (pass mark 80 %: 2 right is a certain fail, 3 could pass)."""
    at = datetime.combine(item.opens_on, datetime.min.time()) + timedelta(hours=9)
    attempt = Attempt(exam_id=item.exam_id, user_id=user.id, programme_item_id=item.id, number=9, seed=1,
                      state="grading", started_at=at, deadline=at + timedelta(minutes=30),
                      submitted_at=at + timedelta(minutes=10), end_reason="submitted", max_score=5.0, pass_mark=80.0)
    attempt.items = [AttemptItem(position=n, question_version_id=version_id, points=1.0, answer_json='"B"',
                                 awarded=1.0 if n < right else 0.0, correct=n < right) for n in range(4)]
    attempt.items.append(AttemptItem(position=4, question_version_id=version_id, points=1.0,
                                     answer_json='"三要点"', needs_grading=True))
    db.session.add(attempt)
    db.session.commit()


@pytest.fixture
def mixed(app, clock, make_user, make_branch, make_question):
    """Weeks 1–2 due (week 2 scored by the latest attempt), week 3 open today, week 4 not yet;
    twelve RMs in two branches, and people off the roster with attempts of their own."""
    north, south = make_branch("ZZ0101", "天元支行"), make_branch("ZZ0102", "芦淞支行")
    p = make_programme(4, audience={"positions": ["rm_junior", "rm_senior"]})
    p.items[1].exam.scoring = "latest"
    db.session.commit()
    w1, w2, w3, _w4 = p.items
    version = make_question("single", slug="in-list-single").versions[0]
    people = {}
    for n in range(1, 13):
        late = n == 8  # an RM since 25 February: week 1 (due the 22nd) is catch-up, not overdue
        people[n] = make_user(employee_no=f"P{n:02d}", name=f"客户经理{n}", branch=(north, south)[n % 2],
                              position=("rm_junior", "rm_senior")[n % 2],
                              position_start=date(2026, 2, 25) if late else date(2024, 1, 1))
    add_attempt(people[1], w1, 90)
    add_attempt(people[1], w2, 85)
    add_attempt(people[2], w1, 50)
    add_attempt(people[2], w1, 70)
    for n, first_mark, second_mark in ((3, 80, 70), (4, 70, 80)):  # equal 75s across a pass-mark change
        for mark in (first_mark, second_mark):
            attempt = add_attempt(people[n], w1, 75)
            attempt.pass_mark, attempt.passed = mark, 75 >= mark
        db.session.commit()
    _waiting(people[5], w1, version.id, right=2)  # a certain fail
    _waiting(people[6], w1, version.id, right=3)  # could still pass
    add_attempt(people[7], w3, None, state="open", at=clock.now() - timedelta(minutes=5))
    add_attempt(people[8], w2, 95)
    add_attempt(people[9], w2, 90)
    add_attempt(people[9], w2, 60)  # the latest counts: failed
    add_attempt(people[10], w1, 85)
    add_attempt(people[10], w3, 100)
    add_attempt(people[11], w1, None, state="open", at=clock.now() - timedelta(days=8))  # long expired
    # people[12] never started. Off the roster (a teller, HR) but with attempts, certificates, sign-offs:
    teller = make_user(employee_no="T01", branch=north, position="teller")
    hr = make_user(("hr",), employee_no="HR1", branch=north)
    for outsider in (teller, hr):
        add_attempt(outsider, w1, 100)
        add_attempt(outsider, w2, 40)
        _waiting(outsider, w3, version.id, right=2)
    mentor = make_user(("mentor", "learner"), employee_no="M01", branch=north, position="rm_principal")
    rmq = Certification(slug="rm-qualification", title="客户经理上岗资格", serial_prefix="RMQ", validity_months=24,
                        requirements_json="{}")
    db.session.add(rmq)
    db.session.flush()
    for k, person in enumerate([people[1], people[2], people[4], teller, hr]):
        db.session.add(Certificate(certification_id=rmq.id, user_id=person.id, serial=f"RMQ-2025-{k:06d}",
                                   verify_code=secrets.token_urlsafe(16), issued_on=date(2025, 3, 1),
                                   expires_on=date(2026, 2, 1) if k == 2 else date(2027, 3, 1),
                                   holder_name=person.name, holder_employee_no=person.employee_no))
    for person, withdrawn, state in ((people[1], False, PairingState.SIGNED_OFF), (people[3], True, PairingState.SIGNED_OFF),
                                     (people[6], None, PairingState.ACTIVE), (teller, False, PairingState.SIGNED_OFF)):
        pairing = Pairing(mentor_id=mentor.id, apprentice_id=person.id, state=state, start_date=date(2025, 6, 1))
        db.session.add(pairing)
        db.session.flush()
        if withdrawn is not None:
            db.session.add(SignOff(pairing_id=pairing.id, apprentice_id=person.id, mentor_id=mentor.id,
                                   signed_on=date(2026, 2, 20), recommendation="ready",
                                   withdrawn_at=datetime(2026, 2, 25) if withdrawn else None))
    db.session.add(EligibilityRule(slug="rm-intermediate-entry", title="中级客户经理准入", target="rm_intermediate",
                                   requirements_json=json.dumps({
                                       "certifications": ["rm-qualification"], "signoff": True,
                                       "tenure": [{"positions": ["rm_junior"], "months": 12}],
                                       "weeks_passed": {"programme": "rm-foundation", "last": 2, "min": 2}})))
    db.session.commit()
    return p, people, [teller, hr]


def _what_hr_reads(app, p, asked_ids: list[int], today: date) -> dict:
    db.session.expire_all()
    with app.test_request_context(), force_locale("zh_CN"):
        weeks = cell_rules.roster_weeks(p)
        everyone = roster_rules.build(p, None, roster_rules.RosterFilter(), page=None, today=today)
        headers, rows = tables.roster_table(everyone)
        overdue = [(o.member.user.employee_no, o.week.title, o.days, o.cell)
                   for o in roster_rules.overdue(p, None, roster_rules.RosterFilter(), today)]
        members = roster_members(p, None)
        asked = [m for m in members if m.user.employee_no not in ("P02", "P09")]  # their attempts left out
        filtered = {(state, week.id if week else None): [m.user.employee_no for m in state_filter.matching(
                        asked, [week] if week else weeks, state, today)]
                    for state in STATES for week in [None, *weeks]}
        _facts, verdicts = engine.evaluate_people(asked_ids, [db.session.get(EligibilityRule, 1)], today)
        return {"roster": [headers, *[list(r) for r in rows]], "overdue": overdue, "filtered": filtered,
                "cells": cell_rules.cells_for(members, weeks, today),
                "waiting": waiting.verdicts(sorted({w.exam_id for w in weeks}), [m.user.id for m in asked]),
                "eligibility": {uid: [(c.kind, c.met, c.evidence) for v in found for c in v.conditions]
                                for uid, found in verdicts.items()}}


def _ids_sent(statements: list[str]) -> int:
    """The statements that send the database a list of people's ids, not counting the download's
    batches (one IN list of at most ``roster.EXPORT_BATCH`` learners each, by design)."""
    batch = re.compile(r"attempt\.user_id IN \(.*GROUP BY attempt\.user_id, attempt\.exam_id(\) AS \w+)?$", re.S)
    return sum(1 for s in statements
               if re.search(r"(user_id|apprentice_id) IN \(", s) and not batch.search(s.strip()))


def test_hr_reads_the_same_figures_with_an_in_list_or_the_whole_table(app, clock, mixed, monkeypatch):
    p, people, outsiders = mixed
    today = clock.today()
    asked_ids = [people[n].id for n in (1, 2, 3, 4, 5, 6, 7, 8)]
    with counting_statements() as statements:
        small = _what_hr_reads(app, p, asked_ids, today)
    assert _ids_sent(statements) > 0  # a few people: their ids in the statements
    monkeypatch.setattr(in_list, "IN_LIST_LIMIT", 1)
    with counting_statements() as statements:
        large = _what_hr_reads(app, p, asked_ids, today)
    assert _ids_sent(statements) == 0  # past the limit: every row read, none of the ids sent
    assert large == small

    # The population has every kind of week, and the people off the roster are left out.
    statuses = {cell.status for row in small["cells"].values() for cell in row.values()}
    assert statuses >= {"passed", "failed", "grading", "in_progress", "not_started", "not_open"}
    assert any(cell.catch_up for cell in small["cells"][people[8].id].values())
    assert [s for s in STATES if small["filtered"][(s, None)]] == list(STATES)
    assert not {"P02", "P09"} & {no for found in small["filtered"].values() for no in found}
    assert {row[0] for row in small["roster"][1:]} == {f"P{n:02d}" for n in range(1, 13)}
    assert small["waiting"] == {(people[5].id, p.items[0].exam_id): {9: True},
                                (people[6].id, p.items[0].exam_id): {9: False}}
    assert set(small["eligibility"]) == set(asked_ids)
    assert not {o.id for o in outsiders} & {u for u, _e in small["waiting"]}
    met = {people[n].employee_no: [c[1] for c in small["eligibility"][people[n].id]] for n in (1, 2, 3)}
    assert met == {"P01": [True, False, True, True], "P02": [True, True, False, False],
                   "P03": [False, False, False, False]}
    signoff = {n: small["eligibility"][people[n].id][2][2] for n in (1, 3, 6)}
    assert "2026-02-20 给出出师评价" in signoff[1] and "已于 2026-02-25 撤回" in signoff[3] and "带教" in signoff[6]


@pytest.mark.parametrize("limit", [None, 1], ids=["in-list", "whole-table"])
def test_a_tie_between_a_pass_and_a_fail_reads_as_on_the_learners_page_in_every_hr_view(app, clock, mixed,
                                                                                         monkeypatch, limit):
    """P03 failed 75 % (pass mark 80) then passed 75 % (mark 70); P04 the mirror. The learner's page
    decides by the earliest of equal top percents: P03 failed week 1, P04 passed it. The roster and
    its download, the state filter, the overdue list, the branch totals, the branch manager's count
    of overdue people and the rankings say the same, with an IN list and past the limit."""
    p, people, _outsiders = mixed
    if limit:
        monkeypatch.setattr(in_list, "IN_LIST_LIMIT", limit)
    today = clock.today()
    w1 = p.items[0]
    page = {n: week_rules.week_status(people[n], w1, today) for n in (3, 4)}
    assert (page[3].status, page[3].overdue, page[4].status) == ("failed", True, "passed")
    db.session.expire_all()
    with app.test_request_context(), force_locale("zh_CN"):
        weeks = cell_rules.roster_weeks(p)
        members = roster_members(p, None)
        headers, rows = tables.roster_table(roster_rules.build(p, None, roster_rules.RosterFilter(), page=None,
                                                               today=today))
        column = headers.index(next(h for h in headers if w1.title in h))
        cell_text = {row[0]: row[column] for row in rows}
        assert "未通过" in cell_text["P03"] and "逾期" in cell_text["P03"] and "已通过" in cell_text["P04"]
        found = {state: [m.user.employee_no for m in state_filter.matching(members, [w1], state, today)]
                 for state in ("passed", "failed", "overdue")}
        assert "P03" in found["failed"] and "P03" in found["overdue"] and "P03" not in found["passed"]
        assert "P04" in found["passed"] and "P04" not in found["failed"] + found["overdue"]
        cells = cell_rules.cells_for(members, weeks, today)
        for state in STATES:  # every state, in week 1 and in any week: the cells' words
            for chosen in ([w1], weeks):
                assert [m.user.employee_no for m in state_filter.matching(members, chosen, state, today)] == \
                    [m.user.employee_no for m in members
                     if any(cells[m.user.id][w.id].matches(state) for w in chosen)], (state, chosen)
        late = {(o.member.user.employee_no, o.week.id) for o in roster_rules.overdue(
            p, None, roster_rules.RosterFilter(), today)}
        assert ("P03", w1.id) in late and ("P04", w1.id) not in late
        totals = roster_rules.totals(p, None, roster_rules.RosterFilter(week_id=w1.id), today)
        for (branch_id, _week_id), total in totals.table.items():
            mine = [m for m in members if m.user.branch_id == branch_id]
            assert (total.passed, total.overdue) == (
                sum(cells[m.user.id][w1.id].status == "passed" for m in mine),
                sum(cells[m.user.id][w1.id].overdue for m in mine)), branch_id
        standings = {r.member.user.employee_no: r.standing for r in rankings.rankings(
            p, None, date(2026, 1, 1), today, top=None).learners}
        assert (standings["P03"].passed, standings["P04"].passed) == (0, 1)
