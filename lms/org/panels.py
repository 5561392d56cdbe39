"""Home-page panels of HR and the administrator."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from lms import clock
from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.org.models import POSITIONS, Branch, PositionRecord, User


def _headcount_by_position() -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(PositionRecord.position, func.count())
        .join(User, User.id == PositionRecord.user_id)
        .where(PositionRecord.end_date.is_(None), User.active.is_(True))
        .group_by(PositionRecord.position)
    ).all()
    order = list(POSITIONS)
    return sorted(rows, key=lambda r: order.index(r[0]) if r[0] in order else len(order))


def hr_panel(_user) -> dict:
    def count(*conditions):
        return db.session.scalar(select(func.count()).select_from(User).where(*conditions))

    return {
        "must_change_password": count(User.active.is_(True), User.must_change_password.is_(True)),
        "joined_recently": count(User.active.is_(True), User.hire_date >= clock.today() - timedelta(days=90)),
        "active_people": db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(True))),
        "inactive_people": db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(False))),
        "branches": db.session.scalar(select(func.count()).select_from(Branch)),
        "by_position": _headcount_by_position(),
    }


def admin_panel(_user) -> dict:
    last = db.session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
    return {"audit_events": last.seq if last else 0, "last_event": last}
