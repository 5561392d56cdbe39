"""Staging an uploaded course: unpacked (``archive``) into a staging folder
under the instance folder, laid out as the content folder would hold it
(courses/<name>/…), then parsed and checked exactly as ``flask content check``
would, and planned against what is published. Nothing is published here
(``review`` does that when the trainer confirms)."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from flask_babel import gettext as _

from lms.content.console import editor
from lms.content.console.upload.archive import find_course_folder, unpack
from lms.content.source import encoding
from lms.content.source.advice import content_warnings
from lms.content.source.files import is_link, is_plain_dir, read_bytes, walk
from lms.content.schema import Problem, Source
from lms.content.publishing.publish import plan
from lms.content.source.parser import parse_course, parse_folder
from lms.staging import StagingArea

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


def _of_archive(problems: list[Problem], archive_name: str) -> list[Problem]:
    """A problem of the whole upload named by the file the trainer chose (课程.zip), not "upload"."""
    name = Path(archive_name or "").name or "upload"
    return [Problem(Source(name), p.message) if p.source.path == "upload" else p for p in problems]



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
    folder, problem = find_course_folder(unpacked)
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
    result.problems = relative_to_course(editor.check_bundle(bundle), result.folder)
    result.warnings = relative_to_course(content_warnings(bundle), result.folder)
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


def relative_to_course(problems: list[Problem], folder: str) -> list[Problem]:
    """Problems name files as they are inside the zip (lessons/01-x.md:12)."""
    prefix = folder + "/"
    out = []
    for p in problems:
        path = p.source.path[len(prefix):] if p.source.path.startswith(prefix) else p.source.path
        out.append(Problem(Source(path, p.source.line, p.source.column), p.message))
    return out

