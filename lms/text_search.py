"""What a person types in a search box, matched as plain text.

SQL's ``LIKE`` reads ``%`` and ``_`` in its pattern as wildcards, so a search
for ``50%`` found every name holding "50", and ``_`` any one character. Every
search box that reaches ``LIKE`` goes through :func:`containing`: the typed
text is escaped, and the columns are matched case-blind (``ILIKE``; what
SQLite's ``LIKE`` already does for Latin letters) on SQLite and PostgreSQL
alike. Scope and the other filters are the caller's, as before.

:func:`search_text` reads a search box from the query string, refusing text
longer than any box holds with a message naming the parameter (the audit log
searched whatever length was sent; the other pages cut it short unseen)."""
from __future__ import annotations

from flask import request
from sqlalchemy import or_
from sqlalchemy.sql.elements import ColumnElement
from werkzeug.exceptions import BadRequest

ESCAPE = "\\"


def like_pattern(text: str) -> str:
    """``%text%`` with the text's own ``\\``, ``%`` and ``_`` escaped."""
    escaped = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def containing(text: str, *columns) -> ColumnElement[bool]:
    """Any of ``columns`` holds ``text`` as typed (case-blind)."""
    pattern = like_pattern(text)
    return or_(*(column.ilike(pattern, escape=ESCAPE) for column in columns))


SEARCH_MAX = 80  # characters: longer than any name, 工号, serial or action anybody types


class SearchTooLong(BadRequest):
    """A search box's text longer than :data:`SEARCH_MAX` (typed into the
    address, since the boxes hold no more): refused with a message naming the
    parameter, never searched in part or passed on to the database."""

    def __init__(self, field: str, length: int):
        super().__init__()
        self.field, self.length = field, length


def search_text(name: str = "q") -> str:
    """The request's search text ``name``, trimmed; :class:`SearchTooLong` beyond :data:`SEARCH_MAX`."""
    text = request.args.get(name, "").strip()
    if len(text) > SEARCH_MAX:
        raise SearchTooLong(name, len(text))
    return text
