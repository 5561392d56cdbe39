"""Importing a GIFT or XLSX file into a course, and exporting banks to XLSX.

An import is two steps, like a course upload: ``prepare`` reads the file,
writes nothing and shows what would happen (the questions with their keys,
or every problem with its line / row and column, and the publish plan);
``confirm`` writes the bank file ``courses/<course>/questions/<bank>.md``
into the content folder and publishes it through the editor's pipeline
(parse → check → publish) only if it still publishes what the preview
showed: the confirmation carries the fingerprint of the plan shown
(``Plan.fingerprint``), and a bank file, course or staged file changed in
between (or no fingerprint at all) publishes nothing and shows the preview of
now instead (``ImportChanged``, ``preview_again``). Nothing changes on any
problem.
"""
from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select

from lms.audit.services import record
from lms.content.console import editor
from lms.content.source import encoding
from lms.content.source.files import read_bytes
from lms.content.importers import bank_names, gift, messages_locale, serialize, xlsx, xlsx_export
from lms.content.importers.gift import Note
from lms.content.models import Course, Question
from lms.content.publishing.publish import PlanChanged, plan as plan_of
from lms.content.publishing.wording import not_reviewed_message
from lms.content.schema import ParsedQuestion, Problem, Source
from lms.content.source.parser import parse_course, parse_folder
from lms.database import transaction
from lms.extensions import db
from lms.staging import StagingArea

FINGERPRINT = re.compile(r"^[0-9a-f]{64}\Z")  # Plan.fingerprint
STAGING_HOURS = 24
KINDS = {"gift": "GIFT", "xlsx": "Excel"}


@dataclass
class Imported:
    """A published import: the engine's Plan, ``summarise()`` of it, where it went."""

    plan: object
    counts: dict[str, int]
    course_id: str
    path: str


def expired_message() -> str:
    return _("This import has expired or was already published. Upload the file again.")


class ImportRefused(Exception):
    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class ImportChanged(Exception):
    """Confirming would not publish what the preview showed: nothing was
    published. ``reason``: ``unreviewed`` (the confirmation carried no plan),
    ``bank`` (the bank file changed on disk) or ``plan`` (the course, the
    published content or the staged file changed). ``preview_again`` shows
    what confirming does now."""

    def __init__(self, reason: str, path: str):
        super().__init__(f"the import changed since its preview ({reason})")
        self.reason = reason
        self.path = path

    @property
    def message(self) -> str:
        if self.reason == "unreviewed":
            return not_reviewed_message()
        if self.reason == "bank":
            return _("%(path)s was changed by someone else since the preview. Nothing was published. Check below what "
                     "importing the file does now (it replaces the bank as it is now), then confirm again.",
                     path=self.path)
        return _("What importing publishes is no longer what the preview showed: the course, its published content or "
                 "the staged file changed since. Nothing was published. Check the preview below, then confirm again.")


@dataclass
class ImportPreview:
    filename: str
    kind: str  # gift | xlsx
    course_id: str
    bank: str
    bank_note: str = ""  # why the bank is not named as the file is
    path: str = ""  # courses/<folder>/questions/<bank>.md
    questions: list[ParsedQuestion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    replaces: bool = False  # the bank file exists and will be replaced
    base_hash: str = ""  # the bank file as the preview read it ("" if there is none)
    plan: object | None = None
    shown: list = field(default_factory=list)  # (question, console.Shown)
    token: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


# --- reading a file ------------------------------------------------------------------

def kind_of(filename: str) -> str | None:
    name = filename.lower()
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith((".gift", ".txt")):
        return "gift"
    return None


def default_bank(filename: str, course_id: str | None = None) -> bank_names.BankName:
    """The bank an import makes or replaces when the trainer names none: the
    file's name kept readable (住房贷款题库.xlsx → 住房贷款题库), made distinct
    from a bank of another course (see ``bank_names``)."""
    root = editor.content_root()
    return bank_names.for_course(filename, course_id or "", root, editor.course_folders(root))


def _decode(data: bytes, filename: str) -> tuple[str | None, list[Problem]]:
    """A GIFT file's text, read as every content file is (UTF-8, GBK saved as
    "ANSI" by Notepad on a Chinese PC, UTF-16 saved as "Unicode")."""
    try:
        return encoding.decode(data), []
    except encoding.NotText as exc:
        return None, [Problem(Source(filename, exc.line), _("Line %(line)s: %(message)s", line=exc.line,
                                                            message=encoding.not_text_message()))]


def read_upload(data: bytes, filename: str, bank: str) -> tuple[list[ParsedQuestion], list[Problem], list[Note]]:
    """The questions of an uploaded file, its problems and the notes on what
    the import changed; ids of unnamed questions start with ``bank``."""
    kind = kind_of(filename)
    if kind == "xlsx":
        result = xlsx.read_xlsx(data, filename, id_prefix=bank)
        return result.questions, result.problems, result.notes
    if kind == "gift":
        text, problems = _decode(data, filename)
        if text is None:
            return [], problems, []
        result = gift.read_gift(text, filename, id_prefix=bank)
        notes = list(result.notes)
        if not result.questions and not result.problems:
            result.problems.append(Problem(Source(filename), _("The file holds no questions.")))
        return result.questions, result.problems, notes
    return [], [Problem(Source(filename), _("Upload a Moodle GIFT file (.txt, .gift) or an Excel workbook (.xlsx)."))], []


def bank_text(questions: list[ParsedQuestion], filename: str) -> str:
    """The bank file an import writes, headed by a note (hidden from learners) in the importer's language."""
    return serialize.bank_markdown(questions, header=_("Imported from %(file)s. Edit this file, or import a new "
                                                       "version of the file to replace it.", file=Path(filename).name))


# --- the content folder --------------------------------------------------------------

def courses() -> list[tuple[str, str]]:
    """(course id, title) of every course folder, for choosing where to import."""

    root = editor.content_root()
    out = []
    for course_id, folder in sorted(editor.course_folders(root).items()):
        title = course_id
        with contextlib.suppress(OSError, encoding.NotText):
            parsed, _problems = parse_course(encoding.decode(read_bytes(root / folder / "course.md")),
                                             f"{folder}/course.md")
            if parsed is not None:
                title = parsed.title
        out.append((course_id, title))
    return out


def bank_path(course_id: str, bank: str) -> str | None:
    folder = editor.course_folders().get(course_id)
    if folder is None or bank_names.problem(bank or "") is not None:
        return None
    return f"{folder}/questions/{bank}.md"


def _map_to_import(problems: list[Problem], path: str, text: str, questions: list[ParsedQuestion]) -> list[Problem]:
    """Problems the content checks found in the generated bank file, told in
    terms of the uploaded file (the question's line, or row)."""
    headings = sorted(serialize.question_lines(text).items())
    by_id = {q.id: q for q in questions}
    out = []
    for p in problems:
        qid = next((ident for line, ident in reversed(headings) if line <= (p.source.line or 0)), None)
        q = by_id.get(qid or "") if p.source.path == path else None
        if q is None:
            # Another file of the course (or the bank as a whole): name it.
            out.append(Problem(p.source, f"{p.source}: {p.message}"))
            continue
        out.append(Problem(q.source, _("Question %(id)s (line or row %(line)s): %(message)s",
                                       id=q.id, line=q.source.line, message=p.message)))
    return out


# --- staging between preview and confirm ------------------------------------------------

STAGINGS = StagingArea("content-imports", STAGING_HOURS)


def _load(token: str, actor) -> tuple[bytes, dict] | None:
    staged = STAGINGS.open(token)
    if staged is None or staged.data is None or staged.meta.get("actor_id") != actor.id:
        return None
    return staged.data, staged.meta


def discard(token: str) -> None:
    STAGINGS.discard(token)


# --- the use cases ---------------------------------------------------------------------

def summarise(plan, questions: list[ParsedQuestion]) -> dict[str, int]:
    """What publishing did to the imported questions (the plan covers the
    whole course): added, changed, unchanged, and retired (questions that
    were in the replaced bank and are not in the file)."""
    changes = plan.kinds["question"]
    ids = {q.id for q in questions}
    return {"added": len([i for i in changes.added if i in ids]),
            "changed": len([i for i in changes.changed if i in ids]),
            "unchanged": len([i for i in changes.unchanged if i in ids]),
            "retired": len(changes.retired)}


def prepare(data: bytes, filename: str, course_id: str, bank: str, actor, bank_note: str = "") -> ImportPreview:
    """Read the file and show what importing it would do; nothing changes
    (the file is staged under the preview's token). ``bank_note``: why the
    bank is not named as the file is, shown with the preview."""

    preview = _checked(data, filename, course_id, bank)
    preview.bank_note = bank_note
    if preview.ok:
        preview.token, _folder = STAGINGS.stage({"actor_id": actor.id, "filename": filename, "course_id": course_id,
                                                 "bank": bank, "bank_note": bank_note, "path": preview.path,
                                                 "base_hash": preview.base_hash}, data)
    return preview


def preview_again(token: str, actor) -> ImportPreview | None:
    """The preview of a staged import as confirming it would publish now
    (after ``ImportChanged``), under the same token: confirming it with this
    preview's plan publishes what it shows. None if the staging is gone."""
    staged = _load(token, actor)
    if staged is None:
        return None
    data, meta = staged
    preview = _checked(data, meta["filename"], meta["course_id"], meta["bank"])
    preview.bank_note = meta.get("bank_note", "")
    if not preview.ok:
        discard(token)  # nothing to confirm: the file is uploaded again once fixed
        return preview
    STAGINGS.rewrite_meta(token, {**meta, "path": preview.path, "base_hash": preview.base_hash})
    preview.token = token
    return preview


def _checked(data: bytes, filename: str, course_id: str, bank: str) -> ImportPreview:
    """The file read, checked with its course and planned; nothing changes."""
    kind = kind_of(filename) or ""
    preview = ImportPreview(filename=filename, kind=kind, course_id=course_id, bank=bank)
    path = bank_path(course_id, bank)
    if path is None:
        preview.problems = [Problem(Source(filename), _("Choose a course of the content folder and a bank name of "
                                                        "lower-case letters (Chinese too), digits, - and _."))]
        return preview
    preview.path = path
    preview.questions, preview.problems, preview.notes = read_upload(data, filename, bank)
    if preview.problems:
        return preview
    text = bank_text(preview.questions, filename)
    root = editor.content_root()
    # Read before the plan: a bank file changed after this is noticed on confirming.
    preview.base_hash = editor.file_hash(root / path)
    preview.replaces = (root / path).is_file()
    with editor.staged(path, text) as stage:

        bundle = parse_folder(stage, Path(path).parent.parent)
        problems = editor.check_bundle(bundle)
        if not problems:
            preview.plan = plan_of(bundle)
    if problems:
        preview.problems = _map_to_import(problems, path, text, preview.questions)
        return preview
    preview.shown, _problems, _warnings = editor.preview(path, text)
    return preview


@transaction(immediate=True)
def confirm(token: str, actor, decision=None, reviewed: str | None = None) -> Imported:
    """Write the staged import as its bank file and publish it, if that
    publishes what the preview showed (``reviewed``: the fingerprint of its
    plan). Raises ``ImportRefused`` (nothing changed) when the staging expired
    or the file has problems now, and ``ImportChanged`` (nothing changed) when
    the confirmation carries no plan, or the bank file, the course, the
    published content or the staged file changed since the preview."""

    staged = _load(token, actor)
    if staged is None:
        raise ImportRefused(expired_message())
    data, meta = staged
    if bank_path(meta["course_id"], meta["bank"]) != meta["path"]:
        raise ImportRefused(_("The course has moved in the content folder since the preview. Upload the file again."))
    questions, problems, _notes = read_upload(data, meta["filename"], meta["bank"])
    if problems:
        raise ImportRefused(_("Nothing was published: fix the problems first."), problems)
    if not FINGERPRINT.match(reviewed or ""):
        raise ImportChanged("unreviewed", meta["path"])
    if editor.file_hash(editor.content_root() / meta["path"]) != meta["base_hash"]:
        raise ImportChanged("bank", meta["path"])
    text = bank_text(questions, meta["filename"])
    try:
        result = editor.publish_edit(meta["path"], text, meta["base_hash"], actor, decision, reviewed=reviewed)
    except PlanChanged:
        raise ImportChanged("plan", meta["path"]) from None
    except editor.EditRefused as exc:
        raise ImportRefused(exc.message, _map_to_import(exc.problems, meta["path"], text, questions)) from exc
    record("content.imported", actor=actor, object_type="bank", object_id=meta["path"],
           file=meta["filename"], course=meta["course_id"], questions=len(questions),
           release=getattr(result, "release_id", None))
    db.session.commit()
    discard(token)
    return Imported(result, summarise(result, questions), meta["course_id"], meta["path"])


@transaction(immediate=True)
def import_file(data: bytes, filename: str, course_id: str, bank: str, actor, decision=None):
    """Both steps at once (the command line): returns (Imported, notes); raises
    ``ImportRefused`` with every problem."""
    with messages_locale():
        path = bank_path(course_id, bank)
        if path is None:
            raise ImportRefused(_("No course %(course)s in the content folder, or the bank name is not lower-case "
                                  "letters (Chinese too), digits, - and _.", course=course_id))
        questions, problems, notes = read_upload(data, filename, bank)
        if problems:
            raise ImportRefused(_("Nothing was imported."), problems)
        text = bank_text(questions, filename)
        real = editor.content_root() / path
        try:
            result = editor.publish_edit(path, text, editor.file_hash(real), actor, decision)
        except editor.EditRefused as exc:
            raise ImportRefused(exc.message, _map_to_import(exc.problems, path, text, questions)) from exc

    record("content.imported", actor=actor, object_type="bank", object_id=path, file=filename, course=course_id,
           questions=len(questions), release=getattr(result, "release_id", None))
    db.session.commit()
    return Imported(result, summarise(result, questions), course_id, path), notes


# --- export ---------------------------------------------------------------------------

def published_questions(course_id: str, bank: str | None = None) -> list[ParsedQuestion] | None:
    """The current versions of a course's live questions (or of one of its
    banks), in bank and id order; None if there is no such course."""

    course = db.session.scalar(select(Course).where(Course.slug == course_id))
    if course is None:
        return None
    stmt = select(Question).where(Question.course_id == course.id, Question.retired.is_(False))
    if bank:
        stmt = stmt.where((Question.bank == bank) | Question.bank.endswith(f"/questions/{bank}.md"))
    out = []
    for q in db.session.scalars(stmt.order_by(Question.bank, Question.slug)):
        v = q.current_version
        if v is None:
            continue
        out.append(ParsedQuestion(id=q.slug, type=v.type, stem_md=v.stem_md, points=v.points,
                                  difficulty=v.difficulty, tags=v.tags, explanation_md=v.explanation_md,
                                  data=v.data, source=Source(q.bank), course_id=course_id, bank=q.bank))
    return out


def export_course(course_id: str, bank: str | None = None) -> bytes | None:
    questions = published_questions(course_id, bank)
    return None if questions is None else xlsx_export.export_xlsx(questions)
