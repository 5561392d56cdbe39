"""Editing one content file in the browser.

The content folder is the source of truth: the editor reads a lesson or a
question-bank file from it, and publishing writes the file back and then runs
the same pipeline as ``flask content publish`` (parse → check → publish) on
that course's folder. Previews and the review step parse a *staged* copy of
the course folder (the real files hard-linked in, the edited file written
out), so they see exactly what publishing would see, without touching the
folder.

A stale edit is refused: the form carries the hash of the file as the editor
opened it, and publishing compares it with the file on disk under a lock.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup

from lms.content.console.writing import EditRefused, write_and_publish
from lms.content.source import encoding, files as source_files, windows_names
from lms.content.source.files import walk
from lms.content.schema import ContentBundle, Problem
from lms.content.publishing.publish import plan, publish
from lms.content.rendering_fast import render
from lms.content.source.advice import content_warnings
from lms.content.source.checks import check
from lms.content.source.links import course_link_resolver
from lms.content.source.parser import lesson_id_from_file_name, parse_course, parse_folder, split_front_matter
from lms.database import transaction

# Editable files: a course's lessons and question banks.
# Any file name the checker reads (Chinese too: lessons/01-概述.md), never a
# hidden one, one with a path separator or a control character (a newline
# before the end is not "the end": \Z, not $); the folder is checked by editable().
EDITABLE = re.compile(r"^courses/(?P<folder>[^/\\\x00-\x1f]+)/(?P<part>lessons|questions)/"
                      r"(?P<name>[^./\\\x00-\x1f][^/\\\x00-\x1f]{0,99})\.md\Z")

LESSON_TEMPLATE = """---
title: {title}
minutes: 15
objectives:
  - 
---
## {title}

"""
BANK_TEMPLATE = """## {course}-{name}-001
type: single
points: 1
difficulty: medium
tags: 

题干

- [ ] 选项一
- [x] 选项二
- [ ] 选项三

解析：
"""


@dataclass
class ContentFile:
    """An editable file of the content folder (it may not exist yet)."""

    path: str  # relative to the content root, e.g. courses/products/lessons/01-deposits.md
    folder: str  # the course folder, e.g. courses/products
    kind: str  # lesson | bank
    text: str = ""
    hash: str = ""  # "" when the file does not exist
    exists: bool = False


@dataclass
class CourseFiles:
    """A published course's files in the content folder."""

    folder: str | None = None  # e.g. courses/products; None if no folder holds the course
    lessons: dict[str, str] = field(default_factory=dict)  # lesson id → file path
    banks: list[str] = field(default_factory=list)  # question-bank file paths


# --- the content folder ------------------------------------------------------

def content_root() -> Path:
    return Path(current_app.config["CONTENT_DIR"]).resolve()


def text_hash(data: bytes | str | None) -> str:
    if data is None:
        return ""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path) -> str:
    return text_hash(source_files.read_bytes(path)) if source_files.is_plain_file(path) else ""


@contextlib.contextmanager
def folder_lock() -> Iterator[None]:
    """One writer at a time for the content folder, across app processes."""
    lock_dir = Path(current_app.instance_path)
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / "content-folder.lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def course_folders(root: Path | None = None) -> dict[str, str]:
    """Course id → its folder (relative to the root), read from each course.md."""

    root = root or content_root()
    found: dict[str, str] = {}
    courses = root / "courses"
    plain_dir = source_files.is_plain_dir
    if not plain_dir(courses):
        return found
    for folder in sorted(p for p in courses.iterdir() if plain_dir(p) and not p.name.startswith(".")):
        course_md = folder / "course.md"
        if not source_files.is_plain_file(course_md):
            continue  # a link (to another course's course.md, to /etc/passwd) names no course
        rel = f"courses/{folder.name}"
        try:
            parsed, _problems = parse_course(encoding.decode(source_files.read_bytes(course_md)), f"{rel}/course.md")
        except (OSError, encoding.NotText):
            continue
        if parsed is not None:
            found.setdefault(parsed.id, rel)
    return found


def course_files(course_slug: str) -> CourseFiles:
    """Where a course's lessons and banks live in the content folder."""

    root = content_root()
    folder = course_folders(root).get(course_slug)
    files = CourseFiles(folder=folder)
    if folder is None:
        return files
    for path in sorted((root / folder / "lessons").glob("*.md")):
        if not source_files.is_plain_file(path):
            continue  # a link, a pipe (reading it would wait for ever): the check reports it, never read
        rel = path.relative_to(root).as_posix()
        lesson_id = lesson_id_from_file_name(path.name)
        with contextlib.suppress(OSError, encoding.NotText):
            meta, *_rest = split_front_matter(encoding.decode(source_files.read_bytes(path)), rel, [])
            if isinstance(meta, dict) and isinstance(meta.get("id"), str):
                lesson_id = meta["id"]
        files.lessons[lesson_id] = rel
    files.banks = [p.relative_to(root).as_posix() for p in sorted((root / folder / "questions").glob("*.md"))
                   if source_files.is_plain_file(p)]
    return files


def editable(path: str) -> re.Match | None:
    """The path names a lesson or bank file of an existing course folder."""
    match = EDITABLE.match(path or "")
    if not match or match["folder"].startswith(".") or windows_names.device_name(f"{match['name']}.md"):
        return None  # a Windows device's name: no checkout on a trainer's PC could hold the file
    root = content_root()
    course = root / "courses" / match["folder"] / "course.md"
    # Never through a symbolic link: not the course folder, its parts, nor the file itself.
    if not source_files.is_plain_file(course) or source_files.link_on_path(root, root / path) is not None:
        return None
    return match


def open_file(path: str) -> ContentFile | None:
    """The file as the editor opens it, or None if the path is not editable."""
    match = editable(path)
    if match is None:
        return None
    real = content_root() / path
    kind = "lesson" if match["part"] == "lessons" else "bank"
    f = ContentFile(path=path, folder=f"courses/{match['folder']}", kind=kind)
    if os.path.lexists(real) and not source_files.is_plain_file(real):
        return None  # a folder, a device, a pipe: nothing the editor writes
    if source_files.is_plain_file(real):
        data = source_files.read_bytes(real)
        # Without a BOM; a file Notepad saved as GBK ("ANSI") or UTF-16 ("Unicode") opens as its text (and is
        # saved back as UTF-8), never as replacement characters a save would write over the trainer's words.
        text = encoding.decode_or_none(data)
        f.text = text if text is not None else data.decode("utf-8", errors="replace")
        f.hash, f.exists = text_hash(data), True
    return f


def new_file(course_slug: str, kind: str, name: str) -> ContentFile | None:
    """A new lesson or bank of a course, opened in the editor with a skeleton."""
    folder = course_folders().get(course_slug)
    if folder is None or kind not in ("lesson", "bank"):
        return None
    part = "lessons" if kind == "lesson" else "questions"
    f = open_file(f"{folder}/{part}/{name}.md")
    if f is None:
        return None
    if not f.exists:

        short = lesson_id_from_file_name(f"{name}.md") or name
        f.text = (LESSON_TEMPLATE.format(title=short) if kind == "lesson"
                  else BANK_TEMPLATE.format(course=course_slug, name=short))
    return f


# --- staging: what publishing would see ---------------------------------------

def _link_tree(folder: Path, target: Path, *, assets: bool = True) -> None:
    """``folder``'s files copied (never hard-linked: the check refuses a second name) under ``target``, without
    images and documents unless ``assets`` (another course: its ids are read, not its files). What the check
    refuses stays refused: a link kept, a hard link linked again, a pipe, socket or device made a named pipe."""
    files, odd = walk(folder)
    for src in files:
        if not assets and source_files.is_asset_name(src.name):
            continue
        dst = target / src.relative_to(folder)
        dst.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):  # changed or removed since the walk: the check reports what it finds
            dst.write_bytes(source_files.read_bytes(src))
    for src in odd:
        dst = target / src.relative_to(folder)
        dst.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            if source_files.is_link(src):
                os.symlink(os.readlink(src), dst)
            elif stat.S_ISREG(os.lstat(src).st_mode):
                os.link(src, dst, follow_symlinks=False)
            else:
                os.mkfifo(dst)


@contextlib.contextmanager
def staged(path: str, text: str) -> Iterator[Path]:
    """A temporary content root holding the course folder of ``path`` with
    ``text`` in place of that file (other files copied; links kept as links,
    so that the check refuses them: ``_link_tree``), and the
    rest of the content folder beside it the same way (other courses'
    question ids, the exams', programmes' and credentials' ids count as
    taken): the check here is the check publishing would make."""
    match = editable(path)
    if match is None:
        raise EditRefused(_("This file cannot be edited here."))
    root = content_root()
    folder = root / "courses" / match["folder"]
    with tempfile.TemporaryDirectory(prefix="lms-edit-", dir=_stage_parent()) as tmp:
        stage = Path(tmp).resolve()
        target = stage / "courses" / match["folder"]
        courses = root / "courses"
        _link_tree(folder, target)
        for other in sorted(courses.iterdir()) if courses.is_dir() else ():
            if other.name != match["folder"] and not other.name.startswith(".") \
                    and other.is_dir() and not other.is_symlink():
                _link_tree(other, stage / "courses" / other.name, assets=False)
        for entry in sorted(root.iterdir()):
            if entry.name == "courses" or entry.name.startswith("."):
                continue
            if entry.is_symlink():
                os.symlink(os.readlink(entry), stage / entry.name)
            elif entry.is_dir():
                _link_tree(entry, stage / entry.name)
        edited = stage / path
        edited.parent.mkdir(parents=True, exist_ok=True)
        if edited.is_symlink() or edited.exists():
            edited.unlink()  # a link: never write through it into the real file
        edited.write_text(text, encoding="utf-8")
        yield stage


def _stage_parent() -> str:
    """Staged copies go under the instance folder (made for the app's account alone)."""
    path = Path(current_app.instance_path) / "content-edits"
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


def check_bundle(bundle: ContentBundle) -> list[Problem]:
    """Every problem of a bundle: the parser's and the cross-file checks'
    (against what is published, as the CLI does)."""

    return check(bundle)


@dataclass
class Review:
    """What publishing an edit would change, and what stands in its way."""

    file: ContentFile
    problems: list[Problem]
    plan: object | None  # lms.content.publishing.publish.Plan
    file_diff: list[tuple[str, str]]
    warnings: list[Problem] = field(default_factory=list)  # shown apart; they never stop a publish
    # (question id, its other bank in the course folder): a question being moved, which one file cannot do
    also_elsewhere: list[tuple[str, str]] = field(default_factory=list)


def normalise(text: str) -> str:
    """Browsers send CRLF from a textarea; the files keep LF and end in one newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.rstrip("\n") + "\n"


def review(path: str, text: str) -> Review:
    """Parse and check the edited course as publishing would, and plan it."""
    from lms.content.console.queries import unified_diff  # queries imports this module (course_folders)

    current = open_file(path)
    if current is None:
        raise EditRefused(_("This file cannot be edited here."))
    text = normalise(text)
    with staged(path, text) as stage:
        bundle = parse_folder(stage, Path(current.folder))
        problems = check_bundle(bundle)
        the_plan = plan(bundle) if not problems else None
        warnings = content_warnings(bundle)
    return Review(file=current, problems=problems, plan=the_plan,
                  file_diff=unified_diff(current.text, text, f"a/{path}", f"b/{path}"), warnings=warnings,
                  also_elsewhere=_also_in_other_banks(bundle, path, current.folder))


def _also_in_other_banks(bundle: ContentBundle, path: str, folder: str) -> list[tuple[str, str]]:
    """Questions of the edited bank that another bank of its course holds too."""
    here = {q.id for q in bundle.questions if q.source.path == path}
    prefix = folder + "/"
    return sorted({(q.id, q.source.path[len(prefix):]) for q in bundle.questions
                   if q.id in here and q.source.path != path and q.source.path.startswith(prefix)})


def preview(path: str, text: str) -> tuple[object, list[Problem], list[Problem]]:
    """The rendering of the edited file (a lesson's HTML, or each question of a
    bank with its key), its problems and its warnings, as ``flask content check
    <file>`` reports them: the same reading (``pasted``, ``obsidian``), the same
    renderer as publishing, and the notes of what was read another way than
    written (a wikilink, a call-out, a key line). (The review step checks the
    whole course.)"""
    from lms.content.console.queries import show_question  # queries imports this module (course_folders)

    current = open_file(path)
    if current is None:
        raise EditRefused(_("This file cannot be edited here."))
    with staged(path, normalise(text)) as stage:
        bundle = parse_folder(stage, Path(path))  # this file (and course.md), as `flask content check <file>`
        problems = check_bundle(bundle)
        warnings = content_warnings(bundle)
    course_id = bundle.courses[0].id if bundle.courses else ""
    resolve = course_link_resolver(course_id, bundle.lesson_files.get(course_id)) if course_id else None
    if current.kind == "lesson":
        lesson = next((lesson for lesson in bundle.lessons if lesson.source.path == path), None)
        shown = None if lesson is None else {
            "title": lesson.title, "minutes": lesson.minutes, "objectives": lesson.objectives,
            "body": Markup(render(lesson.body_md, resolve))}
    else:
        shown = [(q, show_question(q.type, q.stem_md, q.data, points=q.points, explanation_md=q.explanation_md,
                                   difficulty=q.difficulty, tags=q.tags, resolve_link=resolve))
                 for q in bundle.questions if q.source.path == path]
    return shown, problems, warnings


@transaction(immediate=True)
def publish_edit(path: str, text: str, base_hash: str, actor, decision=None, reviewed: str | None = None) -> object:
    """Write the edited file and publish its course; refuse a stale edit (the
    file changed on disk since the editor opened it), any problem, and a plan
    other than the one reviewed (``reviewed``: its fingerprint; raises
    ``PlanChanged`` with the plan of now). Nothing changes when refused: the
    file is restored if publishing fails. The course is checked once, in the
    staged copy, before the file is written: publishing the same files under
    the same lock and transaction does not check them again."""

    current = open_file(path)
    if current is None:
        raise EditRefused(_("This file cannot be edited here."))
    text = normalise(text)
    with folder_lock():
        real = content_root() / path
        on_disk = file_hash(real)
        # The file already holding exactly this text is the same Publish sent
        # twice (a double click, a resubmitted page): nobody's change is
        # overwritten, and publishing it again changes nothing once it is in.
        if on_disk != (base_hash or "") and on_disk != text_hash(text):
            raise EditRefused(_("%(path)s was changed by someone else since you opened it. "
                                "Copy your text, reload the editor and apply your changes again.", path=path))
        with staged(path, text) as stage:
            problems = check_bundle(parse_folder(stage, Path(current.folder)))
        if problems:
            raise EditRefused(_("Nothing was published: fix the problems first."), problems)
        return write_and_publish(real, path, text, lambda: publish(
            parse_folder(content_root(), Path(current.folder)), actor, f"web:{path}", checked=True,
            decision=decision, reviewed=reviewed))
