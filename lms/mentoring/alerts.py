"""Alerts reach the mentor: mentoring adds the learner's active mentor to
those who hear of a learner in trouble (failed twice, overdue; in-app and on
the channels the administrator switched on), makes the "no check-in for 14
days" alert in ``flask notify scan``, and leads a mentor's alert to the
apprentice page. Registered with notify from ``lms.mentoring.setup``:
notify imports nothing of mentoring."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms import clock
from lms.extensions import db
from lms.mentoring.access import active_mentor_of, may_act, pairing_as_mentor
from lms.mentoring.desk import check_in_gap, last_check_ins
from lms.mentoring.models import Pairing, PairingState
from lms.notify.events import learner_params
from lms.notify.services import notify


def mentor_of(learner) -> list:
    """The learner's active mentor, if any and able to act (a former mentor, or one
    whose mentor role HR took away, hears nothing more)."""
    mentor = active_mentor_of(learner)
    return [mentor] if may_act(mentor) else []


def apprentice_link(viewer, learner_id: int):
    """An alert about a learner leads their active mentor to the apprentice page."""
    if not viewer.has_role("mentor") or pairing_as_mentor(viewer, learner_id) is None:
        return None
    return ("mentoring.apprentice", {"user_id": learner_id})


def scan_check_in_gaps(now: datetime, result) -> None:
    """No check-in for 14 days since the last one (or since the pairing
    started): the mentor hears of it once per pairing and gap — the subject
    names the day the gap began, so a new check-in starts a new gap. Not about
    an apprentice who left (account deactivated), nor to a mentor who cannot
    record a check-in (``may_act``): HR ends or changes those pairings."""
    today = clock.local_date(now)
    pairings = list(db.session.scalars(
        select(Pairing).options(joinedload(Pairing.apprentice), joinedload(Pairing.mentor))
        .where(Pairing.state == PairingState.ACTIVE).order_by(Pairing.id)))
    last = last_check_ins([p.id for p in pairings])
    for pairing in pairings:
        if not pairing.apprentice.active or not may_act(pairing.mentor):
            continue
        gap = check_in_gap(pairing, last.get(pairing.id), today)
        if gap is None:
            continue
        since, days = gap
        params = {**learner_params(pairing.apprentice), "since": since.isoformat(), "days": days,
                  "pairing_id": pairing.id}
        result.add("mentor_no_check_in", notify(pairing.mentor, "mentor_no_check_in",
                                                f"pairing:{pairing.id}:since:{since.isoformat()}", params))
