from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db


class LoginThrottle(db.Model):
    """Failed sign-ins per submitted employee number, whether or not it exists,
    so that throttling cannot be used to learn which accounts are real."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_failure_at: Mapped[datetime | None]


class RequestCounter(db.Model):
    """Requests per key (e.g. sign-in attempts of one client address) in one
    window of a sliding window counter (``lms.auth.limits.hit``), counted in the database so that every app process — every
    gunicorn worker, every machine — counts the same requests."""

    __tablename__ = "request_counter"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)  # "<what>:<who>:<window number>"
    count: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime] = mapped_column(index=True)
