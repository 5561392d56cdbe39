"""Notifications and their deliveries.

A notification is a kind, its parameters and a link target, rendered in the
viewer's language when shown (``lms.notify.kinds``), never stored as text.
There is one per (recipient, kind, subject): a scan run twice or a retried
request never makes a second one (a unique key).

A delivery is one message to send out on a channel (e-mail to an address, a
post to a group robot), with its state, attempts and back-off; ``flask
notify send`` works through the due ones. One per (channel, target, key):
the key is the notification for a personal channel (e-mail), the event for a
group robot, which posts an event once however many people it concerns."""
from __future__ import annotations

import enum
import json
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms import clock
from lms.extensions import db


class Notification(db.Model):
    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("recipient_id", "kind", "subject"),
        Index("ix_notification_recipient_created", "recipient_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # a code of lms.notify.kinds.KINDS
    subject: Mapped[str] = mapped_column(String(120))  # what it is about, e.g. "attempt:12"
    params_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    read_at: Mapped[datetime | None]

    recipient = relationship("User")

    @property
    def params(self) -> dict:
        return json.loads(self.params_json or "{}")

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry


class Delivery(db.Model):
    __tablename__ = "notification_delivery"
    __table_args__ = (
        UniqueConstraint("channel", "target", "dedup_key"),
        Index("ix_notification_delivery_due", "state", "next_attempt_at"),
        CheckConstraint("state IN ('pending', 'sent', 'failed')", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # email | wecom | dingtalk
    target: Mapped[str] = mapped_column(String(255))  # an e-mail address, or "group" for a robot
    dedup_key: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(8), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    sent_at: Mapped[datetime | None]

    notification: Mapped[Notification] = relationship()
