"""Home-page panels of HR and the administrator."""
from __future__ import annotations

from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.main.panels import register
from lms.org.models import Branch, PositionRecord, User


def _headcount_by_position() -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(PositionRecord.position, func.count())
        .join(User, User.id == PositionRecord.user_id)
        .where(PositionRecord.end_date.is_(None), User.active.is_(True))
        .group_by(PositionRecord.position)
    ).all()
    return sorted(rows, key=lambda r: r[0])


@register("hr", "org/_hr_panel.html", order=30)
def hr_panel(_user) -> dict:
    return {
        "active_people": db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(True))),
        "inactive_people": db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(False))),
        "branches": db.session.scalar(select(func.count()).select_from(Branch)),
        "by_position": _headcount_by_position(),
    }


@register("admin", "org/_admin_panel.html", order=40)
def admin_panel(_user) -> dict:
    last = db.session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
    return {"audit_events": last.seq if last else 0, "last_event": last}
