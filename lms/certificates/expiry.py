"""Certificates about to expire: HR's lists (within 30/60/90 days) and the
notices to the holder and their branch managers.

A notice is sent at each threshold a valid certificate crosses — 90, 60 and
30 days before it expires — once per certificate and threshold (the
notification's subject is ``certificate:<id>:<threshold>``, unique per
recipient: running the scan again sends nothing twice). A scan that first
sees a certificate 20 days from expiry sends the 30-day notice only."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import aliased, joinedload

from lms import clock
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.notify.events import learner_params
from lms.notify.services import notify
from lms.org.models import PositionRecord, User
from lms.org.scope import branch_managers_of

THRESHOLDS = (30, 60, 90)
LAPSED_WITHIN_DAYS = 30


def threshold_for(days_left: int) -> int | None:
    """The smallest threshold (30, 60, 90) that ``days_left`` is within."""
    return next((t for t in THRESHOLDS if days_left <= t), None)


def expiring(within_days: int, *, branch_ids: list[int] | None = None, certification_id: int | None = None,
             position: str | None = None, today: date | None = None) -> list[Certificate]:
    """Valid certificates (not revoked, not superseded) of people at work
    expiring from today to ``within_days`` days ahead, soonest first;
    ``branch_ids`` None: the whole bank; ``position``: only holders now in that
    post. Someone who left the bank renews nothing: neither HR's lists nor a
    branch manager's notice name them."""
    today = today or clock.today()
    query = (select(Certificate).join(User, User.id == Certificate.user_id)
             .options(joinedload(Certificate.certification), joinedload(Certificate.holder).joinedload(User.branch))
             .where(User.active.is_(True), Certificate.revoked_at.is_(None), Certificate.superseded_by_id.is_(None),
                    Certificate.expires_on.is_not(None), Certificate.expires_on >= today,
                    Certificate.expires_on <= today + timedelta(days=within_days)))
    if branch_ids is not None:
        query = query.where(User.branch_id.in_(branch_ids))
    if certification_id is not None:
        query = query.where(Certificate.certification_id == certification_id)
    if position:
        query = query.where(exists().where(PositionRecord.user_id == User.id, PositionRecord.end_date.is_(None),
                                           PositionRecord.position == position))
    return list(db.session.scalars(query.order_by(Certificate.expires_on, Certificate.serial)).unique())


@dataclass
class NoticeCount:
    holders: int = 0
    managers: int = 0
    expired_holders: int = 0  # told that their certificate has expired, not renewed
    expired_managers: int = 0


def send_expiry_notices(today: date | None = None) -> NoticeCount:
    """Notify each holder (and their branch managers) of a certificate that
    crossed a threshold; each notification once."""
    today = today or clock.today()
    count = NoticeCount()
    for certificate in expiring(max(THRESHOLDS), today=today):
        threshold = threshold_for((certificate.expires_on - today).days)
        holder = certificate.holder
        subject = f"certificate:{certificate.id}:{threshold}"
        params = {"certification": certificate.certification.title, "serial": certificate.serial,
                  "expires_on": certificate.expires_on.isoformat(), "threshold": threshold}
        if notify(holder, "certificate_expiring", subject, params) is not None:
            count.holders += 1
        for manager in (m for m in branch_managers_of(holder) if m.id != holder.id):
            if notify(manager, "certificate_expiring_alert", subject, {**learner_params(holder), **params}):
                count.managers += 1
    for certificate in lapsed(today):
        holder = certificate.holder
        subject = f"certificate:{certificate.id}:expired"
        params = {"certification": certificate.certification.title, "serial": certificate.serial,
                  "expires_on": certificate.expires_on.isoformat(), "certificate_id": certificate.id}
        if notify(holder, "certificate_expired", subject, params) is not None:
            count.expired_holders += 1
        for manager in (m for m in branch_managers_of(holder) if m.id != holder.id):
            if notify(manager, "certificate_expired_alert", subject, {**learner_params(holder), **params}):
                count.expired_managers += 1
    return count


def lapsed(today: date | None = None) -> list[Certificate]:
    """Certificates of people at work that expired in the last
    ``LAPSED_WITHIN_DAYS`` days (their last day before today) and were not
    renewed: neither revoked nor superseded, and the holder holds no valid
    certificate of the certification (one issued after the expiry)."""
    today = today or clock.today()
    newer = aliased(Certificate)
    renewed = (select(newer.id).where(newer.user_id == Certificate.user_id,
                                      newer.certification_id == Certificate.certification_id,
                                      newer.revoked_at.is_(None), newer.superseded_by_id.is_(None),
                                      or_(newer.expires_on.is_(None), newer.expires_on >= today)).exists())
    query = (select(Certificate).join(User, User.id == Certificate.user_id)
             .options(joinedload(Certificate.certification), joinedload(Certificate.holder).joinedload(User.branch))
             .where(User.active.is_(True), Certificate.revoked_at.is_(None), Certificate.superseded_by_id.is_(None),
                    Certificate.expires_on < today,
                    Certificate.expires_on >= today - timedelta(days=LAPSED_WITHIN_DAYS), ~renewed))
    return list(db.session.scalars(query.order_by(Certificate.expires_on, Certificate.serial)).unique())
