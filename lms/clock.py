"""The one place the application asks for the time.

Everything that enforces a deadline, a cooldown or a validity asks ``clock.now()``
so that tests can move time instead of sleeping. Times are naive UTC datetimes in
the database; templates convert them to the bank's time zone for display.

Days are the bank's: ``today()`` is the date in the bank's zone (Asia/Shanghai
unless ``LMS_TIMEZONE`` says otherwise), whatever zone the server runs in, so a
week opens and falls due at midnight China time, not at 08:00. A stored time
becomes a bank day with ``local_date``; a bank day becomes the stored time its
first moment with ``day_start`` (a period "1 to 31 March" is
``day_start(1 March) <= at < day_start(1 April)``).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"

_offset = timedelta(0)
_frozen: datetime | None = None
_zone = ZoneInfo(DEFAULT_ZONE)


def set_zone(name: str | None) -> None:
    """The bank's zone (``create_app`` passes ``BABEL_DEFAULT_TIMEZONE``)."""
    global _zone
    _zone = ZoneInfo(name or DEFAULT_ZONE)


def zone() -> ZoneInfo:
    return _zone


def now() -> datetime:
    """Naive UTC, as the database keeps times."""
    if _frozen is not None:
        return _frozen
    return datetime.now(timezone.utc).replace(tzinfo=None) + _offset


def local(at: datetime) -> datetime:
    """A stored (naive UTC) time as the bank's wall-clock time (naive)."""
    return at.replace(tzinfo=timezone.utc).astimezone(_zone).replace(tzinfo=None)


def local_date(at: datetime) -> date:
    """The bank's day a stored (naive UTC) time falls on."""
    return local(at).date()


def day_start(day: date) -> datetime:
    """The first moment of the bank's ``day``, as naive UTC."""
    return datetime.combine(day, time.min, tzinfo=_zone).astimezone(timezone.utc).replace(tzinfo=None)


def today() -> date:
    """The bank's date now (not the server's, not UTC's)."""
    return local_date(now())


def freeze(at: datetime | None) -> None:
    """Stop the clock at ``at`` (None lets it run again). For tests and demos."""
    global _frozen
    _frozen = at


def advance(delta: timedelta) -> None:
    global _offset, _frozen
    if _frozen is not None:
        _frozen = _frozen + delta
    else:
        _offset += delta


def reset() -> None:
    global _offset, _frozen
    _offset = timedelta(0)
    _frozen = None
