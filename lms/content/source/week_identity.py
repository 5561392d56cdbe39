"""A week keeps its identity across edits of a live programme.

A published week (or bulletin) is the row ``ProgrammeItem`` keyed by the
item's ``id:`` in the file or, without one, by its place (``week-3``). What
learners did is attached to that row: the notifications about it (week
opened, due soon, overdue, the alerts to mentors and managers — one per
person and row, never sent twice) and the attempts started from it. Passes
follow the week's exam.

Inserting, removing or reordering weeks in a file without ids moves the
positional keys: the row ``week-3`` would become the inserted week, and the
notifications sent about the old week 3 would silence the new one's (and the
old week 3, now ``week-4``, would be announced again). A publish that would do
this to a row learners have records of is refused here, on the line of the
week that moved, saying what to write (``id: week-3``). Weeks nobody has
touched yet (no attempt, no notification) may move freely. A new week
written where a removed (retired) week was would bring that row back as
itself: refused too when the removed week's exam differs and it has records.

Recognising a moved week: every week and bulletin of a programme has an
exam of its own (``checks._check_programme``), so a published row whose exam
the file now has under another key moved there.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from lms.content.models import Exam, Programme, ProgrammeItem
from lms.content.schema import ContentBundle, ParsedProgramme, Problem
from lms.content.source.parser import item_label
from lms.exams.models import Attempt
from lms.extensions import db
from lms.notify.models import Notification
from lms.numbers import counted


@dataclass
class PublishedItem:
    id: int
    key: str
    kind: str
    number: int
    title: str
    exam: str | None
    retired: bool
    learners: int = 0  # learners with records of this row (attempts at its exam, notifications about it)


def published_items(slugs: list[str]) -> dict[str, list[PublishedItem]]:
    """The published items of these programmes (retired ones too), by programme slug."""
    out: dict[str, list[PublishedItem]] = defaultdict(list)
    if not slugs:
        return out
    for iid, slug, key, kind, number, title, exam, retired in db.session.execute(
            select(ProgrammeItem.id, Programme.slug, ProgrammeItem.key, ProgrammeItem.kind, ProgrammeItem.number,
                   ProgrammeItem.title, Exam.slug, ProgrammeItem.retired)
            .join(Programme, Programme.id == ProgrammeItem.programme_id)
            .outerjoin(Exam, Exam.id == ProgrammeItem.exam_id)
            .where(Programme.slug.in_(slugs), ProgrammeItem.kind != "quarterly")):
        out[slug].append(PublishedItem(iid, key, kind, number, title, exam, retired))
    return out


def count_learners(items: list[PublishedItem]) -> None:
    """Fill ``learners``: the people who attempted the item's exam or were
    notified about the item (two statements for all of them)."""
    if not items:
        return
    people: dict[int, set[int]] = defaultdict(set)
    by_exam: dict[str, list[PublishedItem]] = defaultdict(list)
    for item in items:
        if item.exam:
            by_exam[item.exam].append(item)
    if by_exam:
        for slug, user_id in db.session.execute(
                select(Exam.slug, Attempt.user_id).join(Attempt, Attempt.exam_id == Exam.id)
                .where(Exam.slug.in_(list(by_exam))).distinct()):
            for item in by_exam[slug]:
                people[item.id].add(user_id)
    subjects = {f"item:{item.id}": item for item in items}
    for subject, user_id in db.session.execute(
            select(Notification.subject, Notification.recipient_id)
            .where(Notification.subject.in_(list(subjects))).distinct()):
        people[subjects[subject].id].add(user_id)
    for item in items:
        item.learners = len(people[item.id])


def check_week_identity(bundle: ContentBundle, problems: list[Problem]) -> None:
    """Refuse (a problem on the moved week's line) a publish that would give a
    published week's key, and so its learners' records, to another week."""
    programmes = [p for p in bundle.programmes if not p.recurring]
    published = published_items([p.id for p in programmes])
    for programme in programmes:
        rows = published.get(programme.id)
        if rows:
            _check_programme(programme, rows, problems)


def moves(programme: ParsedProgramme, rows: list[PublishedItem]) -> list[tuple]:
    """(item, row it was published as) for every item of the file whose exam
    was published under another key of the programme (a live row, same kind)."""
    by_exam = {(r.kind, r.exam): r for r in rows if r.exam and not r.retired}
    out = []
    for item in programme.items:
        row = by_exam.get((item.kind, item.exam_id))
        if row is not None and row.key != item.key:
            out.append((item, row))
    return out


def _check_programme(programme: ParsedProgramme, rows: list[PublishedItem], problems: list[Problem]) -> None:
    by_key = {r.key: r for r in rows}
    _check_reused_keys(programme, by_key, problems)
    moved = moves(programme, rows)
    if not moved:
        return
    count_learners([r for r in rows if not r.retired])
    published_exams = {(r.kind, r.exam) for r in rows if r.exam and not r.retired}
    if all(row.learners == 0 and (by_key.get(item.key) is None or by_key[item.key].learners == 0)
           for item, row in moved):
        return  # nobody has records of any week that moves: moving changes nothing anyone did
    for item, row in moved:
        taken = by_key.get(item.key)  # the row this item would become
        label = item_label(item.kind, item.number)
        n = max(row.learners, taken.learners if taken else 0)
        if n:
            message = _(
                "%(item)s (exam %(exam)s) was published as %(old)s, “%(title)s”: without an id it becomes %(new)s, "
                "and the records of %(learners)s (notifications about the week, its attempts) would stay with "
                "%(old)s, which would now be another week. Write `id: %(old)s` under this week so that it stays "
                "the same week.", item=label, exam=item.exam_id, old=row.key, title=row.title, new=item.key,
                learners=counted("%(num)s learner", "%(num)s learners", n))
        else:
            message = _(
                "%(item)s (exam %(exam)s) was published as %(old)s, “%(title)s”: without an id it becomes %(new)s "
                "while other weeks of this file move too. Write `id: %(old)s` under this week so that it stays "
                "the same week.", item=label, exam=item.exam_id, old=row.key, title=row.title, new=item.key)
        problems.append(Problem(item.source, message))
    moved_keys = {row.key for _item, row in moved}
    for item in programme.items:
        row = by_key.get(item.key)
        if (item.kind, item.exam_id) in published_exams or row is None or row.retired or row.learners == 0:
            continue
        if item.key in moved_keys and not item.explicit_key:
            # A new week at the place of one that moved away: it needs a key of its own.
            problems.append(Problem(item.source, counted(
                "%(item)s is new here, but %(key)s is the published week “%(title)s”, which %(num)s learner has "
                "records of and which this file moves elsewhere: give this week an id of its own (for example "
                "`id: %(suggest)s`).",
                "%(item)s is new here, but %(key)s is the published week “%(title)s”, which %(num)s learners have "
                "records of and which this file moves elsewhere: give this week an id of its own (for example "
                "`id: %(suggest)s`).", row.learners, item=item_label(item.kind, item.number), key=item.key,
                title=row.title, suggest=item.exam_id or f"{item.key}-new")))



def _check_reused_keys(programme: ParsedProgramme, by_key: dict[str, PublishedItem], problems: list[Problem]) -> None:
    """A week whose key is that of a removed (retired) week with another exam
    would bring that row back as this week, with the notifications its
    learners had about the removed one (so they would not hear of this one)."""
    reused = [(item, by_key[item.key]) for item in programme.items
              if item.key in by_key and by_key[item.key].retired and by_key[item.key].exam != item.exam_id]
    if not reused:
        return
    count_learners([row for _item, row in reused])
    for item, row in reused:
        if row.learners:
            problems.append(Problem(item.source, _(
                "%(item)s would take the key %(key)s of the removed week “%(title)s” (exam %(exam)s), which %(n)s "
                "learners have records of: give this week an id of its own (for example `id: %(suggest)s`).",
                item=item_label(item.kind, item.number), key=item.key, title=row.title, exam=row.exam or "—",
                n=row.learners, suggest=item.exam_id or f"{item.key}-new")))
