"""Reading rows of some people only: an IN list of their ids when they are few, else every row read
and the wanted ones kept here — an IN list of thousands of ids costs the database more than the
rows it spares (PostgreSQL plans it as thousands of index probes; SQLite binds a variable each).

One limit and one rule for every reader (the reports' cells, the waiting papers' verdicts, the
state filter, the rankings, the eligibility facts): a test that lowers ``IN_LIST_LIMIT`` here
sends every one of them down its large path. It imports nothing of the application's, so any
domain may use it."""
from __future__ import annotations

IN_LIST_LIMIT = 400


def small(ids) -> bool:
    """Few enough ids for an IN list."""
    return len(ids) <= IN_LIST_LIMIT


def ids_or_everyone(ids: list[int] | None) -> list[int] | None:
    """``ids`` when few enough for an IN list, else ``None`` (read everyone; the caller leaves out
    the rows of people not asked about)."""
    return ids if ids is None or small(ids) else None


def among(column, ids) -> tuple:
    """(a where clause on ``column`` or ``None``, the set of ids to keep rows of or ``None``):
    ``ids`` ``None`` is everyone (neither); few ids, an IN list; many, the whole table read and
    its rows kept when ``row[user id] in keep``."""
    if ids is None:
        return None, None
    if small(ids):
        return column.in_(ids), None
    return None, set(ids)


def narrow(stmt, column, ids) -> tuple:
    """``stmt`` narrowed to ``ids`` by ``among``: (the statement, the set to keep or ``None``)."""
    where, keep = among(column, ids)
    return (stmt if where is None else stmt.where(where)), keep
