"""Between the scheduling forms and the files: the choices the forms offer
(from the real lists: branches, published lessons, exams, courses), a form
filled from a file, the values a posted form gives the writer, and which form
field a problem's line names."""
from __future__ import annotations

import re
from datetime import timedelta
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from lms.content.models import Course, Exam, Lesson, Programme, ProgrammeItem
from lms.content.source.parser import POSITIONS, item_label
from lms.content.source.yaml_lines import load_yaml
from lms.extensions import db
from lms.org.models import Branch
from lms.schedule import writer
from lms.schedule.forms import ExamForm, ProgrammeForm

SPLIT = re.compile(r"[,，、;；\s]+")


def _split(text: str | None) -> list[str]:
    return [part for part in SPLIT.split(text or "") if part]


def _with_current(choices: list[tuple[str, str]], values, blank: bool = False) -> list[SelectChoice]:
    """The choices as a select shows them (``blank``: with "—" first), keeping
    a value the file names even when it is not (or no longer) published."""
    known = {code for code, _label in choices}
    pairs = ([("", "—")] if blank else []) + choices + [(v, v) for v in values if v and v not in known]
    return [SelectChoice(value, label) for value, label in pairs]


def lesson_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Course.slug, Course.title, Lesson.slug, Lesson.title).join(Lesson, Lesson.course_id == Course.id)
        .where(Lesson.retired.is_(False), Course.retired.is_(False)).order_by(Course.slug, Lesson.position))
    return [(f"{cs}/{ls}", f"{ct} · {lt}") for cs, ct, ls, lt in rows]


def exam_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(Exam.slug, Exam.title).where(Exam.retired.is_(False)).order_by(Exam.slug))
    return [(slug, title) for slug, title in rows]


def course_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(Course.slug, Course.title).where(Course.retired.is_(False))
                              .order_by(Course.slug))
    return [(slug, title) for slug, title in rows]


def branch_choices() -> list[tuple[str, str]]:
    return [(b.code, b.path()) for b in db.session.scalars(select(Branch).order_by(Branch.code))]


# --- programmes -----------------------------------------------------------------

def _rows(doc, key: str) -> list:
    value = doc.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value) -> str:
    return "" if value is None or isinstance(value, (dict, list)) else str(value)


def _list(value) -> list[str]:
    if isinstance(value, str):
        return _split(value)
    return [str(v) for v in value] if isinstance(value, list) else []


def _expanded(positions: list[str]) -> list[str]:
    """Positions as the form's boxes show them: ``rm_*`` ticks every RM level."""
    out: list[str] = []
    for position in positions:
        out += [p for p in POSITIONS if p.startswith(position[:-1])] if position.endswith("*") else [position]
    return list(dict.fromkeys(out))


def shown_audience(doc) -> dict[str, list[str]]:
    """The audience as the form shows it: a file's ``positions: [rm_*]`` ticks
    the RM levels; an audience written as a list of mappings (every RM and
    every mentor) has no boxes of its own and shows none."""
    audience = doc.get("audience") if isinstance(doc.get("audience"), dict) else {}
    return {"branches": _list(audience.get("branches")), "positions": _expanded(_list(audience.get("positions"))),
            "roles": _list(audience.get("roles"))}


def programme_form_data(doc) -> dict:
    """The form's data for a programme file (``doc``: the round-trip mapping)."""
    weeks = [{"origin": str(i), "order": i + 1, "title": _text(w.get("title")), "lessons": _list(w.get("lessons")),
              "exam": _text(w.get("exam")), "opens": writer.as_date(w.get("opens")),
              "due": writer.as_date(w.get("due"))} for i, w in enumerate(_rows(doc, "weeks"))]
    bulletins = [{"origin": str(i), "order": i + 1, "title": _text(b.get("title")), "lesson": _text(b.get("lesson")),
                  "exam": _text(b.get("exam")), "opens": writer.as_date(b.get("opens")),
                  "due": writer.as_date(b.get("due"))} for i, b in enumerate(_rows(doc, "bulletins"))]
    return {"id": _text(doc.get("id")), "title": _text(doc.get("title")), "summary": _text(doc.get("summary")),
            **shown_audience(doc), "start": writer.as_date(doc.get("start")),
            "weeks": weeks, "bulletins": bulletins}


def shift_dates(data: dict, days: int) -> dict:
    """The form's data with the start and every date written in the file moved by ``days``."""
    move = timedelta(days=days)
    data = dict(data, start=data["start"] + move if data.get("start") else None)
    for plural in ("weeks", "bulletins"):
        data[plural] = [dict(row, opens=row["opens"] + move if row.get("opens") else None,
                             due=row["due"] + move if row.get("due") else None) for row in data[plural]]
    return data


def programme_form(formdata=None, data: dict | None = None) -> ProgrammeForm:
    form = ProgrammeForm(formdata=formdata, data=data) if formdata is None else ProgrammeForm()
    set_programme_choices(form)
    return form


def set_programme_choices(form: ProgrammeForm) -> None:
    lessons, exams = lesson_choices(), exam_choices()
    form.branches.choices = _with_current(branch_choices(), form.branches.data or [])
    for entry in form.weeks:
        entry.form.lessons.choices = _with_current(lessons, entry.form.lessons.data or [])
        entry.form.exam.choices = _with_current(exams, [entry.form.exam.data], blank=True)
    for entry in form.bulletins:
        entry.form.lesson.choices = _with_current(lessons, [entry.form.lesson.data], blank=True)
        entry.form.exam.choices = _with_current(exams, [entry.form.exam.data], blank=True)


def add_row(form, list_name: str) -> None:
    """One more (empty) week, bulletin or draw rule, at the end."""
    rows = getattr(form, list_name)
    rows.append_entry({"order": len(rows.entries) + 1})
    if list_name == "draw":
        set_exam_choices(form)
    else:
        set_programme_choices(form)


@dataclass
class Values:
    """What the writer gets, and which form row became which item of the file."""

    values: dict
    rows: dict[str, list] = field(default_factory=dict)  # "weeks" → [the form row of item 0, of item 1...]


def _kept(entries) -> list:
    """The rows kept (not removed), in their order (the order field, then as shown)."""
    kept = [(i, e) for i, e in enumerate(entries) if not e.form.remove.data]
    kept.sort(key=lambda pair: (pair[1].form.order.data if pair[1].form.order.data is not None else pair[0] + 1,
                                pair[0]))
    return [e for _i, e in kept]


def programme_values(form: ProgrammeForm, text: str = "") -> Values:
    """The form's values for ``writer.write_programme``; ``audience`` is None
    (the file's stays as written: ``rm_*``, a list of mappings) when the boxes
    are as the file showed them."""
    weeks, bulletins = _kept(form.weeks), _kept(form.bulletins)
    values = {
        "id": (form.id.data or "").strip(), "title": form.title.data.strip(),
        "summary": (form.summary.data or "").strip().replace("\r\n", "\n"),
        "audience": {"branches": form.branches.data or [], "positions": form.positions.data or [],
                     "roles": form.roles.data or []},
        "start": form.start.data,
        "weeks": [{"origin": e.form.origin_index(), "title": (e.form.title.data or "").strip(),
                   "lessons": e.form.lessons.data or [], "exam": e.form.exam.data or "",
                   "opens": e.form.opens.data, "due": e.form.due.data} for e in weeks],
        "bulletins": [{"origin": e.form.origin_index(), "title": (e.form.title.data or "").strip(),
                       "lesson": e.form.lesson.data or "", "exam": e.form.exam.data or "",
                       "opens": e.form.opens.data, "due": e.form.due.data} for e in bulletins],
    }
    shown = shown_audience(writer.load(text)) if text else {}
    if all(set(values["audience"][key]) == set(shown.get(key, [])) for key in values["audience"]):
        values["audience"] = None
    return Values(values, {"weeks": weeks, "bulletins": bulletins})


def programme_slug(text: str, path: str, fallback: str) -> str:
    """The programme's id as its file says (the form does not post it for an existing file)."""
    data, _lines, _problems = load_yaml(text, path) if text else (None, None, None)
    value = data.get("id") if isinstance(data, dict) else None
    return str(value) if value else fallback


def removed_items(programme_slug: str) -> dict[str, str | None]:
    """The keys of the programme's removed (retired) weeks and bulletins with
    their exams: a new row whose place is one of them gets an id of its own
    (writer._keep_identity), so that it does not bring the removed row back."""
    if not programme_slug:
        return {}
    return dict(db.session.execute(
        select(ProgrammeItem.key, Exam.slug).join(Programme, Programme.id == ProgrammeItem.programme_id)
        .outerjoin(Exam, Exam.id == ProgrammeItem.exam_id)
        .where(Programme.slug == programme_slug, ProgrammeItem.retired.is_(True))).all())


# --- exams -----------------------------------------------------------------------

def exam_form_data(doc) -> dict:
    attempts = doc.get("attempts")
    rules = []
    for i, rule in enumerate(_rows(doc, "draw")):
        rules.append({"origin": str(i), "order": i + 1, "fixed": ", ".join(_list(rule.get("questions"))),
                      "count": rule.get("count") if isinstance(rule.get("count"), int) else None,
                      "type": _text(rule.get("type")), "difficulty": _text(rule.get("difficulty")),
                      "tags": "、".join(_list(rule.get("tags"))), "course": _text(rule.get("course"))})
    get = doc.get
    defaults = writer.EXAM_DEFAULTS
    return {"id": _text(get("id")), "title": _text(get("title")), "course": _text(get("course")),
            "time_limit": get("time_limit", defaults["time_limit"]), "pass_mark": get("pass_mark", 60),
            "attempts": attempts if isinstance(attempts, int) and not isinstance(attempts, bool) else None,
            "cooldown": get("cooldown", 0), "review": _text(get("review", defaults["review"])),
            "scoring": _text(get("scoring", defaults["scoring"])), "layout": _text(get("layout", defaults["layout"])),
            "shuffle_options": get("shuffle_options", True) is True, "partial_credit": get("partial_credit") is True,
            "open_to_all": get("open_to_all") is True, "focus_loss_limit": get("focus_loss_limit"),
            "closes_at": _text(get("closes_at")), "draw": rules}


def exam_form(formdata=None, data: dict | None = None) -> ExamForm:
    form = ExamForm(formdata=formdata, data=data) if formdata is None else ExamForm()
    set_exam_choices(form)
    return form


def set_exam_choices(form: ExamForm) -> None:
    courses = course_choices()
    form.course.choices = _with_current(courses, [form.course.data], blank=True)
    for entry in form.draw:
        entry.form.course.choices = _with_current(courses, [entry.form.course.data], blank=True)


def exam_values(form: ExamForm) -> Values:
    rules = _kept(form.draw)
    values = {
        "id": (form.id.data or "").strip(), "title": form.title.data.strip(), "course": form.course.data or "",
        "time_limit": form.time_limit.data, "pass_mark": float(form.pass_mark.data),
        "attempts": form.attempts.data, "cooldown": form.cooldown.data or 0,
        "shuffle_options": bool(form.shuffle_options.data), "layout": form.layout.data, "review": form.review.data,
        "scoring": form.scoring.data, "partial_credit": bool(form.partial_credit.data),
        "open_to_all": bool(form.open_to_all.data), "focus_loss_limit": form.focus_loss_limit.data,
        "closes_at": (form.closes_at.data or "").strip().replace("T", " ") or None,
        "draw": [{"origin": e.form.origin_index(), "questions": _split(e.form.fixed.data),
                  "count": e.form.count.data, "type": e.form.type.data, "difficulty": e.form.difficulty.data,
                  "tags": _split(e.form.tags.data), "course": e.form.course.data} for e in rules],
    }
    return Values(values, {"draw": rules})


# --- problems → form fields ----------------------------------------------------------

def field_for_line(text: str, path: str, line: int | None, form, rows: dict[str, list]):
    """(the form field a problem at ``line`` of the written YAML is about, the
    row it is in: ("weeks", 3) for week 4) — or (None, None)."""
    if not line:
        return None, None
    _data, lines, _problems = load_yaml(text, path)
    candidates = [keys for keys, at in lines.items() if at == line and keys]
    if not candidates:
        return None, None
    keys = max(candidates, key=len)
    if len(keys) > 2 and keys[:2] in candidates:
        keys = keys[:2]  # a problem of the whole week (or rule), at its first line
    head = keys[0]
    if head in rows and len(keys) >= 2 and isinstance(keys[1], int) and keys[1] < len(rows[head]):
        row = rows[head][keys[1]].form
        sub = keys[2] if len(keys) > 2 and isinstance(keys[2], str) else None
        found = getattr(row, {"questions": "fixed"}.get(sub, sub), None) if sub else None
        return found, (head, keys[1])
    if head == "audience" and len(keys) > 1 and isinstance(keys[1], str):
        return getattr(form, keys[1], None), None
    return (getattr(form, head, None) if isinstance(head, str) else None), None



_QUOTED_KEY = re.compile(r"(?P<before> ?)'(?P<key>[a-z_]+)'(?P<after> ?)")
_FIELD_OF_KEY = {"questions": "fixed"}  # the file's key → the form's field, where they differ
_NOT_FIELDS = {"action", "base_hash", "reviewed_hash", "reviewed_plan", "origin", "order", "remove"}


def in_form_words(message: str, *forms) -> str:
    """A check's message with each key of the file it names ('exam', 'opens', 'pass_mark') as the
    label of the form's field the trainer filled in (“考试”, “开始”, “及格线 (%)”), looked up in
    ``forms`` in order (a week's row, then the programme). ``flask content check`` keeps the keys:
    there the trainer reads the file."""
    def label(match: re.Match) -> str:
        name = _FIELD_OF_KEY.get(match["key"], match["key"])
        for form in forms:
            field = getattr(form, name, None) if name not in _NOT_FIELDS else None
            if field is not None and getattr(field, "label", None) is not None:
                # Chinese puts no space around “…”: "需要 'exam'（" → "需要“考试”（".
                before = match["before"] if message[:match.start()][-1:].isascii() else ""
                after = match["after"] if message[match.end():][:1].isascii() else ""
                return f"{before}“{field.label.text}”{after}"
        return match[0]

    return _QUOTED_KEY.sub(label, message)


def row_label(head: str, index: int) -> str:
    """"week 4", "bulletin 1", "draw rule 2"."""
    if head == "draw":
        return _("draw rule %(n)s", n=index + 1)
    return item_label("week" if head == "weeks" else "bulletin", index + 1)


def refused_fields(form) -> list[tuple[str, str]]:
    """(where, the field's id) of every field the form refused: ("week 4 · Due",
    "weeks-3-due"). The refusal links to them; each message is said at its field."""
    found = []
    for field in form:
        if field.type == "FieldList":
            for index, entry in enumerate(field.entries):
                found += [(f"{row_label(field.name, index)} · {sub.label.text}", sub.id) for sub in entry.form
                          if sub.errors]
        elif field.errors:
            found.append((str(field.label.text), field.id))
    return found
