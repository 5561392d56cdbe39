"""Uploading a course: a zip of a course folder, checked before anything changes.

The archive is unpacked defensively into a staging folder under the instance
folder (no absolute paths, no ``..``, no links, at most 20 MB unpacked and
2,000 files, only markdown, YAML, images, PDF, XLSX and DOCX). The staged
course is parsed and checked exactly as ``flask content check`` would, and
planned against what is published. Only when the trainer confirms is it copied
into the content folder (replacing that course's folder) and published.
On any problem nothing changes.
"""
from __future__ import annotations

import hashlib
import os
import posixpath
import re
import shutil
import stat
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from flask_babel import gettext as _

from lms.content.console import editor, unwritable
from lms.content.source import encoding, windows_names
from lms.content.source.advice import content_warnings
from lms.content.source.files import is_link, is_plain_dir, read_bytes, walk
from lms.content.schema import Problem, Source
from lms.content.publishing.publish import ContentProblems, PlanChanged, plan, publish
from lms.content.source.parser import parse_course, parse_folder
from lms.database import transaction
from lms.staging import StagingArea

MAX_UNPACKED = 20 * 1024 * 1024
MAX_FILES = 2000
MAX_ENTRIES = 3 * MAX_FILES  # files, their folders, and what archivers add (a Mac: a __MACOSX/._ twin per file)
ALLOWED_SUFFIXES = {".md", ".yaml", ".yml", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf", ".xlsx", ".docx"}
# Added by archivers and by Windows, not by the trainer: skipped silently. Windows writes
# desktop.ini into a folder with a custom icon, and Office a lock file ~$name.xlsx next to
# a workbook that is open (zipped with the folder while the bank was still open in Excel).
ARCHIVER_NOISE = ("__MACOSX/", ".ds_store", "thumbs.db", "desktop.ini")
OFFICE_LOCK_PREFIX = "~$"
STAGING_HOURS = 24


@dataclass
class StagedUpload:
    token: str
    archive_name: str
    course_id: str | None = None
    folder: str | None = None  # where it goes: courses/<name>
    replaces: bool = False  # a folder of that course exists already
    problems: list[Problem] = field(default_factory=list)
    plan: object | None = None
    files: int = 0
    warnings: list[Problem] = field(default_factory=list)  # shown apart; they never stop a publish

    @property
    def ok(self) -> bool:
        return not self.problems and self.folder is not None


STAGINGS = StagingArea("content-uploads", STAGING_HOURS)


# --- unpacking ----------------------------------------------------------------

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


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as the trainer wrote it. A zip made by Windows'
    "Send to → Compressed (zipped) folder" on a Chinese system stores names in
    the system code page (GBK) without the UTF-8 flag, which zipfile reads as
    CP437 ("images/┐╔╥╔.png"): every Chinese file name, and every link to it,
    would break. Such a name is read as UTF-8 if it is valid UTF-8 (some tools
    omit the flag), else as GBK."""
    name = info.filename
    if info.flag_bits & 0x800 or name.isascii():
        return name
    raw = name.encode("cp437")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


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
        for info in entries:
            name = info.filename = _member_name(info)
            base = posixpath.basename(name.rstrip("/"))
            if (name.startswith(ARCHIVER_NOISE[0]) or base.lower() in ARCHIVER_NOISE[1:]
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


def _find_course_folder(unpacked: Path) -> tuple[Path | None, Problem | None]:
    """course.md at the top of the archive, or in its one top-level folder."""
    if (unpacked / "course.md").is_file():
        return unpacked, None
    tops = [p for p in unpacked.iterdir()]
    if len(tops) == 1 and tops[0].is_dir() and (tops[0] / "course.md").is_file():
        return tops[0], None
    return None, Problem(Source("upload"), _(
        "no course.md: put it at the top of the zip or in its one top-level folder"))


def _of_archive(problems: list[Problem], archive_name: str) -> list[Problem]:
    """A problem of the whole upload named by the file the trainer chose (课程.zip), not "upload"."""
    name = Path(archive_name or "").name or "upload"
    return [Problem(Source(name), p.message) if p.source.path == "upload" else p for p in problems]


# --- the two steps ------------------------------------------------------------

def stage(archive: IO[bytes], archive_name: str, actor_id: int) -> StagedUpload:
    """Unpack, parse, check and plan an uploaded course; nothing is published."""

    token, staging = STAGINGS.stage()
    result = StagedUpload(token=token, archive_name=archive_name)
    unpacked = staging / "unpacked"
    unpacked.mkdir()
    files, problems = unpack(archive, unpacked)
    result.files = len(files)
    if problems:
        result.problems = _of_archive(problems, archive_name)
        shutil.rmtree(staging, ignore_errors=True)
        return result
    folder, problem = _find_course_folder(unpacked)
    if problem:
        result.problems = _of_archive([problem], archive_name)
        shutil.rmtree(staging, ignore_errors=True)
        return result
    course, problems = parse_course(encoding.decode_or_none((folder / "course.md").read_bytes()) or "",
                                    "course.md")
    if course is None:
        result.problems = problems
        shutil.rmtree(staging, ignore_errors=True)
        return result
    existing = editor.course_folders()
    result.course_id = course.id
    if course.id in existing:
        result.folder, result.replaces = existing[course.id], True
    else:
        name = folder.name if folder is not unpacked and _plain(folder.name) else course.id
        result.folder = f"courses/{name}"
        if (editor.content_root() / result.folder).exists():
            result.problems = [Problem(Source(result.folder), _(
                "the content folder already has %(folder)s for another course; rename the folder in the zip",
                folder=result.folder))]
            shutil.rmtree(staging, ignore_errors=True)
            return result
    # The staged content root mirrors the real one: courses/<name>/...
    stage_root = staging / "root"
    (stage_root / "courses").mkdir(parents=True)
    shutil.move(str(folder), stage_root / result.folder)
    bundle = parse_folder(stage_root, Path(result.folder))
    result.problems = _relative_to_course(editor.check_bundle(bundle), result.folder)
    result.warnings = _relative_to_course(content_warnings(bundle), result.folder)
    if not result.problems:
        result.plan = plan(bundle)
    STAGINGS.write_meta(token, {
        "actor_id": actor_id, "course_id": result.course_id, "folder": result.folder,
        "archive_name": archive_name, "ok": not result.problems, "files": result.files,
        "plan": result.plan.fingerprint if result.plan is not None else "",
        "replaces": folder_digest(editor.content_root() / result.folder)})
    if result.problems:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def folder_digest(folder: Path) -> str:
    """What a folder holds (names and contents), to notice a change between
    the review and the confirmation ("" if there is no folder)."""
    if not is_plain_dir(folder):
        return ""
    digest = hashlib.sha256()
    files, links = walk(folder)  # never through a symbolic link: a link counts by its target's name
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(read_bytes(path)).digest())
    for path in links:
        target = os.readlink(path) if is_link(path) else ""
        digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0->" + os.fsencode(target))
    return digest.hexdigest()


def _plain(name: str) -> bool:
    return bool(re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,79}", name))


def _relative_to_course(problems: list[Problem], folder: str) -> list[Problem]:
    """Problems name files as they are inside the zip (lessons/01-x.md:12)."""
    prefix = folder + "/"
    out = []
    for p in problems:
        path = p.source.path[len(prefix):] if p.source.path.startswith(prefix) else p.source.path
        out.append(Problem(Source(path, p.source.line, p.source.column), p.message))
    return out


class ChangedSinceReview(Exception):
    """What confirming would publish is not what the trainer was shown (the
    published content changed since the upload was checked): nothing was
    published; ``staged`` holds the plan of now, which a second confirmation
    publishes."""

    def __init__(self, staged: StagedUpload, reviewed: bool = True):
        super().__init__("the plan changed since the upload was checked" if reviewed else "the plan was not reviewed")
        self.staged = staged
        self.reviewed = reviewed  # False: the staging carried no reviewed plan (staged before the fingerprint)


@transaction(immediate=True)
def confirm(token: str, actor, decision=None) -> object:
    """Copy a staged, problem-free course into the content folder (replacing
    that course's folder) and publish it. Returns (the course id, the engine's Plan)."""

    staged = STAGINGS.open(token)
    if staged is None:
        raise editor.EditRefused(_("This upload has expired or was already published. Upload the zip again."))
    staging, meta = staged.folder, staged.meta
    if meta.get("actor_id") != actor.id or not meta.get("ok"):
        raise editor.EditRefused(_("This upload has expired or was already published. Upload the zip again."))
    folder = meta["folder"]
    root = editor.content_root()
    real = root / folder
    new = staging / "root" / folder
    with editor.folder_lock():
        # Check again against the folder as it is now (another course may have
        # claimed the id or the folder name since).
        bundle = parse_folder(staging / "root", Path(folder))
        problems = editor.check_bundle(bundle)
        if folder_digest(real) != meta.get("replaces", ""):
            raise editor.EditRefused(_("%(folder)s changed in the content folder since this upload was checked. "
                                       "Upload the zip again to see the changes it makes now.", folder=folder))
        claimed = editor.course_folders(root).get(meta["course_id"])
        if claimed not in (None, folder):
            problems.append(Problem(Source(folder), _("the course is now in %(f)s", f=claimed)))
        if problems:
            raise editor.EditRefused(_("Nothing was published: fix the problems first."),
                                     _relative_to_course(problems, folder))
        if not meta.get("plan"):
            # Nothing publishes unseen: the plan of now is shown, and a second confirmation publishes it.
            now = plan(bundle)
            STAGINGS.rewrite_meta(token, {**meta, "plan": now.fingerprint})
            raise ChangedSinceReview(_staged_with(token, meta, now), reviewed=False)
        backup = staging / "previous"
        if real.exists():
            os.replace(real, backup)
        try:
            shutil.copytree(new, real)
            result = publish(parse_folder(root, Path(folder)), actor, f"upload:{meta['archive_name']}",
                             decision=decision, reviewed=meta.get("plan") or None)
        except BaseException as exc:
            shutil.rmtree(real, ignore_errors=True)
            if backup.exists():
                os.replace(backup, real)
            if isinstance(exc, PlanChanged):
                # Shown instead, and what a second confirmation publishes.
                STAGINGS.rewrite_meta(token, {**meta, "plan": exc.plan.fingerprint})
                raise ChangedSinceReview(_staged_with(token, meta, exc.plan)) from None
            if isinstance(exc, ContentProblems):
                raise editor.EditRefused(_("Nothing was published: fix the problems first."),
                                         _relative_to_course(exc.problems, folder)) from None
            if isinstance(exc, OSError):  # a full disk: the folder as it was is back
                raise editor.EditRefused(unwritable.message(exc, folder)) from None
            raise
    shutil.rmtree(staging, ignore_errors=True)
    return meta["course_id"], result


def _staged_with(token: str, meta: dict, now) -> StagedUpload:
    return StagedUpload(token=token, archive_name=meta["archive_name"], course_id=meta["course_id"],
                        folder=meta["folder"], replaces=bool(meta.get("replaces")), plan=now,
                        files=meta.get("files", 0))


def discard(token: str) -> None:
    STAGINGS.discard(token)
