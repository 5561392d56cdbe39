"""Sending what is due: ``flask notify send`` (cron). No request ever sends.

Rules kept here:
- a delivery is taken by one sender only: it is claimed with a conditional
  ``UPDATE`` that moves its next attempt a few minutes on (a second cron run
  at the same moment skips it; a sender that died leaves it due again later);
- each send has a short timeout (``channels.SEND_TIMEOUT_SECONDS``) and runs
  outside any database transaction;
- each outcome is recorded: sent (with the time), or the error (scrubbed of
  secrets) and the next attempt after an exponential back-off (1, 5, 25, 125
  minutes, then every 6 hours); after ``MAX_ATTEMPTS`` it is failed for good;
- the message is written when it is sent, in the recipient's language for
  e-mail and in the bank's default language (Chinese) for a group robot;
- a delivery is sent only if, when it is sent, it is still wanted
  (``withheld``): its channel is still switched on for its kind; an e-mail
  is still for its recipient (their account is active, the address is still
  theirs, and an alert about a learner goes only to someone who may still see
  that learner: a branch manager moved to another branch, a mentor whose
  pairing ended, an HR user whose role was taken away hear nothing more of
  them); a group robot's post names nobody who left the bank or moved branch
  since. Otherwise it is failed at once with the reason, and nothing is sent.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from lms import clock
from lms.addresses import absolute, configured_base_url
from lms.control_characters import shown_direction_characters
from lms.database import transaction
from lms.extensions import db
from lms.notify import channels, settings
from lms.notify.kinds import ALERT, KINDS, group_text_of, link_of, text_of
from lms.notify.models import Delivery, DeliveryState
from lms.notify.readers import AlertReader
from lms.org.models import User

BACKOFF_MINUTES = (1, 5, 25, 125, 360)
MAX_ATTEMPTS = 6
CLAIM_MINUTES = 5
DEFAULT_LOCALE = "zh_CN"


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt."""
    return timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1])


@dataclass
class SendSummary:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    withheld: int = 0  # no longer for the recipient (``withheld``): failed without sending
    errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.sent + self.retrying + self.failed + self.withheld


def _link(notification) -> str:
    """The absolute address of the page the notification leads to, when the
    bank's address is set (``LMS_BASE_URL``)."""
    base = configured_base_url()
    if not base:
        return ""
    return absolute(lambda: link_of(notification, notification.recipient), base)


def compose(delivery: Delivery) -> channels.Message:
    notification = delivery.notification
    group = delivery.channel in channels.GROUP_CHANNELS
    locale = DEFAULT_LOCALE if group else (notification.recipient.locale or DEFAULT_LOCALE)
    link = _link(notification)
    with force_locale(locale):
        kind = KINDS.get(notification.kind)
        subject = _("[RM Academy] %(title)s", title=str(kind.label) if kind else "")
        text = group_text_of(notification) if group else text_of(notification)
        if link:
            text = f"{text}\n{link}"
    # A text-direction control in what it quotes (a reason, an exam's title stored
    # before forms refused them) written out, as the pages show it: a mail client
    # or WeCom would turn the rest of the sentence around.
    return channels.Message(subject=shown_direction_characters(subject), text=shown_direction_characters(text),
                            to="" if group else delivery.target)


def withheld(delivery: Delivery) -> str | None:
    """Why a queued delivery is no longer to be sent, decided from the data
    when it is sent (it may have waited hours in back-off), or None."""
    notification = delivery.notification
    setting = settings.channel_setting(delivery.channel)
    if not setting.enabled or notification.kind not in setting.kinds:
        return "not sent: the administrator switched this channel, or this kind on it, off after the message was queued"
    if delivery.channel in channels.GROUP_CHANNELS:
        return _group_post_withheld(notification)
    recipient = notification.recipient
    if not recipient.active:
        return "not sent: the recipient's account was deactivated after the message was queued"
    if (recipient.email or "") != delivery.target:
        return "not sent: the recipient's e-mail address changed after the message was queued"
    if AlertReader(recipient).withheld(notification):
        return "not sent: the recipient may no longer see this person (branch, role or pairing changed)"
    return None


def _group_post_withheld(notification) -> str | None:
    """A group robot posts to the bank's group, not to a person, but its post
    names a person (the learner of an alert, or the recipient of a learner's
    notification) with their branch as it was when the event happened. It is
    not posted when that person left the bank since (account deactivated) or
    moved to another branch: the post would name a leaver to the whole group,
    or put a learner under a branch whose managers no longer look after them
    (the people who do now were never told of it)."""
    kind = KINDS.get(notification.kind)
    params = notification.params
    if kind is not None and kind.audience == ALERT:
        learner_id = params.get("learner_id")
        person = db.session.get(User, learner_id) if isinstance(learner_id, int) else None
        if learner_id and person is None:
            return "not sent: the person it names is no longer in the records"
    else:
        person = notification.recipient
    if person is None:
        return None
    if not person.active:
        return "not sent: the person it names left (account deactivated) after the message was queued"
    branch_then = params.get("branch")
    if branch_then is not None and (person.branch.name if person.branch else "") != branch_then:
        return "not sent: the person it names moved to another branch after the message was queued"
    return None


def _claim(delivery_id: int, now: datetime) -> bool:
    with transaction():
        return db.session.execute(
            update(Delivery).where(Delivery.id == delivery_id, Delivery.state == DeliveryState.PENDING,
                                   Delivery.next_attempt_at <= now)
            .values(next_attempt_at=now + timedelta(minutes=CLAIM_MINUTES))
            .execution_options(synchronize_session=False)).rowcount == 1


def _record(delivery_id: int, now: datetime, error: str | None, final: bool = False) -> str:
    with transaction():
        delivery = db.session.get(Delivery, delivery_id, populate_existing=True)
        delivery.attempts += 1
        if final:
            delivery.state, delivery.last_error = DeliveryState.FAILED, error
        elif error is None:
            delivery.state, delivery.sent_at, delivery.last_error = DeliveryState.SENT, now, ""
        else:
            delivery.last_error = error
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.state = DeliveryState.FAILED
            else:
                delivery.next_attempt_at = now + backoff(delivery.attempts)
        return delivery.state


def send_due(now: datetime | None = None, limit: int = 500) -> SendSummary:
    """Send every delivery whose next attempt is due, up to ``limit``."""
    now = now or clock.now()
    config = current_app.config
    available = channels.configured(config)
    ids = list(db.session.scalars(
        select(Delivery.id).where(Delivery.state == DeliveryState.PENDING, Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.id).limit(limit)))
    db.session.rollback()  # hold nothing while sending
    summary = SendSummary()
    for delivery_id in ids:
        if not _claim(delivery_id, now):
            continue
        delivery = db.session.get(Delivery, delivery_id)
        reason = withheld(delivery)
        if reason is not None:
            db.session.rollback()
            _record(delivery_id, now, reason, final=True)
            summary.withheld += 1
            continue
        channel = available.get(delivery.channel)
        error = None
        try:
            if channel is None:
                raise channels.ChannelError("the channel is not configured (environment)")
            message = compose(delivery)
            db.session.rollback()
            channel.send(message)
        except Exception as exc:  # any failure of a channel is recorded and retried
            error = channels.scrub(f"{type(exc).__name__}: {exc}", config)
        state = _record(delivery_id, now, error)
        if state == DeliveryState.SENT:
            summary.sent += 1
        elif state == DeliveryState.FAILED:
            summary.failed += 1
            summary.errors.append(f"#{delivery_id} {error}")
        else:
            summary.retrying += 1
            summary.errors.append(f"#{delivery_id} {error}")
    return summary
