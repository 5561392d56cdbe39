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

from sqlalchemy import delete
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


@transaction()
def hit(what: str, who: str, *, limit: int, per_seconds: int) -> bool:
    """Count one request of ``who`` at ``what`` in the current fixed window of
    ``per_seconds``; True while the count is within ``limit``. Committed
    when it returns (also when refused); one statement, so it needs no
    ``BEGIN IMMEDIATE``."""
    now = clock.now()
    window = int(now.replace(tzinfo=timezone.utc).timestamp()) // per_seconds
    key = f"{what}:{who}"[:100] + f":{window}"
    insert = _INSERTS[db.session.get_bind().dialect.name](RequestCounter)
    stmt = (insert.values(key=key, count=1, expires_at=now + timedelta(seconds=per_seconds))
            .on_conflict_do_update(index_elements=["key"], set_={"count": RequestCounter.count + 1})
            .returning(RequestCounter.count))
    count = db.session.execute(stmt).scalar_one()
    if random.random() < 0.02:  # now and then, forget windows that are over
        db.session.execute(delete(RequestCounter).where(RequestCounter.expires_at < now))
    return count <= limit
