"""Reading an uploaded course zip, defensively: no absolute paths, no ``..``,
no links, no names Windows cannot hold, at most 20 MB unpacked and 2,000
files, only markdown, YAML, images, PDF, XLSX and DOCX; names zipped on a
Chinese Windows (GBK, without the UTF-8 flag) read as written; what archivers
and Windows add (__MACOSX, ._ twins, Thumbs.db, an Office lock file) skipped.
Any problem: nothing is kept (``lms.content.console.upload.staging``)."""
from __future__ import annotations

import posixpath
import re
import stat
import unicodedata
import zipfile
from pathlib import Path
from typing import IO

from flask_babel import gettext as _

from lms.content.source import windows_names
from lms.content.schema import Problem, Source

MAX_UNPACKED = 20 * 1024 * 1024
MAX_FILES = 2000
MAX_ENTRIES = 3 * MAX_FILES  # files, their folders, and what archivers add (a Mac: a __MACOSX/._ twin per file)
ALLOWED_SUFFIXES = {".md", ".yaml", ".yml", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf", ".xlsx", ".docx"}
# Added by archivers and by Windows, not by the trainer: skipped silently. Windows writes
# desktop.ini into a folder with a custom icon, and Office a lock file ~$name.xlsx next to
# a workbook that is open (zipped with the folder while the bank was still open in Excel).
ARCHIVER_NOISE = ("__MACOSX/", ".ds_store", "thumbs.db", "desktop.ini")
OFFICE_LOCK_PREFIX = "~$"
# A Mac's zip keeps each file's Finder data as __MACOSX/<path>/._<name>; unpacked on Windows and
# zipped again (folder and all), __MACOSX sits inside the top folder, and a copy through a USB
# stick leaves a ._<name> beside each file. Neither is the trainer's.
APPLE_DOUBLE_PREFIX = "._"

_HIDDEN_CHARACTERS = re.compile("[\x01-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _unsafe_name(name: str) -> str | None:
    """Why a member name is refused, or None if it is a plain relative path."""
    if "\\" in name or "\x00" in name:
        return _("the name contains a backslash or a NUL character")
    if _HIDDEN_CHARACTERS.search(name):
        # A carriage return cannot go into a download's header; a right-to-left
        # override shows "手册\u202efdp.exe" as "手册exe.pdf".
        return _("the name contains a control character or a text-direction mark")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return _("absolute paths are not allowed")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return _("paths leaving the folder (..) are not allowed")
    if not parts:
        return _("an empty name")
    if device := next((p for p in parts if windows_names.device_name(p)), None):
        return _("“%(part)s” is the name of a device on Windows (CON, PRN, AUX, NUL, COM1–9, LPT1–9, whatever "
                 "the extension): the content folder could not be checked out there; rename it", part=device)
    if any(windows_names.not_writable_on_windows(p) for p in parts):
        return _("the name cannot be written on Windows (it holds one of < > : \" | ? * or ends in a dot or a "
                 "space); rename it")
    return None


def _is_link(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return stat.S_ISLNK(mode)


def _unflagged(info: zipfile.ZipInfo) -> bytes | None:
    """A member name's bytes as stored, when they are not marked UTF-8 and not plain ASCII."""
    if info.flag_bits & 0x800 or info.filename.isascii():
        return None
    return info.filename.encode("cp437")


def _cjk(text: str) -> int:
    return sum("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" for c in text)


def _chinese_only(text: str) -> bool:
    """Every character ASCII, Chinese, Chinese punctuation or full-width: names as a trainer writes them."""
    return all(c.isascii() or "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or "\u3000" <= c <= "\u303f"
               or "\uff00" <= c <= "\uffef" for c in text)


def names_encoding(entries: list[zipfile.ZipInfo]) -> str:
    """How the archive's names without the UTF-8 flag are written. A zip made by Windows'
    "Send to → Compressed (zipped) folder" on a Chinese system stores them in the system code
    page (GBK) without the flag, which zipfile reads as CP437 ("images/┐╔╥╔.png"); some tools
    store UTF-8 without it. Decided for the whole archive, not name by name: the GBK bytes of a
    short name can be valid UTF-8 by chance ("图1.png" read as UTF-8 is "ͼ1.png"). UTF-8 when the
    names read as UTF-8 are Chinese through and through (Info-ZIP's zip on Linux and the Mac store
    外汇题库.md so; read as GBK its nine bytes are four or five rarer characters, 澶栨眹棰樺簱, which
    outnumber the three); otherwise UTF-8 unless a name is not valid UTF-8, or GBK reads the names as
    more Chinese characters."""
    raw = [b for b in map(_unflagged, entries) if b is not None]
    readings = {}
    for encoding in ("utf-8", "gb18030"):
        try:
            readings[encoding] = "".join(b.decode(encoding) for b in raw)
        except UnicodeDecodeError:
            continue
    if "utf-8" in readings and (_chinese_only(readings["utf-8"])
                                or _cjk(readings["utf-8"]) >= _cjk(readings.get("gb18030", ""))):
        return "utf-8"
    return "gb18030" if "gb18030" in readings else "utf-8"


def _member_name(info: zipfile.ZipInfo, charset: str) -> str:
    """The member's name as the trainer wrote it (``names_encoding``)."""
    raw = _unflagged(info)
    if raw is None:
        return info.filename
    for candidate in (charset, "utf-8", "gb18030"):
        try:
            return raw.decode(candidate)
        except UnicodeDecodeError:
            continue
    return info.filename


def _in_macosx(name: str) -> bool:
    return ARCHIVER_NOISE[0].rstrip("/") in name.split("/")


def unpack(archive: IO[bytes], dest: Path) -> tuple[list[str], list[Problem]]:
    """Unpack a zip into ``dest``; returns the files written and the problems.
    On any problem the caller discards ``dest``."""
    problems: list[Problem] = []
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, ValueError):
        return [], [Problem(Source("upload"), _("The file is not a zip archive."))]
    with zf:
        entries = zf.infolist()
        if len(entries) > MAX_ENTRIES:
            # Folders, archiver noise and refused names are not files, but each costs a
            # look and maybe a problem line: 400,000 entries of "../x" fit in 20 MB and
            # made a page of 400,000 problems. Refused at once, with one line.
            return [], [Problem(Source("upload"), _("too many files: %(n)d (at most %(max)d)",
                                                    n=len(entries), max=MAX_FILES))]
        members = []
        seen: dict[str, str] = {}  # a file's name, case and composition folded → as the archive has it
        declared = 0
        charset = names_encoding(entries)
        for info in entries:
            name = info.filename = _member_name(info, charset)
            base = posixpath.basename(name.rstrip("/"))
            if (_in_macosx(name) or base.lower() in ARCHIVER_NOISE[1:] or base.startswith(APPLE_DOUBLE_PREFIX)
                    or (base.startswith(OFFICE_LOCK_PREFIX) and not info.is_dir())):
                continue
            why = _unsafe_name(name)
            if why:
                problems.append(Problem(Source(name), why))
                continue
            if _is_link(info):
                problems.append(Problem(Source(name), _("symbolic links are not allowed")))
                continue
            if info.is_dir():
                continue
            suffix = posixpath.splitext(name)[1].lower()
            if suffix not in ALLOWED_SUFFIXES:
                problems.append(Problem(Source(name), _(
                    "file type not allowed (only .md, .yaml, images, .pdf, .xlsx, .docx)")))
                continue
            if info.flag_bits & 0x1:
                problems.append(Problem(Source(name), _("encrypted files are not allowed")))
                continue
            # "images/Flow.png" and "images/flow.png", or "café.png" typed on a Mac (e + a combining
            # accent) and on Windows (é): two files here, one on a checkout on Windows or macOS, and two
            # names that look the same in every link and list.
            folded = unicodedata.normalize("NFC", name).casefold()
            if folded in seen:
                problems.append(Problem(Source(name), _("the archive holds this file twice") if seen[folded] == name
                                        else _("the archive holds this file twice: “%(other)s” differs only in "
                                               "upper and lower case or in how its characters are composed",
                                               other=seen[folded])))
                continue
            seen[folded] = name
            declared += info.file_size
            members.append(info)
        if len(members) > MAX_FILES:
            problems.append(Problem(Source("upload"), _("too many files: %(n)d (at most %(max)d)",
                                                        n=len(members), max=MAX_FILES)))
        if declared > MAX_UNPACKED:
            problems.append(Problem(Source("upload"), _("too large unpacked: %(mb).1f MB (at most %(max)d MB)",
                                                        mb=declared / 1024 / 1024, max=MAX_UNPACKED // 1024 // 1024)))
        if problems:
            return [], problems
        written = []
        total = 0
        root = dest.resolve()
        for info in members:
            rel = "/".join(p for p in info.filename.split("/") if p not in ("", "."))
            target = (root / rel).resolve()
            if root not in target.parents:  # belt and braces after _unsafe_name
                return [], [Problem(Source(info.filename), _("paths leaving the folder (..) are not allowed"))]
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except (FileExistsError, NotADirectoryError):  # "a.md" and then "a.md/b.md"
                return [], [Problem(Source(info.filename), _("a file and a folder of the archive have the same name"))]
            try:
                with zf.open(info) as src, open(target, "xb") as out:
                    # Count what is really inflated: the sizes in the archive may lie.
                    while chunk := src.read(64 * 1024):
                        total += len(chunk)
                        if total > MAX_UNPACKED:
                            return [], [Problem(Source("upload"), _(
                                "too large unpacked: more than %(max)d MB", max=MAX_UNPACKED // 1024 // 1024))]
                        out.write(chunk)
            except FileExistsError:
                return [], [Problem(Source(info.filename), _("the archive holds this file twice"))]
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
                return [], [Problem(Source(info.filename), _("cannot unpack this file (%(why)s)", why=str(exc)))]
            written.append(rel)
        return written, []


def find_course_folder(unpacked: Path) -> tuple[Path | None, Problem | None]:
    """course.md at the top of the archive, or in its one top-level folder."""
    if (unpacked / "course.md").is_file():
        return unpacked, None
    tops = [p for p in unpacked.iterdir()]
    if len(tops) == 1 and tops[0].is_dir() and (tops[0] / "course.md").is_file():
        return tops[0], None
    return None, Problem(Source("upload"), _(
        "no course.md: put it at the top of the zip or in its one top-level folder"))

