"""The text of a content file as Windows editors save it.

A trainer on a Chinese Windows PC saves from Notepad or WPS in one of four
ways: UTF-8 (with or without a byte-order mark), "ANSI" — GBK, which
GB18030 contains — or "Unicode" — UTF-16 LE with a byte-order mark. All of
them are read; the text is the same whichever way it was saved, and the
console's editor writes it back as UTF-8.

GBK is only tried for a file that is not mostly UTF-8: a UTF-8 file with a
bad byte somewhere (a character pasted from another encoding) is refused at
that line rather than read as GBK nonsense.
"""
from __future__ import annotations

import codecs

from flask_babel import gettext as _


class NotText(ValueError):
    """The bytes are no text a Windows editor writes; ``line`` is where it goes wrong."""

    def __init__(self, line: int):
        super().__init__(line)
        self.line = line


def decode(data: bytes) -> str:
    """The text of ``data`` without a byte-order mark (line ends untouched), or
    NotText with the line of the first byte that is no character."""
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom) and not data.startswith(codecs.BOM_UTF8):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                body = data[len(bom):]
                raise NotText(body[: exc.start].decode(encoding, errors="replace").count("\n") + 1) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        if _mostly_utf8(data):
            raise NotText(line) from None  # a UTF-8 file with a stray byte or two, not a GBK file
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise NotText(data[: exc.start].count(b"\n") + 1) from None


def _mostly_utf8(data: bytes) -> bool:
    """More of its non-ASCII characters read as UTF-8 than fail to: GBK text
    read as UTF-8 fails at nearly every character (a lucky pair may pass)."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127) - bad
    return good > bad


def decode_or_none(data: bytes) -> str | None:
    try:
        return decode(data)
    except NotText:
        return None


def not_text_message() -> str:
    return _("the file is neither UTF-8 nor GBK text from this line on (a character pasted from elsewhere, or not "
             "a text file): open it in Notepad and save it again with 另存为 → 编码 UTF-8")
