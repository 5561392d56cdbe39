"""HR's changes to a programme's audience, person by person.

The programme file's rule (branches, positions, roles) stays the source of
truth for who is in the audience; HR may add a person outside the rule or
remove a person the rule covers, with a reason. One row per programme and
person holds the change in force; every change is also in the audit log."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms import clock
from lms.extensions import db
from lms.org.models import User


class ProgrammeMember(db.Model):
    __tablename__ = "programme_member"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True)
    added: Mapped[bool]  # True: added by HR; False: removed by HR (removal wins over the rule)
    reason: Mapped[str] = mapped_column(String(255))
    since: Mapped[date]  # the day of the change: an added person is enrolled from the week current then
    changed_at: Mapped[datetime] = mapped_column(default=clock.now)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    changed_by: Mapped[User | None] = relationship(foreign_keys=[changed_by_id])
