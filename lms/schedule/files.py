"""Programme and exam files of the content folder, as the scheduling forms
open, check and publish them.

The same pipeline as the lesson editor (``lms.content.console.editor``):
the edited text is written into a *staged* copy of the content folder (its
files hard-linked in, the edited file written out, symbolic links kept as
links so that the check refuses them), the whole tree is checked there, the
single file is planned, and publishing writes the file under the folder lock,
refusing a save made against an older version of the file (its hash), then
publishes that file (audited, ``content.published``). Nothing here follows a
symbolic link or writes outside ``content/exams`` and ``content/programmes``.
"""
from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from lms.content.console.editor import (
    EditRefused, _link_tree, _stage_parent, content_root, folder_lock, normalise, text_hash,
)
from lms.content.console.writing import write_and_publish
from lms.content.console.queries import unified_diff
from lms.content.publishing.publish import plan, publish
from lms.content.schema import Problem
from lms.content.source.checks import check
from lms.content.source.files import is_link, is_plain_dir, is_plain_file, link_on_path, read_bytes
from lms.content.source.parser import parse_folder
from lms.database import transaction

FOLDERS = {"programme": "programmes", "exam": "exams"}
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
ID_LINE = re.compile(r"^id:[ \t]*[\"']?([a-z0-9][a-z0-9-]*)[\"']?[ \t]*(?:#.*)?$", re.M)


@dataclass
class ScheduleFile:
    kind: str  # programme | exam
    name: str  # the file name without .yaml
    path: str  # relative to the content root: programmes/rm-foundation.yaml
    text: str = ""
    hash: str = ""  # "" for a file that does not exist yet
    exists: bool = False


def locate(kind: str, name: str) -> ScheduleFile | None:
    """The file ``<folder>/<name>.yaml`` (it may not exist yet), or None when
    the name is not a plain file name (separators, dots, ``..``) or a symbolic
    link stands on the way."""
    if kind not in FOLDERS or not isinstance(name, str) or not NAME.fullmatch(name):
        return None
    root = content_root()
    rel = f"{FOLDERS[kind]}/{name}.yaml"
    real = root / rel
    if link_on_path(root, real) is not None:
        return None
    found = ScheduleFile(kind=kind, name=name, path=rel)
    if os.path.lexists(real):
        if not is_plain_file(real):
            return None
        data = read_bytes(real)
        found.text, found.hash, found.exists = data.decode("utf-8", errors="replace"), text_hash(data), True
    return found


def file_of(kind: str, slug: str) -> ScheduleFile | None:
    """The existing file whose ``id:`` is ``slug`` (or named after it)."""
    folder = content_root() / FOLDERS[kind]
    if not is_plain_dir(folder):
        return None
    named = locate(kind, slug)
    if named is not None and named.exists and _id_of(named.text) in (slug, None):
        return named
    for path in sorted(folder.glob("*.yaml")):
        if is_plain_file(path) and NAME.fullmatch(path.stem):
            with contextlib.suppress(OSError, UnicodeDecodeError):
                if _id_of(read_bytes(path).decode("utf-8")) == slug:
                    return locate(kind, path.stem)
    return None


def _id_of(text: str) -> str | None:
    match = ID_LINE.search(text or "")
    return match[1] if match else None


def ids_in_files(kind: str) -> set[str]:
    """The ids of every file of a kind (a new file may not take one)."""
    folder = content_root() / FOLDERS[kind]
    found = set()
    if is_plain_dir(folder):
        for path in folder.glob("*.y*ml"):
            found.add(path.stem)
            with contextlib.suppress(OSError, UnicodeDecodeError):
                found.add(_id_of(read_bytes(path).decode("utf-8")) or path.stem)
    return found


@contextlib.contextmanager
def staged(path: str, text: str) -> Iterator[Path]:
    """A temporary content root: every file of the content folder copied in
    (``editor._link_tree``: links kept as links), ``text`` in place of ``path``."""
    root = content_root()
    with tempfile.TemporaryDirectory(prefix="lms-schedule-", dir=_stage_parent()) as tmp:
        stage = Path(tmp).resolve()
        for entry in sorted(root.iterdir()):
            if entry.name.startswith("."):
                continue
            if is_link(entry):
                os.symlink(os.readlink(entry), stage / entry.name)
            elif entry.is_dir():
                _link_tree(entry, stage / entry.name)
        edited = stage / path
        edited.parent.mkdir(parents=True, exist_ok=True)
        if os.path.lexists(edited):
            edited.unlink()  # a link: never write through it into the real file
        edited.write_text(text, encoding="utf-8")
        yield stage


@dataclass
class Review:
    problems: list[Problem]  # of the whole tree, with the edited file's first
    plan: object | None  # what publishing the file changes
    file_diff: list[tuple[str, str]]  # the YAML against the file as it is now (published)
    text: str


def review(file: ScheduleFile, text: str) -> Review:
    """Check the whole tree with the edited file in it; plan the file."""
    text = normalise(text)
    with staged(file.path, text) as stage:
        problems = check(parse_folder(stage))
        problems.sort(key=lambda p: (p.source.path != file.path, p.source.path, p.source.line or 0))
        the_plan = None
        if not problems:
            single = parse_folder(stage, Path(file.path))
            problems = check(single)
            the_plan = plan(single) if not problems else None
    return Review(problems=problems, plan=the_plan, text=text,
                  file_diff=unified_diff(file.text, text, f"a/{file.path}", f"b/{file.path}"))


@transaction(immediate=True)
def publish_file(file: ScheduleFile, text: str, base_hash: str, actor, reviewed: str | None = None) -> object:
    """Write the file and publish it; refuse a stale save (the file changed
    since the form opened it), any problem, and a plan other than the one
    reviewed (``reviewed``: its fingerprint; raises ``PlanChanged``).
    Refused: nothing changes."""
    text = normalise(text)
    with folder_lock():
        current = locate(file.kind, file.name)
        if current is None:
            raise EditRefused(_("This file cannot be edited here."))
        if current.hash != (base_hash or ""):
            raise EditRefused(_("%(path)s was changed by someone else since you opened it. "
                                "Copy your text, reload the editor and apply your changes again.", path=file.path))
        with staged(file.path, text) as stage:
            problems = check(parse_folder(stage))
        if problems:
            raise EditRefused(_("Nothing was published: fix the problems first."), problems)
        root = content_root()
        real = root / file.path
        folder = real.parent
        if not os.path.lexists(folder):
            folder.mkdir(parents=True)
        if not is_plain_dir(folder) or link_on_path(root, real) is not None:
            raise EditRefused(_("This file cannot be edited here."))
        return write_and_publish(real, file.path, text, lambda: publish(
            parse_folder(root, Path(file.path)), actor, f"web:{file.path}", reviewed=reviewed))


__all__ = ["EditRefused", "FOLDERS", "Review", "ScheduleFile", "file_of", "ids_in_files", "locate", "publish_file",
           "review", "staged"]
