"""Who is whose mentor, read from the pairings: the one place the mentor's
pages and the apprentice's page ask. A mentor sees an apprentice only while
their pairing is active (a former mentor sees nothing more); an apprentice
sees every pairing they had."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.extensions import db
from lms.mentoring.models import Pairing, PairingState
from lms.org.models import User


def active_pairings_of(mentor) -> list[Pairing]:
    """The mentor's active pairings with their apprentices, by apprentice 工号."""
    return list(db.session.scalars(
        select(Pairing).join(User, User.id == Pairing.apprentice_id)
        .options(joinedload(Pairing.apprentice).joinedload(User.branch))
        .where(Pairing.mentor_id == mentor.id, Pairing.state == PairingState.ACTIVE)
        .order_by(User.employee_no)))


def signed_off_pairings_of(mentor) -> list[Pairing]:
    """The mentor's signed-off pairings, latest first, with their apprentices:
    the desk lists them so a mentor finds the sign-offs they gave (theirs to
    read while the pairing is not ended). An ended pairing is not listed: a
    former mentor sees nothing more of the apprentice."""
    return list(db.session.scalars(
        select(Pairing).options(joinedload(Pairing.apprentice))
        .where(Pairing.mentor_id == mentor.id, Pairing.state == PairingState.SIGNED_OFF)
        .order_by(Pairing.start_date.desc(), Pairing.id.desc())))


def pairing_as_mentor(mentor, apprentice_id: int) -> Pairing | None:
    """The active pairing of ``mentor`` with the apprentice, or None (the
    views answer 404: a mentor of someone else, a former mentor, one whose
    mentor role HR took away while the pairing is still open, anyone)."""
    if "mentor" not in mentor.roles:
        return None
    return db.session.scalar(select(Pairing).options(joinedload(Pairing.apprentice)).where(
        Pairing.mentor_id == mentor.id, Pairing.apprentice_id == apprentice_id,
        Pairing.state == PairingState.ACTIVE))


def signed_off_pairing(mentor, apprentice_id: int) -> Pairing | None:
    """The mentor's signed-off pairing with the apprentice (the latest), or None."""
    return db.session.scalar(select(Pairing).where(
        Pairing.mentor_id == mentor.id, Pairing.apprentice_id == apprentice_id,
        Pairing.state == PairingState.SIGNED_OFF).order_by(Pairing.start_date.desc(), Pairing.id.desc()).limit(1))


def was_mentor_of(mentor, apprentice_id: int) -> bool:
    """Whether ``mentor`` had a pairing with the apprentice at some time (the
    pages say why they are closed now, to a former mentor only)."""
    return db.session.scalar(select(Pairing.id).where(
        Pairing.mentor_id == mentor.id, Pairing.apprentice_id == apprentice_id).limit(1)) is not None


def may_act(mentor) -> bool:
    """Whether the mentor of an active pairing can still act on it (record a
    check-in, sign off, hear an alert): their account is active and they hold
    the mentor role. Otherwise the pairing waits for HR (``pairing.attention``)."""
    return mentor is not None and mentor.active and "mentor" in mentor.roles


def active_mentor_of(learner) -> User | None:
    return db.session.scalar(select(User).join(Pairing, Pairing.mentor_id == User.id).where(
        Pairing.apprentice_id == learner.id, Pairing.state == PairingState.ACTIVE))


def pairings_as_apprentice(user) -> list[Pairing]:
    """Every pairing the user had as an apprentice: the active one first, then
    the earlier ones, latest first."""
    rows = list(db.session.scalars(
        select(Pairing).options(joinedload(Pairing.mentor).joinedload(User.branch))
        .where(Pairing.apprentice_id == user.id).order_by(Pairing.start_date.desc(), Pairing.id.desc())))
    return sorted(rows, key=lambda p: not p.is_active)


def has_pairing(user) -> bool:
    """Has the user ever had a mentor (the menu shows "My mentor" then)?"""
    return db.session.scalar(select(Pairing.id).where(Pairing.apprentice_id == user.id).limit(1)) is not None
