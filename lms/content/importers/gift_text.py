"""The GIFT notation's text: escapes, format prefixes, numbers, answer pieces and feedback.

Used by the reader (gift.py); Moodle's rules are summarised in gift.py's docstring."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from lms.content.importers import serialize


# Escaped control characters travel as private-use characters until the text
# is split into its parts (Moodle does the same with "&&058;" placeholders).
_ESCAPES = {"\\": "\ue000", "~": "\ue001", "=": "\ue002", "#": "\ue003", "{": "\ue004", "}": "\ue005",
            ":": "\ue006", "n": "\ue007"}
_UNESCAPE = {v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()}
_ESCAPE_RE = re.compile(r"\\([\\~=#{}:n])")
_BLANK_MARK = "\ue010"  # where the answers stood, in the missing-word form
_WEIGHT_RE = re.compile(r"^\s*%(-?\d+(?:\.\d+)?)%")
_FORMAT_RE = re.compile(r"^\s*\[(markdown|html|plain|moodle)\]", re.IGNORECASE)
_SPECIAL_CATEGORY_PARTS = {"$course$", "$system$", "$module$", "$coursecategory$", "$user$", "top"}
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _escape_pre(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(1)], text)


def _unescape(text: str) -> str:
    return "".join(_UNESCAPE.get(ch, ch) for ch in text)


def _to_markdown(raw: str, fmt: str) -> str:
    """One piece of GIFT text (escapes still as placeholders) → bank markdown."""
    m = _FORMAT_RE.match(raw)
    if m:
        fmt, raw = m.group(1).lower(), raw[m.end():]
    text = _unescape(raw).strip()
    if fmt == "markdown":
        return serialize.markdown_safe(text)
    if fmt == "html" or (fmt == "moodle" and serialize.looks_like_html(text)):
        return serialize.html_to_markdown(text)
    return serialize.plain_to_markdown(text)


def _literal(raw: str) -> str:
    """An accepted answer: what a learner types, without format prefix."""
    m = _FORMAT_RE.match(raw)
    if m:
        raw = raw[m.end():]
    return _unescape(raw).strip()


def _decimal(text: str) -> Decimal | None:
    text = _unescape(text).strip()
    if not _NUMBER_RE.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


@dataclass
class _Piece:
    marker: str  # "=", "~" or "" (text before any marker)
    text: str
    offset: int  # in the block text


def _split_answers(inner: str, base: int, markers: str) -> list[_Piece]:
    pieces: list[_Piece] = []
    start, marker = 0, ""
    for i, ch in enumerate(inner):
        if ch in markers:
            pieces.append(_Piece(marker, inner[start:i], base + start))
            start, marker = i + 1, ch
    pieces.append(_Piece(marker, inner[start:], base + start))
    if pieces and not pieces[0].marker and not pieces[0].text.strip():
        pieces.pop(0)
    return pieces


def _feedback(raw: str) -> tuple[str, str]:
    text, _hash, feedback = raw.partition("#")
    return text, feedback
