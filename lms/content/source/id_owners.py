"""A question id belongs to one course, across the whole curriculum.

Publishing a part of the folder (one course, one bank), importing a GIFT or
Excel file, or publishing the whole folder must never take over a question id
that another course uses: its text would change and it would move course
under the attempts that drew it. ``foreign_ids`` adds a problem for every
question of the bundle whose id is

- published in another course (retired or not), or
- written in a bank file of the content folder that the bundle did not read
  (another course's bank, or another bank of the same course),

naming both places. Duplicates inside the bundle are ``checks._duplicates``'.

Certification and eligibility-rule ids are global too: see ``foreign_kind_ids``
below.
"""
from __future__ import annotations

import re
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import select

from lms.content.models import Certification, Course, EligibilityRule, Exam, Programme, Question
from lms.content.source.files import is_plain_dir, is_plain_file, read_bytes
from lms.content.schema import FOLDER_BANK_PREFIX, ContentBundle, Problem
from lms.extensions import db

_HEADING = re.compile(r"^##(?!#)\s*(.*?)\s*#*\s*$", re.M)
_FRONT_ID = re.compile(r"^id\s*:\s*['\"]?([^'\"\s#]+)", re.M)
_CHUNK = 500


def _course_id(folder: Path) -> str:
    """The id in course.md's front matter (the folder's name if there is none)."""
    try:
        text = read_bytes(folder / "course.md").decode("utf-8")  # never through a link
    except (OSError, UnicodeDecodeError):
        return folder.name
    if text.startswith("---"):
        front = text[3:].split("\n---", 1)[0]
        match = _FRONT_ID.search(front)
        if match:
            return match.group(1)
    return folder.name


def _ids_in_files(bundle: ContentBundle) -> dict[str, tuple[str, str, int]]:
    """id -> (course id, bank path relative to the content folder, line) for
    every question heading in a bank file the bundle did not read."""
    found: dict[str, tuple[str, str, int]] = {}
    if not bundle.root or bundle.scope.all_courses:
        return found  # the whole folder was read: _duplicates covers it
    courses = Path(bundle.root) / "courses"
    if not is_plain_dir(courses):
        return found
    read = {q.source.path for q in bundle.questions}
    # Links are never followed (the check of the whole folder reports them).
    for folder in sorted(p for p in courses.iterdir() if is_plain_dir(p) and not p.name.startswith(".")):
        questions = folder / "questions"
        if not is_plain_dir(questions):
            continue
        course_id = None
        for bank in sorted(questions.glob("*.md")):
            rel = f"courses/{folder.name}/questions/{bank.name}"
            if rel in read or bank.name.startswith(".") or not is_plain_file(bank):
                continue
            try:
                text = read_bytes(bank).decode("utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # the check of that file reports it
            course_id = course_id or _course_id(folder)
            for match in _HEADING.finditer(text):
                ident = match.group(1)
                if ident and ident not in found:
                    found[ident] = (course_id, rel, text.count("\n", 0, match.start()) + 1)
    return found


def _bank_label(bank: str) -> str:
    """A folder bank's path relative to its course folder; an imported bank's name."""
    if bank.startswith(FOLDER_BANK_PREFIX) and "/questions/" in bank:
        return "questions/" + bank.split("/questions/", 1)[1]
    return bank or "-"


def _published_owners(ids: list[str]) -> dict[str, tuple[str | None, str, bool]]:
    """id -> (course id, bank, retired) of published questions."""
    owners = {}
    if len(ids) > _CHUNK:
        # Most of the folder (a whole publish): one read of every question, not a statement per 500 ids.
        wanted = set(ids)
        for slug, course, bank, retired in db.session.execute(
                select(Question.slug, Course.slug, Question.bank, Question.retired)
                .outerjoin(Course, Course.id == Question.course_id)):
            if slug in wanted:
                owners[slug] = (course, bank, retired)
        return owners
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        for slug, course, bank, retired in db.session.execute(
                select(Question.slug, Course.slug, Question.bank, Question.retired)
                .outerjoin(Course, Course.id == Question.course_id).where(Question.slug.in_(chunk))):
            owners[slug] = (course, bank, retired)
    return owners


def foreign_ids(bundle: ContentBundle, problems: list[Problem], db_lookup: bool = True) -> set[str]:
    """Add the problems; return the refused ids that are published: exam draws count those
    questions as published, not as written here (no exam made short by a refused id)."""
    refused: set[str] = set()
    if not bundle.questions:
        return refused
    in_files = _ids_in_files(bundle)
    owners = _published_owners(sorted({q.id for q in bundle.questions})) if db_lookup else {}
    courses_of = {(q.id, q.course_id) for q in bundle.questions}
    for q in bundle.questions:
        if q.id in in_files:
            course, bank, line = in_files[q.id]
            if q.id in owners:
                refused.add(q.id)
            if course == q.course_id:  # another bank of the same course: a duplicate, worded as checking both says it
                place = f"{bank}:{line}"
                problems.append(Problem(q.source, _("duplicate question id '%(id)s': also at %(place)s",
                                                    id=q.id, place=place), fault=("question", q.id)))
            else:
                place = f"{_bank_label(bank)}:{line}"
                problems.append(Problem(q.source, _("id %(id)s is already used by course %(course)s (%(place)s)",
                                                    id=q.id, course=course, place=place)))
            continue
        owner = owners.get(q.id)
        if owner is not None and (q.id, owner[0]) in courses_of:
            continue  # written in the owner's course in this bundle too: the duplicate names both places
        if owner is not None and owner[0] != q.course_id:
            course, bank, retired = owner
            message = (_("id %(id)s is already used by course %(course)s (%(place)s, retired)", id=q.id,
                         course=course or "-", place=_bank_label(bank)) if retired else
                       _("id %(id)s is already used by course %(course)s (%(place)s)", id=q.id,
                         course=course or "-", place=_bank_label(bank)))
            problems.append(Problem(q.source, message))
            refused.add(q.id)
    return refused


# --- ids across kinds -----------------------------------------------------------
#
# A certification or eligibility rule id is never the id of anything else: a
# person's record, the registers and the evidence pack name them by id, next
# to programmes and exams. So an id of a certification or rule must not be a
# course, exam, programme, the other of the two, in the bundle, in a file of
# the folder the bundle did not read, or published (retired or not); and a
# course, exam or programme may not take the id of a certification or rule.

_CREDENTIAL_KINDS = ("certification", "eligibility_rule")
_YAML_ID = re.compile(r"^id\s*:\s*['\"]?([a-z0-9][a-z0-9-]*)['\"]?\s*(?:#.*)?$", re.M)
_FOLDERS = {"exams": ("exam", "all_exams"), "programmes": ("programme", "all_programmes"),
            "certifications": ("certification", "all_certifications"),
            "eligibility": ("eligibility_rule", "all_eligibility_rules")}


def _kind_labels() -> dict[str, str]:
    return {"course": pgettext("content kind", "course"), "exam": pgettext("content kind", "exam"),
            "programme": pgettext("content kind", "programme"),
            "certification": pgettext("content kind", "certification"),
            "eligibility_rule": pgettext("content kind", "eligibility rule")}


def _bundle_ids(bundle: ContentBundle) -> list[tuple[str, str, object]]:
    """(kind, id, source) of every item the bundle holds whose id is global."""
    items = [("course", c.id, c.source) for c in bundle.courses]
    items += [("exam", e.id, e.source) for e in bundle.exams]
    items += [("programme", p.id, p.source) for p in bundle.programmes]
    items += [("certification", c.id, c.source) for c in bundle.certifications]
    items += [("eligibility_rule", r.id, r.source) for r in bundle.eligibility_rules]
    return items


def _ids_in_yaml_files(bundle: ContentBundle) -> dict[str, list[tuple[str, str]]]:
    """id -> [(kind, path)] of the YAML files (and course.md) the bundle did not read."""
    found: dict[str, list[tuple[str, str]]] = {}
    if not bundle.root:
        return found
    root = Path(bundle.root)
    read = {source.path for _kind, _id, source in _bundle_ids(bundle)}
    for folder, (kind, flag) in _FOLDERS.items():
        if getattr(bundle.scope, flag) or not is_plain_dir(root / folder):
            continue
        for path in sorted(root.joinpath(folder).iterdir()):
            rel = f"{folder}/{path.name}"
            if rel in read or path.name.startswith(".") or path.suffix not in (".yaml", ".yml") \
                    or not is_plain_file(path):
                continue
            try:
                match = _YAML_ID.search(read_bytes(path).decode("utf-8"))
            except (OSError, UnicodeDecodeError):
                continue
            if match:
                found.setdefault(match.group(1), []).append((kind, rel))
    courses = root / "courses"
    if not bundle.scope.all_courses and is_plain_dir(courses):
        for folder in sorted(p for p in courses.iterdir() if is_plain_dir(p) and not p.name.startswith(".")):
            rel = f"courses/{folder.name}/course.md"
            if rel not in read and is_plain_file(folder / "course.md"):
                found.setdefault(_course_id(folder), []).append(("course", rel))
    return found


def _published_ids(ids: set[str]) -> dict[str, list[tuple[str, bool]]]:
    """id -> [(kind, retired)] of published items with one of ``ids``."""
    found: dict[str, list[tuple[str, bool]]] = {}
    wanted = sorted(ids)
    for kind, model in (("course", Course), ("exam", Exam), ("programme", Programme),
                        ("certification", Certification), ("eligibility_rule", EligibilityRule)):
        for start in range(0, len(wanted), _CHUNK):
            for slug, retired in db.session.execute(
                    select(model.slug, model.retired).where(model.slug.in_(wanted[start:start + _CHUNK]))):
                found.setdefault(slug, []).append((kind, retired))
    return found


def foreign_kind_ids(bundle: ContentBundle, problems: list[Problem], db_lookup: bool = True) -> None:
    """A problem for every id a certification or rule shares with another kind
    (or another kind shares with a certification or rule)."""
    items = _bundle_ids(bundle)
    if not items:
        return
    labels = _kind_labels()

    def clash(kind: str, other: str) -> bool:
        return kind != other and (kind in _CREDENTIAL_KINDS or other in _CREDENTIAL_KINDS)

    in_bundle: dict[str, list[tuple[str, object]]] = {}
    for kind, ident, source in items:
        in_bundle.setdefault(ident, []).append((kind, source))
    in_files = _ids_in_yaml_files(bundle)
    published = _published_ids({ident for _k, ident, _s in items}) if db_lookup else {}
    for kind, ident, source in items:
        reported = set()
        for other, place in in_bundle.get(ident, []) + in_files.get(ident, []):
            if clash(kind, other) and other not in reported:
                reported.add(other)
                problems.append(Problem(source, _("id %(id)s is already used by the %(kind)s at %(place)s",
                                                  id=ident, kind=labels[other], place=place)))
        for other, retired in published.get(ident, []):
            if clash(kind, other) and other not in reported:
                reported.add(other)
                problems.append(Problem(source, (
                    _("id %(id)s is already used by a published %(kind)s (retired)", id=ident, kind=labels[other])
                    if retired else
                    _("id %(id)s is already used by a published %(kind)s", id=ident, kind=labels[other]))))
