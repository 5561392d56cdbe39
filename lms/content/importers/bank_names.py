"""The name of an imported bank: ``courses/<folder>/questions/<name>.md``.

Taken from the uploaded file's name as the trainer wrote it (住房贷款题库.xlsx
becomes 住房贷款题库, as content files are named in Chinese elsewhere), made
safe by the rules the content folder applies to every file: no character
Windows, Linux or a URL treats specially (they become ``-``), no device name
(``con``, ``lpt1``), no leading dot, at most ``FROM_FILE`` characters; upper
case is lowered (Windows would hold ``Deposits.md`` and ``deposits.md`` as one
file). A name a bank of another course already has is made distinct with the
course's id: the ids of the questions an import names are made from the bank's
name, and question ids belong to one course.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from lms.content.source import windows_names

LIMIT = 80  # characters; 80 Chinese characters and ".md" stay within a file name's 255 bytes
FROM_FILE = 40  # a name taken from a file name is cut here
_EXTENSIONS = (".gift.txt", ".gift", ".txt", ".xlsx")
_DASHES = re.compile(r"-{2,}")


def _kept(ch: str) -> bool:
    """A letter of any script, a digit, ``-`` or ``_``: nothing a file system or a URL reads specially."""
    return ch in "-_" or unicodedata.category(ch)[0] in "LN"


def problem(name: str) -> str | None:
    """Why ``name`` cannot name a bank, or None."""
    if not name or len(name) > LIMIT or not all(_kept(ch) for ch in name) or not name[0].isalnum() \
            or name != name.lower():
        return _("A bank name is lower-case letters (Chinese too), digits, - and _, at most %(n)s characters, "
                 "e.g. 住房贷款 or deposits.", n=LIMIT)
    if windows_names.device_name(name):
        return _("“%(name)s” is the name of a device on Windows: the content folder could not be checked out "
                 "there. Choose another bank name.", name=name)
    return None


def legacy(filename: str) -> str:
    """The name an import gave before names were kept readable: the ASCII part,
    else ``bank-`` and a short hash of the file's name."""
    stem = Path(filename).name.split(".")[0]
    ascii_part = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:80].strip("-")
    if re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,79}", ascii_part):
        return ascii_part
    return "bank-" + hashlib.sha1(stem.encode("utf-8")).hexdigest()[:8]


def readable(filename: str) -> str:
    """The bank name an uploaded file's name gives (a path, as some browsers
    send it from Windows, counts by its last part only)."""
    base = unicodedata.normalize("NFKC", re.split(r"[/\\]", filename)[-1]).lower()
    base = next((base[: -len(ext)] for ext in _EXTENSIONS if base.endswith(ext)), base)
    name = _DASHES.sub("-", "".join(ch if _kept(ch) else "-" for ch in base)).strip("-_")
    name = name[:FROM_FILE].rstrip("-_")
    if not name:
        return legacy(filename)
    return f"{name}-bank" if windows_names.device_name(name) else name


@dataclass
class BankName:
    name: str
    note: str = ""  # why the name is not the file's, for the preview


def _banks(folder: Path) -> set[str]:
    questions = folder / "questions"
    return {p.stem.lower() for p in questions.glob("*.md")} if questions.is_dir() else set()


def for_course(filename: str, course_id: str, root: Path, folders: dict[str, str]) -> BankName:
    """The bank an import of ``filename`` into ``course_id`` makes or replaces
    when the trainer names none (``folders``: course id → folder under ``root``)."""
    name = readable(filename)
    folder = folders.get(course_id)
    if folder is None:
        return BankName(name)
    own = _banks(root / folder)
    old = legacy(filename)
    if name not in own and old != name and old in own:
        return BankName(old)  # imported before under its old name: importing the file again replaces it
    others = sorted(c for c, f in folders.items() if c != course_id and name in _banks(root / f))
    if not others:
        return BankName(name)
    taken = set().union(*(_banks(root / folders[c]) for c in others))
    distinct = f"{name}-{course_id}"[:LIMIT].rstrip("-_")
    n = 2
    while distinct in taken:
        suffix = f"-{course_id}-{n}"
        distinct, n = f"{name[: LIMIT - len(suffix)]}{suffix}", n + 1
    return BankName(distinct, _("The course %(course)s has a bank named %(name)s already: this one is named "
                                "%(distinct)s, so that the ids of its questions stay this course's.",
                                course=others[0], name=name, distinct=distinct))
