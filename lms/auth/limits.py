"""Request limits counted in the database, shared by every app process.

Flask-Limiter's ``memory://`` storage counts per process: with four gunicorn
workers a client got four times its allowance. One ``INSERT … ON CONFLICT DO
UPDATE … RETURNING`` per counted request (SQLite and PostgreSQL alike) keeps
one count for all of them.
"""
from __future__ import annotations

import ipaddress
import random
from datetime import timedelta, timezone

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from lms import clock
from lms.auth.models import RequestCounter
from lms.database import transaction
from lms.extensions import db

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def client_key(address: str | None) -> str:
    """Whom a limit counts: an IPv4 address, or an IPv6 address's /64 — one
    customer line holds a whole /64 and may use any of its 2^64 addresses,
    so counting each address alone gave it an unlimited allowance."""
    try:
        ip = ipaddress.ip_address((address or "").split("%", 1)[0])
    except ValueError:
        return address or "-"
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:  # ::ffff:10.1.2.3 is that IPv4 address
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


def _window_key(what: str, who: str, window: int) -> str:
    return f"{what}:{who}"[:100] + f":{window}"


def used_up(what: str, who: str, *, limit: int, per_seconds: int) -> bool:
    """Whether ``who`` has used up ``limit`` at ``what`` (counted by ``hit``)
    in the sliding window, without counting anything: for a limit of
    failures, looked at before a try and counted only when the try fails."""
    now = clock.now()
    moment = now.replace(tzinfo=timezone.utc).timestamp()
    window = int(moment // per_seconds)
    still_inside = 1 - (moment - window * per_seconds) / per_seconds
    current, previous = _window_key(what, who, window), _window_key(what, who, window - 1)
    counts = dict(db.session.execute(select(RequestCounter.key, RequestCounter.count).where(
        RequestCounter.key.in_([current, previous]), RequestCounter.expires_at > now)).all())
    return counts.get(previous, 0) * still_inside + counts.get(current, 0) >= limit


@transaction()
def hit(what: str, who: str, *, limit: int, per_seconds: int) -> bool:
    """Count one request of ``who`` at ``what`` in a window of ``per_seconds``
    that slides with the clock; True while it is within ``limit``.

    Fixed windows let a burst across a boundary through twice (``limit`` at
    09:00:59, ``limit`` more at 09:01:00). The sliding window counter (the
    ``limits`` library's *sliding-window-counter* strategy, kept in this
    shared table) weighs the previous window's count by the part of it still
    inside the last ``per_seconds``: at 09:01:15, three quarters of 09:00's
    requests still count. A refused request is not counted, so a client that
    keeps knocking is let in again as its earlier requests slide out.
    Committed when it returns; the upsert locks the current window's row
    until then, so concurrent processes count one after another."""
    now = clock.now()
    moment = now.replace(tzinfo=timezone.utc).timestamp()
    window = int(moment // per_seconds)
    still_inside = 1 - (moment - window * per_seconds) / per_seconds  # of the previous window
    key = _window_key(what, who, window)
    insert = _INSERTS[db.session.get_bind().dialect.name](RequestCounter)
    # The previous window's count is read next window, so a row lives two windows.
    stmt = (insert.values(key=key, count=1, expires_at=now + timedelta(seconds=2 * per_seconds))
            .on_conflict_do_update(index_elements=["key"], set_={"count": RequestCounter.count + 1})
            .returning(RequestCounter.count))
    count = db.session.execute(stmt).scalar_one()
    previous = db.session.execute(select(RequestCounter.count).where(
        RequestCounter.key == _window_key(what, who, window - 1), RequestCounter.expires_at > now)).scalar() or 0
    allowed = previous * still_inside + count <= limit
    if not allowed:
        db.session.execute(update(RequestCounter).where(RequestCounter.key == key)
                           .values(count=RequestCounter.count - 1))
    if random.random() < 0.02:  # now and then, forget windows that are over
        db.session.execute(delete(RequestCounter).where(RequestCounter.expires_at < now))
    return allowed
