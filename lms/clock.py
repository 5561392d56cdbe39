"""The one place the application asks for the time.

Everything that enforces a deadline, a cooldown or a validity asks ``clock.now()``
so that tests can move time instead of sleeping. Times are naive UTC datetimes in
the database; templates convert them to the bank's time zone for display.
"""
from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

_offset = timedelta(0)
_frozen: datetime | None = None


def now() -> datetime:
    if _frozen is not None:
        return _frozen
    return datetime.now(timezone.utc).replace(tzinfo=None) + _offset


def today():
    return now().date()


def bank_zone() -> ZoneInfo:
    """The bank's time zone: the app's ``BABEL_DEFAULT_TIMEZONE`` (``LMS_TIMEZONE``)."""
    name = None
    try:
        from flask import current_app

        name = current_app.config.get("BABEL_DEFAULT_TIMEZONE")
    except RuntimeError:  # no app: a script or the tests' set-up
        pass
    return _zone(name or os.environ.get("LMS_TIMEZONE", "Asia/Shanghai"))


@lru_cache(maxsize=4)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def bank_date(at: datetime) -> date:
    """The bank's calendar date of ``at`` (a naive UTC time, as stored)."""
    return at.replace(tzinfo=timezone.utc).astimezone(bank_zone()).date()


def bank_today() -> date:
    """Today on the bank's calendar (in Beijing from 00:00, while UTC is still at 16:00 the day before)."""
    return bank_date(now())


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
