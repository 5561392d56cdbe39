"""What other domains read of mentoring (certificates and eligibility): plain
queries, no writes, no imports of those domains.

A sign-off is *in force* while HR has not withdrawn it (``withdrawn_at IS NULL``)."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from lms.extensions import db
from lms.mentoring.models import SignOff


def signoff_in_force(user_id: int) -> SignOff | None:
    """The user's sign-off in force (the latest, should there ever be two), or None."""
    return db.session.scalar(select(SignOff).where(SignOff.apprentice_id == user_id, SignOff.withdrawn_at.is_(None))
                             .order_by(SignOff.signed_at.desc(), SignOff.id.desc()).limit(1))


def signoffs_in_force(user_ids: Iterable[int]) -> dict[int, SignOff]:
    """{user id: their sign-off in force} for those of ``user_ids`` who have one,
    in one statement per 1,000 ids (lists and registers of thousands of people)."""
    ids = sorted(set(user_ids))
    found: dict[int, SignOff] = {}
    for start in range(0, len(ids), 1000):
        rows = db.session.scalars(select(SignOff).where(SignOff.apprentice_id.in_(ids[start:start + 1000]),
                                                        SignOff.withdrawn_at.is_(None))
                                  .order_by(SignOff.signed_at, SignOff.id))
        for signoff in rows:
            found[signoff.apprentice_id] = signoff  # the latest wins
    return found
