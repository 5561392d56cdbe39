"""A date given in the address (``?on=``, ``?from=``, ``?to=``), read whole
and within the days the app can reckon with.

The certificate register's ``?on=`` read the first ten characters and
ignored a date it could not read, so ``2026-02-30`` showed today's register
as if asked, and ``9999-12-31`` broke the download half-way (the end of that
day is past the last datetime Python holds); the rankings' ``from``/``to``
did the same, and year 1 was a 404. Such a date is now refused before
anything is read or sent, with a message naming the parameter and the
value."""
from __future__ import annotations

import re
from datetime import date

from flask import request
from werkzeug.exceptions import BadRequest

EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class BadQueryDate(BadRequest):
    """``field`` holds ``value``, which is not a day (``out_of_range``: a day outside EARLIEST–LATEST)."""

    def __init__(self, field: str, value: str, out_of_range: bool = False):
        super().__init__()
        self.field, self.value, self.out_of_range = field, value[:40], out_of_range


def query_date(name: str) -> date | None:
    """The query argument ``name`` as a date (YYYY-MM-DD), None when not given; :class:`BadQueryDate` otherwise."""
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value) if _ISO_DAY.fullmatch(value) else None
    except ValueError:
        day = None
    if day is None:
        raise BadQueryDate(name, value)
    if not EARLIEST <= day <= LATEST:
        raise BadQueryDate(name, value, out_of_range=True)
    return day
