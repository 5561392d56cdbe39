"""Who has left the bank, and since when.

Someone who leaves is deactivated (HR's button on the person page, or 离职 in
an import: ``lms.org.imports``); the day they left is the day of the last
deactivation, read from the audit log (``user.deactivated``), in the bank's
time zone. Reactivated (rehired) people are at work again. The certificate
pages say it the same way everywhere — /verify, HR's register and its
download, the person page — while the certificates stay as issued: they
record training that happened."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import String, and_, cast, func, select

from lms import clock
from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.org.models import User

DEACTIVATED = "user.deactivated"


def leaving_dates(user_ids: Iterable[int] | None = None) -> dict[int, date | None]:
    """{user id: the day they left} of the people among ``user_ids`` (None:
    everyone) whose account is deactivated; None as the day when the log has
    no deactivation of theirs (an account created inactive). One query."""
    last = func.max(AuditEvent.at)
    query = (select(User.id, last)
             .outerjoin(AuditEvent, and_(AuditEvent.action == DEACTIVATED, AuditEvent.object_type == "user",
                                         AuditEvent.object_id == cast(User.id, String)))
             .where(User.active.is_(False)).group_by(User.id))
    if user_ids is not None:
        wanted = sorted(set(user_ids))
        if not wanted:
            return {}
        query = query.where(User.id.in_(wanted))
    return {user_id: clock.local_date(at) if at else None for user_id, at in db.session.execute(query)}


def left_on(user: User) -> tuple[bool, date | None]:
    """(has left, the day they left) of one person."""
    if user.active:
        return False, None
    return True, leaving_dates([user.id]).get(user.id)
