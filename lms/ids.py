"""Ids from URLs and query strings, kept within what the database's integer
columns hold.

PostgreSQL compares an id with an ``INTEGER`` parameter: ``/certificates/99999999999``
made it raise "integer out of range", a 500 for anyone who typed a long
number (SQLite just found nothing). ``IdConverter`` replaces Flask's ``int``
converter, so every ``<int:…>`` in a route answers 404 beyond the range;
``db_int`` is the ``type=`` for ``request.args.get``, so such a query
argument counts as not given."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

DB_INT_MAX = 2**31 - 1  # PostgreSQL's INTEGER


class IdConverter(IntegerConverter):
    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(map, fixed_digits, min, DB_INT_MAX if max is None else max, signed)


def db_int(value: str) -> int:
    """``int(value)``; ValueError beyond an integer column's range."""
    number = int(value)
    if not -DB_INT_MAX - 1 <= number <= DB_INT_MAX:
        raise ValueError(f"{value!r} is out of range")
    return number
