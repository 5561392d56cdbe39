"""What a scheduling form's preview shows: a programme's calendar of weeks
(and bulletins) with their dates, marking what moves against the published
programme; an exam's settings and a sample draw from the published questions."""
from __future__ import annotations

import json
import random
from dataclasses import dataclass

from sqlalchemy import select

from lms.content.models import Course, Exam, Lesson, Programme, ProgrammeItem
from lms.content.source.parser import parse_exam, parse_programme
from lms.exams.preview import sample_paper
from lms.extensions import db


@dataclass
class CalendarRow:
    kind: str
    number: int
    title: str
    opens: object
    due: object
    lessons: list[str]  # titles (or the reference when not published)
    exam: str
    before: tuple | None  # (opens, due) as published, when they differ


def calendar(text: str, path: str) -> list[CalendarRow]:
    """The weeks and bulletins of the edited programme with their dates."""
    parsed, _problems = parse_programme(text, path)
    if parsed is None:
        return []
    published = {}
    programme = db.session.scalar(select(Programme).where(Programme.slug == parsed.id))
    if programme is not None:
        published = {item.key: (item.opens_on, item.due_on) for item in db.session.scalars(
            select(ProgrammeItem).where(ProgrammeItem.programme_id == programme.id))}
    titles = {f"{cs}/{ls}": lt for cs, ls, lt in db.session.execute(
        select(Course.slug, Lesson.slug, Lesson.title).join(Lesson, Lesson.course_id == Course.id))}
    exams = dict(db.session.execute(select(Exam.slug, Exam.title)).all())
    rows = []
    for item in sorted(parsed.items, key=lambda i: (i.kind != "week", i.opens_on, i.number)):
        before = published.get(item.key)
        rows.append(CalendarRow(
            kind=item.kind, number=item.number, title=item.title, opens=item.opens_on, due=item.due_on,
            lessons=[titles.get(ref, ref) for ref in item.lessons],
            exam=exams.get(item.exam_id, item.exam_id or ""),
            before=before if before is not None and before != (item.opens_on, item.due_on) else None))
    return rows


def exam_preview(text: str, path: str):
    """(the parsed exam or None, a sample paper drawn by its rules from the
    published questions). The exam is not stored: a transient row carries the
    rules to the draw, so nothing is recorded."""
    parsed, problems = parse_exam(text, path)
    if parsed is None or problems:
        return parsed, []
    course_id = None
    if parsed.course_id:
        course_id = db.session.scalar(select(Course.id).where(Course.slug == parsed.course_id))
    rules = [{k: v for k, v in rule.items() if k != "line"} for rule in parsed.draw]
    transient = Exam(slug=parsed.id, title=parsed.title, course_id=course_id, draw_json=json.dumps(rules),
                     shuffle_options=parsed.shuffle_options)
    try:
        return parsed, sample_paper(transient, seed=random.randrange(1 << 30))
    finally:
        if transient in db.session:
            db.session.expunge(transient)


def published_shift(text: str, path: str) -> int | None:
    """Days by which every published week and bulletin of the programme lies
    from the dates its file gives (``flask demo`` moves the shipped programme
    so that today falls in week 3), or None when they agree or differ in any
    other way."""
    parsed, _problems = parse_programme(text, path)
    if parsed is None or not parsed.items:
        return None
    programme = db.session.scalar(select(Programme).where(Programme.slug == parsed.id))
    if programme is None:
        return None
    published = {item.key: (item.opens_on, item.due_on) for item in db.session.scalars(
        select(ProgrammeItem).where(ProgrammeItem.programme_id == programme.id, ProgrammeItem.retired.is_(False)))}
    shifts = set()
    for item in parsed.items:
        if item.key not in published:
            return None
        opens, due = published[item.key]
        shifts.add(((opens - item.opens_on).days, (due - item.due_on).days))
    if len(shifts) != 1:
        return None
    (shift, due_shift), = shifts
    return shift if shift == due_shift and shift != 0 else None
