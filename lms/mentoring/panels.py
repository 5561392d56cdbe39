"""Home panels of mentoring: the mentor's desk (role mentor) and, for a
learner who has or had a mentor, a line about their mentor."""
from __future__ import annotations

from sqlalchemy import func, select

from lms import clock
from lms.extensions import db
from lms.mentoring import access, checkins, desk
from lms.mentoring.models import CheckIn, Pairing


def desk_panel(user) -> dict:
    return {"desks": desk.desk_for(user), "as_of": clock.now()}


def my_mentor_panel(user) -> dict:
    pairing_ids = select(Pairing.id).where(Pairing.apprentice_id == user.id)
    if not access.has_pairing(user):
        return {"had_pairing": False}
    unacknowledged = db.session.scalar(select(func.count()).select_from(CheckIn).where(
        CheckIn.pairing_id.in_(pairing_ids), CheckIn.awaiting_acknowledgement())) or 0
    overdue = len(checkins.overdue_actions(list(db.session.scalars(pairing_ids))))
    return {"had_pairing": True, "mentor": access.active_mentor_of(user), "unacknowledged": unacknowledged,
            "overdue": overdue}
