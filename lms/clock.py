"""The one place the application asks for the time.

Everything that enforces a deadline, a cooldown or a validity asks ``clock.now()``
so that tests can move time instead of sleeping. Times are naive UTC datetimes in
the database; templates convert them to the bank's time zone for display.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

_offset = timedelta(0)
_frozen: datetime | None = None


def now() -> datetime:
    if _frozen is not None:
        return _frozen
    return datetime.now(timezone.utc).replace(tzinfo=None) + _offset


def today():
    return now().date()


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
