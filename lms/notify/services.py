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
from sqlalchemy.dialects import postgresql, sqlite
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


CHUNK = 900  # values per IN (...): under SQLite's oldest limit of 999 variables


def _insert_ignoring_duplicates(model, rows: list[dict], keys: list[str]) -> None:
    """One INSERT for all ``rows``; a row whose unique ``keys`` exist already
    (made a moment ago by another process) is left out, not an error."""
    if not rows:
        return
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    db.session.execute(insert(model).on_conflict_do_nothing(index_elements=keys), rows)


def notify_many(kind: str, items: list[tuple]) -> int:
    """``notify`` for many at once: ``items`` are (recipient, subject, params);
    those that exist already, or whose recipient is inactive, are left out.
    The notifications in one INSERT and their deliveries in one more (per
    ``CHUNK``), not a transaction each: a corrected key re-grading 2,000
    attempts tells 2,000 learners (bench/regrade.py). Joins the caller's
    transaction, or owns one. Returns how many were made."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    wanted = {}
    for recipient, subject, params in items:
        if recipient is not None and recipient.active:
            wanted.setdefault((recipient.id, subject[:120]), (recipient, params))
    if not wanted:
        return 0
    made = 0
    with transaction(immediate=True):
        now = clock.now()
        channels_on = settings.active_channels(kind)
        keys = sorted(wanted)
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start:start + CHUNK]
            subjects = sorted({subject for _r, subject in chunk})
            existing = set(db.session.execute(select(Notification.recipient_id, Notification.subject).where(
                Notification.kind == kind, Notification.subject.in_(subjects))).all())
            new = [key for key in chunk if key not in existing]
            _insert_ignoring_duplicates(Notification, [
                {"recipient_id": rid, "kind": kind, "subject": subject, "created_at": now,
                 "params_json": json.dumps(wanted[(rid, subject)][1], ensure_ascii=False, default=str)}
                for rid, subject in new], ["recipient_id", "kind", "subject"])
            if not new or not channels_on:
                made += len(new)
                continue
            ids = {(rid, subject): nid for nid, rid, subject in db.session.execute(
                select(Notification.id, Notification.recipient_id, Notification.subject).where(
                    Notification.kind == kind, Notification.subject.in_(sorted({s for _r, s in new}))))}
            made += len(new)
            deliveries = []
            for rid, subject in new:
                nid = ids.get((rid, subject))
                recipient = wanted[(rid, subject)][0]
                if nid is None:
                    continue
                for channel in channels_on:
                    if channel == channels.EMAIL:
                        if not recipient.email:
                            continue
                        target, key = recipient.email, f"n:{nid}"
                    else:
                        target, key = "group", f"{kind}:{subject}"
                        if KINDS[kind].audience != ALERT:
                            key += f":u{rid}"
                    deliveries.append({"notification_id": nid, "channel": channel, "target": target,
                                       "dedup_key": key, "next_attempt_at": now, "created_at": now})
            _insert_ignoring_duplicates(Delivery, deliveries, ["channel", "target", "dedup_key"])
    return made


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
