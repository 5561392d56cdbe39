"""What a person types in a search box, matched as plain text.

SQL's ``LIKE`` reads ``%`` and ``_`` in its pattern as wildcards, so a search
for ``50%`` found every name holding "50", and ``_`` any one character. Every
search box that reaches ``LIKE`` goes through :func:`containing`: the typed
text is escaped, and the columns are matched case-blind (``ILIKE``; what
SQLite's ``LIKE`` already does for Latin letters) on SQLite and PostgreSQL
alike. Scope and the other filters are the caller's, as before."""
from __future__ import annotations

from sqlalchemy import or_
from sqlalchemy.sql.elements import ColumnElement

ESCAPE = "\\"


def like_pattern(text: str) -> str:
    """``%text%`` with the text's own ``\\``, ``%`` and ``_`` escaped."""
    escaped = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def containing(text: str, *columns) -> ColumnElement[bool]:
    """Any of ``columns`` holds ``text`` as typed (case-blind)."""
    pattern = like_pattern(text)
    return or_(*(column.ilike(pattern, escape=ESCAPE) for column in columns))
