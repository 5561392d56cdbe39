"""The pairing rules (lms.mentoring.pairing): who may mentor, capacity, one
active mentor per apprentice, dates; ending and changing keep the history;
every change is audited; two HR users at once get one pairing and a message."""
from __future__ import annotations

import threading
from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.mentoring import pairing as rules
from lms.mentoring import settings
from lms.mentoring.models import Pairing, PairingState
from tests.mentoring.pairing_world import make_world

START, END = date(2026, 3, 2), date(2026, 9, 1)


@pytest.fixture
def w(app, clock, make_user, make_branch):
    world = make_world(make_user, make_branch)
    with app.test_request_context(), force_locale("en"):
        yield world


def refused(*args, **kwargs) -> str:
    with pytest.raises(rules.PairingError) as caught:
        rules.pair(*args, **kwargs)
    return str(caught.value)


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))


def test_a_qualified_mentor_is_paired_and_it_is_audited(w):
    made = rules.pair(w.mentor, w.learners[0], START, END, "三个月内独立完成贷前调查", actor=w.hr)
    assert (made.state, made.mentor_id, made.apprentice_id, made.created_by_id) == (
        "active", w.mentor.id, w.learners[0].id, w.hr.id)
    [event] = events("pairing.created")
    assert event.actor_id == w.hr.id and event.object_id == str(made.id)
    assert '"mentor": "M001"' in event.details and '"apprentice": "L001"' in event.details


def test_refusals_say_which_rule_with_the_figures(w):
    assert "张三 (M003) has 14 of 24 months at Senior RM or above." in refused(
        w.short, w.learners[0], START, END, actor=w.hr)
    assert "钱进 (M004)'s position is Junior RM; a mentor must be Senior RM or above." in refused(
        w.junior_mentor, w.learners[0], START, END, actor=w.hr)
    assert "孙强 (M005) does not hold the mentor role." in refused(w.no_role, w.learners[0], START, END, actor=w.hr)
    assert "cannot be their own mentor" in refused(w.mentor, w.mentor, START, END, actor=w.hr)
    assert "does not hold the learner role" in refused(w.mentor, w.hr, START, END, actor=w.hr)
    w.learners[1].active = False
    db.session.commit()
    assert "学员2 (L002)'s account is deactivated." in refused(w.mentor, w.learners[1], START, END, actor=w.hr)
    assert db.session.scalar(select(func.count()).select_from(Pairing)) == 0
    assert events("pairing.created") == []


def test_tenure_sums_the_stints_at_or_above_the_grade(w):
    """24 months at Senior RM or above: 14 as senior + 12 as principal count;
    the years as intermediate do not."""
    from lms.org.models import PositionRecord

    w.short.positions[-1].end_date = date(2026, 1, 1)  # senior 2025-01 → 2026-01: 12 months
    w.short.positions.append(PositionRecord(position="rm_principal", start_date=date(2026, 1, 1)))
    db.session.commit()
    assert "has 14 of 24 months" in refused(w.short, w.learners[0], START, END, actor=w.hr)
    settings.set_rule(min_position="rm_senior", min_months=14, certification="", capacity=3, actor=w.hr)
    assert rules.pair(w.short, w.learners[0], START, END, actor=w.hr).is_active


def test_a_mentor_takes_apprentices_up_to_their_capacity(w):
    for learner in w.learners[:3]:
        rules.pair(w.mentor, learner, START, END, actor=w.hr)
    assert "王师傅 (M001) already has 3 apprentices (capacity 3)." in refused(
        w.mentor, w.learners[3], START, END, actor=w.hr)
    settings.set_capacity(w.mentor, 4, actor=w.hr)
    rules.pair(w.mentor, w.learners[3], START, END, actor=w.hr)
    assert "already has 4 apprentices (capacity 4)" in refused(w.mentor, w.learners[4], START, END, actor=w.hr)
    # Ending a pairing frees a place.
    first = db.session.scalar(select(Pairing).where(Pairing.apprentice_id == w.learners[0].id))
    rules.end(first, "徒弟调岗", actor=w.hr)
    assert rules.pair(w.mentor, w.learners[4], START, END, actor=w.hr).is_active


def test_an_apprentice_has_one_active_mentor(w):
    rules.pair(w.mentor, w.learners[0], date(2026, 2, 1), END, actor=w.hr)
    assert "学员1 (L001) already has an active mentor: 王师傅 (M001) (since 2026-02-01)." in refused(
        w.mentor2, w.learners[0], START, END, actor=w.hr)


def test_dates_must_make_sense(w):
    assert "The planned end date 2026-03-01 is not after the start date 2026-03-02." in refused(
        w.mentor, w.learners[0], START, date(2026, 3, 1), actor=w.hr)
    assert "more than a year from today" in refused(w.mentor, w.learners[0], date(2024, 1, 1), END, actor=w.hr)
    assert "The planned end date 2026-03-01 has passed." in refused(
        w.mentor, w.learners[0], date(2026, 1, 1), date(2026, 3, 1), actor=w.hr)


def test_a_required_certification_must_be_held_valid(w, clock):
    from lms.certificates.models import Certificate
    from lms.content.models import Certification

    cert = Certification(slug="mentor-qualification", title="带教师傅资格", serial_prefix="MTQ", validity_months=24)
    db.session.add(cert)
    db.session.commit()
    settings.set_rule(min_position="rm_senior", min_months=24, certification="mentor-qualification", capacity=3,
                      actor=w.hr)
    assert "王师傅 (M001) holds no valid certificate “带教师傅资格”" in refused(
        w.mentor, w.learners[0], START, END, actor=w.hr)
    expired = Certificate(certification_id=cert.id, user_id=w.mentor.id, serial="MTQ-2023-000001", verify_code="x1",
                          issued_on=date(2023, 1, 1), expires_on=date(2025, 1, 1), holder_name="王师傅",
                          holder_employee_no="M001")
    db.session.add(expired)
    db.session.commit()
    assert "holds no valid certificate" in refused(w.mentor, w.learners[0], START, END, actor=w.hr)
    db.session.add(Certificate(certification_id=cert.id, user_id=w.mentor.id, serial="MTQ-2025-000001",
                               verify_code="x2", issued_on=date(2025, 1, 1), expires_on=date(2027, 1, 1),
                               holder_name="王师傅", holder_employee_no="M001"))
    db.session.commit()
    assert rules.pair(w.mentor, w.learners[0], START, END, actor=w.hr).is_active


def test_ending_and_changing_keep_the_history_and_are_audited(w):
    first = rules.pair(w.mentor, w.learners[0], date(2026, 1, 5), END, "目标", actor=w.hr)
    with pytest.raises(rules.PairingError, match="Give a reason"):
        rules.change_mentor(first, w.mentor2, "  ", actor=w.hr)
    # A refused new mentor changes nothing: the old pairing stays active.
    with pytest.raises(rules.PairingError, match="has 14 of 24 months"):
        rules.change_mentor(first, w.short, "师傅调岗", actor=w.hr)
    db.session.refresh(first)
    assert first.is_active
    second = rules.change_mentor(first, w.mentor2, "师傅调往芦淞支行", actor=w.hr)
    db.session.refresh(first)
    assert (first.state, first.ended_on, first.end_reason, first.ended_by_id) == (
        "ended", date(2026, 3, 2), "师傅调往芦淞支行", w.hr.id)
    assert (second.mentor_id, second.start_date, second.planned_end_date, second.goals) == (
        w.mentor2.id, date(2026, 3, 2), END, "目标")
    [changed] = events("pairing.mentor_changed")
    assert changed.object_id == str(first.id) and "师傅调往芦淞支行" in changed.details
    rules.end(second, "徒弟离职", actor=w.hr)
    with pytest.raises(rules.PairingError, match="not active any more"):
        rules.end(second, "again", actor=w.hr)
    assert [p.state for p in rules.history_of(w.learners[0])[0]] == ["ended", "ended"]
    assert len(events("pairing.ended")) == 1 and len(events("pairing.created")) == 2


def test_a_lost_race_on_the_unique_index_is_a_message_not_an_error(w, monkeypatch):
    """If two transactions both pass the checks, the partial unique index
    refuses the second insert; the service says so in words."""
    rules.pair(w.mentor, w.learners[0], START, END, actor=w.hr)
    monkeypatch.setattr(rules, "refusals", lambda *a, **k: [])
    message = refused(w.mentor2, w.learners[0], START, END, actor=w.hr)
    assert "was given a mentor by someone else a moment ago" in message
    assert db.session.scalar(select(func.count()).select_from(Pairing)) == 1


def _at_once(app, jobs) -> list:
    """Run each job in its own thread and app context, all released together."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, job):
        with app.app_context(), app.test_request_context(), force_locale("en"):
            try:
                barrier.wait()
                results[i] = job()
            except Exception as exc:  # noqa: BLE001 - the caller looks at it
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_hr_users_pairing_the_same_apprentice_at_once_get_one_pairing(app, w):
    from lms.org.models import User

    ids = (w.mentor.id, w.mentor2.id, w.learners[0].id, w.hr.id, w.admin.id)
    db.session.commit()

    def job(mentor_id, actor_id):
        def run():
            mentor, apprentice, actor = (db.session.get(User, i) for i in (mentor_id, ids[2], actor_id))
            return rules.pair(mentor, apprentice, START, END, actor=actor).id
        return run

    results = _at_once(app, [job(ids[0], ids[3]), job(ids[1], ids[4])])
    made = [r for r in results if isinstance(r, int)]
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(made) == 1 and len(errors) == 1, results
    assert isinstance(errors[0], rules.PairingError) and "already has an active mentor" in str(errors[0])
    assert db.session.scalar(select(func.count()).select_from(Pairing).where(
        Pairing.state == PairingState.ACTIVE)) == 1


def test_two_hr_users_filling_a_mentors_last_place_at_once_get_one_pairing(app, w):
    from lms.org.models import User

    for learner in w.learners[:2]:
        rules.pair(w.mentor, learner, START, END, actor=w.hr)
    ids = [w.mentor.id, w.learners[2].id, w.learners[3].id, w.hr.id]
    db.session.commit()

    def job(apprentice_id):
        def run():
            mentor, apprentice, actor = (db.session.get(User, i) for i in (ids[0], apprentice_id, ids[3]))
            return rules.pair(mentor, apprentice, START, END, actor=actor).id
        return run

    results = _at_once(app, [job(ids[1]), job(ids[2])])
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and "already has 3 apprentices (capacity 3)" in str(errors[0]), results
    assert rules.active_count(w.mentor.id) == 3
