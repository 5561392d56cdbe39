"""Notifications: making them (once each) with their deliveries, and what a
user reads and marks read.

Rules kept here:
- one notification per (recipient, kind, subject): making it again changes
  nothing (the database's unique key decides, also between two processes);
- a new notification queues a delivery on every channel switched on for its
  kind (``lms.notify.settings.active_channels``): e-mail to the recipient's
  address (none without one), a group robot once per event; nothing is sent
  here: ``flask notify send`` does that (``lms.notify.sending``);
- a user reads and marks only their own notifications.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from lms import clock
from lms.database import transaction
from lms.extensions import db
from lms.notify import channels, settings
from lms.notify.kinds import ALERT, KINDS
from lms.notify.models import Delivery, Notification

PER_PAGE = 20


def notify(recipient, kind: str, subject: str, params: dict) -> Notification | None:
    """Make the notification unless it exists (returns None then) and queue
    its deliveries. Joins the caller's transaction, or owns one."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if recipient is None or not recipient.active:
        return None
    with transaction(immediate=True):
        exists = db.session.scalar(select(Notification.id).where(
            Notification.recipient_id == recipient.id, Notification.kind == kind, Notification.subject == subject))
        if exists:
            return None
        notification = Notification(recipient_id=recipient.id, kind=kind, subject=subject[:120],
                                    params_json=json.dumps(params, ensure_ascii=False, default=str),
                                    created_at=clock.now())
        try:
            with db.session.begin_nested():
                db.session.add(notification)
        except IntegrityError:  # another process made it a moment ago
            return None
        _queue_deliveries(notification, recipient)
        return notification


def _queue_deliveries(notification: Notification, recipient) -> None:
    kind = KINDS[notification.kind]
    for channel in settings.active_channels(notification.kind):
        if channel == channels.EMAIL:
            if not recipient.email:
                continue
            target, key = recipient.email, f"n:{notification.id}"
        else:
            # A group hears of an event once, however many people it was sent to.
            target = "group"
            key = f"{notification.kind}:{notification.subject}"
            if kind.audience != ALERT:
                key += f":u{recipient.id}"
        if db.session.scalar(select(Delivery.id).where(Delivery.channel == channel, Delivery.target == target,
                                                       Delivery.dedup_key == key)):
            continue
        db.session.add(Delivery(notification_id=notification.id, channel=channel, target=target, dedup_key=key,
                                next_attempt_at=clock.now(), created_at=clock.now()))
    db.session.flush()


# --- reading ------------------------------------------------------------------

def unread_count(user) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == user.id, Notification.read_at.is_(None))) or 0


@dataclass
class NotificationPage:
    items: list[Notification]
    page: int
    pages: int
    total: int
    unread: int


def page_of(user, page: int = 1, per_page: int = PER_PAGE) -> NotificationPage:
    """The user's notifications, newest first."""
    total = db.session.scalar(select(func.count()).select_from(Notification)
                              .where(Notification.recipient_id == user.id)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    items = list(db.session.scalars(
        select(Notification).where(Notification.recipient_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(per_page).offset((page - 1) * per_page)))
    return NotificationPage(items, page, pages, total, unread_count(user))


def own_notification(user, notification_id: int) -> Notification | None:
    """The notification if it is the user's; None otherwise (the view answers 404)."""
    return db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                        Notification.recipient_id == user.id))


@transaction()
def mark_read(user, notification_id: int) -> bool:
    """Mark one of the user's own notifications read; False when it is not theirs."""
    result = db.session.execute(
        update(Notification).where(Notification.id == notification_id, Notification.recipient_id == user.id,
                                   Notification.read_at.is_(None))
        .values(read_at=clock.now()).execution_options(synchronize_session=False))
    return result.rowcount == 1


def newest_id(user) -> int:
    """The id of the user's newest notification (0: none), the mark of what a page showed."""
    return db.session.scalar(select(func.max(Notification.id)).where(Notification.recipient_id == user.id)) or 0


@transaction()
def mark_all_read(user, through: int | None = None) -> int:
    """Mark every unread notification of the user read, up to the id ``through``
    (what the page showed: a notice made since stays unread); returns how many."""
    condition = [Notification.recipient_id == user.id, Notification.read_at.is_(None)]
    if through is not None:
        condition.append(Notification.id <= through)
    return db.session.execute(update(Notification).where(*condition)
                              .values(read_at=clock.now()).execution_options(synchronize_session=False)).rowcount
