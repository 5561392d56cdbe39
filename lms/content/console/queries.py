"""Reading the published curriculum for the trainer console: questions with
their versions, exams, programmes, releases (what learners read is in
lms/content/lessons/queries.py).

Writing content goes through files: see ``lms.content.editing`` (edit a file
in the browser) and ``lms.content.console.upload`` (a zipped course folder). Both end
in the same check → plan → publish pipeline as ``flask content publish``.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, select

from lms import clock, punctuation, questions
from lms.content.console.editor import course_folders
from lms.content.draws import draw_pool
from lms.content.models import (
    ContentRelease, Course, Exam, Lesson, Programme, Question, QuestionVersion,
)
from lms.content.publishing.wording import moved_note
from lms.content.rendering import inline_html, render_inline
from lms.content.rendering_fast import is_plain, render
from lms.content.source.links import course_link_resolver
from lms.content.source.words import DIFFICULTY_LABELS, TYPE_LABELS  # noqa: F401 (the catalogue's labels)
from lms.extensions import db
from lms.numbers import reading_number
from lms.org.models import User
from lms.programmes.audience import members
from lms.sorting import exam_order

TRACK_LABELS = {
    "products": _l("Products"),
    "credit": _l("Credit"),
    "risk-cases": _l("Risk cases"),
    "warning-education": _l("Warning education"),
    "other": _l("Other"),
}
KIND_LABELS = {
    "course": _l("Course"),
    "lesson": _l("Lesson"),
    "asset": _l("File"),
    "question": _l("Question"),
    "exam": _l("Exam"),
    "programme": _l("Programme"),
    "programme_item": _l("Programme week"),
    "certification": _l("Certification"),
    "eligibility_rule": _l("Eligibility rule"),
}
CHANGE_LABELS = {"added": _l("added"), "changed": _l("changed"), "retired": _l("retired")}


# --- the trainer's overview -------------------------------------------------

def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def overview() -> dict:
    """What the trainer panel shows: how much is live, and the last release."""
    return {
        "courses": _count(Course, Course.retired.is_(False)),
        "lessons": _count(Lesson, Lesson.retired.is_(False)),
        "questions": _count(Question, Question.retired.is_(False)),
        "exams": _count(Exam, Exam.retired.is_(False)),
        "programmes": _count(Programme, Programme.retired.is_(False)),
        "last_release": last_release(),
    }


def last_release() -> ContentRelease | None:
    return db.session.scalar(select(ContentRelease).order_by(ContentRelease.id.desc()).limit(1))


def releases(limit: int = 200) -> list[ContentRelease]:
    return list(db.session.scalars(select(ContentRelease).order_by(ContentRelease.id.desc()).limit(limit)))


def release_actors(rows: list[ContentRelease]) -> dict[int, object]:
    ids = {r.actor_id for r in rows if r.actor_id}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def summary_line(summary: dict) -> str:
    """A release summary (``{"counts": {"lesson": {"added": 1, ...}}}``) as
    one short line: ``lesson +1 ~2 −0``."""
    counts = summary.get("counts", summary)
    parts = []
    for kind, value in counts.items():
        if not isinstance(value, dict):
            continue
        signs = " ".join(f"{sign}{reading_number(value[key])}" for key, sign in
                         (("added", "+"), ("changed", "~"), ("retired", "−")) if value.get(key))
        if signs:
            parts.append(f"{KIND_LABELS.get(kind, kind)} {signs}")
    return " · ".join(parts)


# --- the console's catalogue ------------------------------------------------

@dataclass
class CourseRow:
    course: Course
    lessons: int
    questions: int


def console_courses() -> list[CourseRow]:
    courses = db.session.scalars(select(Course).order_by(Course.retired, Course.track, Course.title, Course.slug)).all()
    lessons = dict(db.session.execute(select(Lesson.course_id, func.count()).where(
        Lesson.retired.is_(False)).group_by(Lesson.course_id)).all())
    questions = dict(db.session.execute(select(Question.course_id, func.count()).where(
        Question.retired.is_(False)).group_by(Question.course_id)).all())
    return [CourseRow(c, lessons.get(c.id, 0), questions.get(c.id, 0)) for c in courses]


def course_by_slug(slug: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.slug == slug))


def course_titles(slugs) -> dict[str, str]:
    """The titles of the courses named by id (an exam's draw rules), by id."""
    slugs = sorted({str(s) for s in slugs if s})
    if not slugs:
        return {}
    return dict(db.session.execute(select(Course.slug, Course.title).where(Course.slug.in_(slugs))).tuples().all())


def course_questions(course: Course) -> list[Question]:
    return list(db.session.scalars(
        select(Question).where(Question.course_id == course.id).order_by(Question.retired, Question.bank, Question.slug)))


def banks_of(questions: list[Question]) -> list[tuple[str, list[Question]]]:
    banks: dict[str, list[Question]] = {}
    for q in questions:
        banks.setdefault(q.bank, []).append(q)
    return sorted(banks.items())


def question_by_slug(slug: str) -> Question | None:
    return db.session.scalar(select(Question).where(Question.slug == slug))


def exams() -> list[Exam]:
    return sorted(db.session.scalars(select(Exam)), key=exam_order)


def exam_by_slug(slug: str) -> Exam | None:
    return db.session.scalar(select(Exam).where(Exam.slug == slug))


def programmes() -> list[Programme]:
    return list(db.session.scalars(select(Programme).order_by(Programme.retired, Programme.slug)))


def programme_by_slug(slug: str) -> Programme | None:
    return db.session.scalar(select(Programme).where(Programme.slug == slug))


def audience_size(programme: Programme) -> int:
    """How many people the programme trains today (its rule, HR's additions and removals)."""
    return len(members(programme))


def draw_pool_size(rule: dict, default_course: Course | None) -> int | None:
    """How many live questions a draw rule can pick from (None for a fixed list)."""
    if "questions" in rule:
        return None
    pool = draw_pool(rule, default_course.id if default_course else None).subquery()
    return db.session.scalar(select(func.count()).select_from(pool)) or 0


# --- showing a question with its key -----------------------------------------

@dataclass
class Shown:
    """A question (or a case part) ready to show a trainer: sanitised HTML
    pieces and the key in words."""

    type: str
    stem: Markup
    points: float
    options: list[tuple[str, Markup, bool]] = field(default_factory=list)  # (letter, text, is correct)
    key: list[str] = field(default_factory=list)
    explanation: Markup = Markup("")
    rubric: Markup = Markup("")
    parts: list[tuple[str, Shown]] = field(default_factory=list)
    difficulty: str = ""
    tags: list[str] = field(default_factory=list)


def _html(text: str, resolve_link=None) -> Markup:
    # Plain sentences skip the markdown engine (same HTML, see rendering_fast).
    return Markup(render(text or "", resolve_link))


def _inline(text: str, resolve_link=None) -> Markup:
    if is_plain(text):
        return Markup(text)
    return inline_html(text, resolve_link) if resolve_link else render_inline(text)


def _num(value) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def _option_feedback(option: dict, resolve_link=None) -> Markup:
    """An option's own feedback (shown in a review to whoever chose it)."""
    if not option.get("feedback"):
        return Markup("")
    return (Markup(' <span class="opt-feedback">') + punctuation.label(_l("Feedback"))
            + _inline(option["feedback"], resolve_link)
            + Markup("</span>"))


_TRUE_FALSE = {"true": _l("True"), "false": _l("False")}


def show_question(qtype: str, stem_md: str, data: dict, *, points: float = 1.0, explanation_md: str = "",
                  difficulty: str = "", tags: list[str] | None = None, stem_html: str | None = None,
                  explanation_html: str | None = None, resolve_link=None) -> Shown:
    """Render a question and its key. Stored versions pass their published
    (already sanitised) HTML; a preview renders from the markdown."""
    stem = Markup(stem_html) if stem_html is not None else _html(stem_md, resolve_link)
    explanation = Markup(explanation_html) if explanation_html is not None else _html(explanation_md, resolve_link)
    shown = Shown(type=qtype, stem=stem, points=points, explanation=explanation,
                  difficulty=difficulty, tags=list(tags or []))
    found = questions.find(qtype)
    if found is None:
        return shown
    if found.has_options:
        correct = set(data.get("correct", []))
        shown.options = [(o["key"], _inline(o.get("text", ""), resolve_link) + _option_feedback(o, resolve_link),
                          o["key"] in correct)
                         for o in data.get("options", [])]
    # A true/false key in the reader's words (对 / 错), as the exam shows it, never the code "true".
    shown.key = [str(_TRUE_FALSE.get(k, k)) for k in found.key_text(data)] if found.truth_key \
        else found.key_text(data)
    rubric = found.rubric(data)
    if rubric is not None:
        shown.rubric = _html(rubric, resolve_link)
    for part in found.parts(data):
        shown.parts.append((part.get("id", ""), show_question(
            part.get("type", ""), part.get("stem", ""), part.get("data", {}), points=part.get("points", 1),
            explanation_md=part.get("explanation", ""), resolve_link=resolve_link)))
    return shown


def show_version(version: QuestionVersion) -> Shown:
    return show_question(version.type, version.stem_md, version.data, points=version.points,
                         difficulty=version.difficulty, tags=version.tags, stem_html=version.stem_html,
                         explanation_html=version.explanation_html,
                         resolve_link=course_link_resolver(version.course_slug) if version.course_slug else None)


def version_text(version: QuestionVersion) -> str:
    """A version as plain text, one fact a line, for diffs between versions."""
    return question_text(version.type, version.stem_md, version.data, points=version.points,
                         difficulty=version.difficulty, tags=version.tags, explanation_md=version.explanation_md)


def question_text(qtype: str, stem_md: str, data: dict, *, points: float, difficulty: str, tags: list[str],
                  explanation_md: str) -> str:
    lines = [f"type: {qtype}", f"points: {_num(points)}", f"difficulty: {difficulty}",
             f"tags: {', '.join(sorted(tags))}", "", stem_md.strip(), ""]
    found = questions.find(qtype) or questions.QuestionType()
    lines += found.text_lines(data)
    for part in found.parts(data):
        lines += ["", f"### {part.get('id', '')}", question_text(
            part.get("type", ""), part.get("stem", ""), part.get("data", {}), points=part.get("points", 1),
            difficulty="", tags=[], explanation_md=part.get("explanation", ""))]
    if explanation_md.strip():
        lines += ["", "解析：" + explanation_md.strip()]
    return "\n".join(lines).strip() + "\n"


def unified_diff(before: str, after: str, before_name: str = "before", after_name: str = "after") -> list[tuple[str, str]]:
    """A unified diff as (css class, line) pairs, ready to show."""
    out = []
    for line in difflib.unified_diff((before or "").splitlines(), (after or "").splitlines(),
                                     before_name, after_name, lineterm="", n=2):
        if line.startswith(("---", "+++")):
            css = "diff-file"
        elif line.startswith("@@"):
            css = "diff-hunk"
        elif line.startswith("+"):
            css = "diff-add"
        elif line.startswith("-"):
            css = "diff-del"
        else:
            css = "diff-ctx"
        out.append((css, line))
    return out


def version_diffs(question: Question) -> dict[int, list[tuple[str, str]]]:
    """For each version after the first, its diff against the one before."""
    diffs = {}
    versions = question.versions
    for before, after in zip(versions, versions[1:], strict=False):
        diffs[after.id] = unified_diff(version_text(before), version_text(after),
                                       f"v{before.version}", f"v{after.version}")
    return diffs


# --- what a publish changes (the engine's Plan, shown) ------------------------

@dataclass
class PlanRow:
    kind: str
    key: str
    change: str  # added | changed | retired
    diff: list[tuple[str, str]]
    note: str = ""  # a question moved to another bank


def plan_rows(plan) -> list[PlanRow]:
    """Every item a publish adds, changes or retires, with a diff of the
    text of changed lessons and questions."""
    rows = []
    for kind, changes in plan.kinds.items():
        for change in ("added", "changed", "retired"):
            for key in getattr(changes, change):
                diff = []
                if (kind, key) in plan.texts:
                    before, after = plan.texts[(kind, key)]
                    diff = unified_diff(before, after, f"{key} (published)", f"{key} (new)")
                note = moved_note(plan, key) if kind == "question" else ""
                rows.append(PlanRow(str(KIND_LABELS.get(kind, kind)), key, change, diff, note))
    return rows


def plan_unchanged(plan) -> int:
    return sum(len(changes.unchanged) for changes in plan.kinds.values())


def plan_line(plan) -> str:
    return summary_line({"counts": plan.summary()})


def course_slug_of_folder(folder: str) -> str | None:
    return next((slug for slug, f in course_folders().items() if f == folder), None)
