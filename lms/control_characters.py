"""One rule for every request, on every database: what the client sends holds
no control characters. A form field or query value with a C0 control
character other than tab, line feed and carriage return (which text areas
send) — NUL (\\x00) above all, which PostgreSQL cannot store in text while
SQLite stores it —, a field name, an uploaded file's name or the address
with any C0 control character: the request is refused with 400 and the field
named, in the page's language, before any view runs — so nothing is stored.

Why a hook and not the form base class: query strings, file names and the
few views that read values outside a form (the exam autosave hands its
answers over through a form without validation) are covered the same way,
and no view can forget it. The hook goes first among the app's hooks, before
the CSRF check reads the form and before anything touches the database."""
from __future__ import annotations

import re

import click
from flask import Flask, request
from werkzeug.exceptions import BadRequest

IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # tab, LF and CR are text
ANY = re.compile(r"[\x00-\x1f]")

ADDRESS, QUERY, FORM, FILE_NAME = "address", "query", "form", "file_name"

# In a name or a title that other people read: characters nobody sees that
# change what they see. Zero-width spaces and joiners make "李学员" and
# "李\u200b学员" two people who look the same; a right-to-left override turns
# the rest of a sentence around ("…签到了 李\u202e员学 on 3月1日" in a
# notification or the audit log). Refused where such a text is typed or
# imported (names, branch names, content titles), with the place named. These are
# one-line texts: a tab or a line break in one (a crafted form, a CSV cell in quotes)
# breaks the line of a certificate, a list or a sentence, and is refused too.
INVISIBLE = re.compile("[\t\n\r\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


# In any text, free text too (notes, reasons, comments, descriptions): the
# embeddings, overrides and isolates of the bidirectional algorithm. One of
# them turns what follows around or moves it elsewhere on the line, for every
# reader — HR, the apprentice, the audit log, an export. Nothing in a bank's
# Chinese or English prose needs them. Zero-width characters are not here:
# they do not move text, and the zero-width joiner builds emoji (👨‍👩‍👧) in a
# note; names and titles refuse them with INVISIBLE above.
TEXT_DIRECTION = re.compile("[\u202a-\u202e\u2066-\u2069]")


def text_direction_character(text: str | None) -> str | None:
    """The first text-direction control of ``text`` as "U+202E", or None."""
    found = TEXT_DIRECTION.search(text or "") if isinstance(text, str) else None
    return f"U+{ord(found.group()):04X}" if found else None


def shown_direction_characters(text: str) -> str:
    """``text`` with every text-direction control written out ("[U+202E]"):
    how text stored before the rule is shown, exported and printed — the
    reader sees that something was there, and nothing is turned around."""
    return TEXT_DIRECTION.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


# What an uploaded file's name never carries onto a page (a preview's heading, a
# review, the audit log): controls (C0, DEL, C1), the text-direction controls
# and marks (U+061C, U+200E/F, U+202A–E, U+2066–9) and the invisible ones
# (zero-width, word joiner, BOM). "名单\u202excod.exe" read as "名单exe.docx".
NOT_IN_FILE_NAME = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
FILE_NAME_LIMIT = 120


def uploaded_file_name(filename: str | None, default: str = "upload") -> str:
    """An uploaded file's name as the app shows and keeps it: the browser
    sends whatever it likes (a Windows path ``C:\\fakepath\\名单.xlsx``,
    ``../../etc/passwd``, a right-to-left override, a name of 10,000
    characters). Kept: the last part of the path, without the characters of
    ``NOT_IN_FILE_NAME``, at most ``FILE_NAME_LIMIT`` characters, cut before
    the extension so that what the file is stays; ``default`` when
    nothing is left."""
    name = NOT_IN_FILE_NAME.sub("", (filename or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if name in ("", ".", ".."):
        return default
    if len(name) > FILE_NAME_LIMIT:
        stem, dot, suffix = name.rpartition(".")
        suffix = dot + suffix if stem and len(suffix) <= 10 else ""
        name = name[:FILE_NAME_LIMIT - len(suffix) - 1].rstrip() + "…" + suffix
    return name


def _emoji(ch: str) -> bool:
    """A pictograph, a skin tone or the emoji presentation selector (U+FE0F)."""
    code = ord(ch)
    return (0x1F000 <= code <= 0x1FAFF or 0x2300 <= code <= 0x23FF or 0x2600 <= code <= 0x27BF
            or 0x2B00 <= code <= 0x2BFF or code in (0xFE0F, 0x2640, 0x2642, 0x2695, 0x2696, 0x2708))


def invisible_character(text: str | None) -> str | None:
    """The first invisible or text-direction character of ``text`` as "U+202E", or None.
    A zero-width joiner between two emoji is part of one emoji (👨‍💼, 👩‍🏫), as a
    trainer pastes it into a lesson title, and is no hidden character; between
    letters ("李\u200d学员") it is."""
    text = text or ""
    for found in INVISIBLE.finditer(text):
        at = found.start()
        if (found.group() == "\u200d" and 0 < at < len(text) - 1
                and _emoji(text[at - 1]) and _emoji(text[at + 1])):
            continue
        return f"U+{ord(found.group()):04X}"
    return None


def command_line_text(ctx, param, value):
    """A ``flask`` command's free-text option (a reason) as the forms take it:
    no text-direction control. A click callback: the option is named."""
    code = text_direction_character(value)
    if code:
        raise click.BadParameter(f"contains a text-direction character ({code}) that would show the text "
                                 f"reversed to its readers (the audit log, HR); type it again without it")
    return value


def command_line_name(ctx, param, value):
    """A name or 工号 given to a ``flask`` command, as the forms take it
    (``lms.forms.visible_text``): no invisible or text-direction character."""
    code = invisible_character(value)
    if code:
        raise click.BadParameter(f"contains an invisible character or a text-direction mark ({code}); "
                                 f"type it again without it")
    return value


class ControlCharacterRefused(BadRequest):
    """``where`` (ADDRESS, QUERY, FORM or FILE_NAME) holds a control
    character; ``field`` is the field's name as sent (control characters
    shown as \\xNN)."""

    def __init__(self, where: str, field: str = ""):
        super().__init__()
        self.where, self.field = where, shown(field)


def shown(name: str) -> str:
    return ANY.sub(lambda m: f"\\x{ord(m.group()):02x}", name)[:80]


def refuse_control_characters() -> None:
    if ANY.search(request.path):
        raise ControlCharacterRefused(ADDRESS)
    for key, value in request.args.items(multi=True):
        if ANY.search(key) or IN_TEXT.search(value):
            raise ControlCharacterRefused(QUERY, key)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    for key, value in request.form.items(multi=True):
        if ANY.search(key) or IN_TEXT.search(value):
            raise ControlCharacterRefused(FORM, key)
    for key, storage in request.files.items(multi=True):
        if ANY.search(key) or ANY.search(storage.filename or ""):
            raise ControlCharacterRefused(FILE_NAME, key)


def init_app(app: Flask) -> None:
    """Run the check before every other request hook of the app (and so
    before those of the blueprints, which run after the app's)."""
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_control_characters)
