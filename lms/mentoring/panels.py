"""Home panels of mentoring: the mentor's desk (role mentor), for a
learner who has or had a mentor a line about their mentor, and for a branch
manager the people of their branches without a mentor (尚无师傅)."""
from __future__ import annotations

from sqlalchemy import func, select

from lms import clock
from lms.extensions import db
from lms.mentoring import access, checkins, desk, register
from lms.mentoring.models import CheckIn, Pairing
from lms.org import scope as org_scope
from lms.org.models import User


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


def unpaired_panel(user) -> dict:
    """尚无师傅 in the branch manager's branch tree, by the rule of the
    register's tab (``register.UNPAIRED_POSITIONS``). When there are none,
    "everyone has a mentor" only if someone there takes a mentor at all; else
    the panel says nobody there is in such a post, or nobody but the manager
    works there."""
    scope = org_scope.branch_scope(user)
    unpaired = register.unpaired_count(scope)
    anyone = unpaired > 0 or register.anyone_to_pair(scope)
    people = anyone or bool(db.session.scalar(select(User.id).where(  # anyone there but the manager
        User.active.is_(True), User.id != user.id,
        *([User.branch_id.in_(scope)] if scope is not None else [])).limit(1)))
    return {"unpaired": unpaired, "anyone_to_pair": anyone, "people": people,
            "unpaired_positions": register.UNPAIRED_POSITIONS}
