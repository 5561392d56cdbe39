"""What a person types in a search box, matched as plain text.

SQL's ``LIKE`` reads ``%`` and ``_`` in its pattern as wildcards, so a search
for ``50%`` found every name holding "50", and ``_`` any one character. Every
search box that reaches ``LIKE`` goes through :func:`containing`: the typed
text is escaped, and the columns are matched case-blind (``ILIKE``; what
SQLite's ``LIKE`` already does for Latin letters) on SQLite and PostgreSQL
alike. Scope and the other filters are the caller's, as before.

:func:`search_text` reads a search box from the query string, refusing text
longer than any box holds with a message naming the parameter (the audit log
searched whatever length was sent; the other pages cut it short unseen).

A box that takes a 工号 (or a certificate's serial) matches with :func:`matching`
(SQL) or :func:`matches` (a list filtered in Python): the codes are searched as the
rest of the app reads a 工号 (``lms.org.employee_numbers``: Ｅ１００１ typed
full-width is E1001) with the spaces left out (E 1001), the names as typed and
with full-width letters read as ASCII."""
from __future__ import annotations

import unicodedata

from flask import request
from sqlalchemy import or_
from sqlalchemy.sql.elements import ColumnElement
from werkzeug.exceptions import BadRequest

from lms.org.employee_numbers import for_lookup

ESCAPE = "\\"


def like_pattern(text: str) -> str:
    """``%text%`` with the text's own ``\\``, ``%`` and ``_`` escaped."""
    escaped = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def containing(text: str, *columns) -> ColumnElement[bool]:
    """Any of ``columns`` holds ``text`` as typed (case-blind)."""
    pattern = like_pattern(text)
    return or_(*(column.ilike(pattern, escape=ESCAPE) for column in columns))


def as_code(text: str) -> str:
    """The text as a 工号 or serial is written: full-width made ASCII, no spaces anywhere."""
    return for_lookup(text)


def _as_name(text: str) -> set[str]:
    return {text, unicodedata.normalize("NFKC", text)}


def matching(text: str, *, names=(), codes=()) -> ColumnElement[bool]:
    """Any of ``names`` holds ``text`` (as typed, or with full-width letters as ASCII), or any of
    ``codes`` (工号, serials) holds it written as a code (:func:`as_code`); case-blind."""
    code = as_code(text)
    return or_(*(containing(form, *names) for form in sorted(_as_name(text)) if names),
               *((containing(code, *codes),) if code and codes else ()))


def matches(text: str, *, names=(), codes=()) -> bool:
    """:func:`matching` for rows already in Python: ``names`` and ``codes`` are their texts."""
    needles = [form.casefold() for form in _as_name(text)]
    code = as_code(text).casefold()
    return (any(needle in name.casefold() for needle in needles for name in names)
            or bool(code) and any(code in value.casefold() for value in codes))


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
