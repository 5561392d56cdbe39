"""A person's training record, as HR (and the person's branch manager) reads
it: each programme with its weeks (or quarters) and their state, catch-up and
overdue marked, every attempt with its score and date. Read only: grading is
the trainers' (``lms.exams.grading_views``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from lms import clock
from lms.content.models import Programme, ProgrammeItem
from lms.exams.models import Attempt
from lms.extensions import db
from lms.org.scope import may_see_person
from lms.programmes.audience import Member, memberships
from lms.programmes.services import QUARTERLY, WeekStatus, programme_weeks


@dataclass
class ProgrammeRecord:
    programme: Programme
    member: Member
    weeks: list[WeekStatus]
    overdue: list[WeekStatus] = field(default_factory=list)  # overdue weeks; missed quarters
    # Weeks the trainer removed from the programme that the person attempted:
    # (item, attempts). They no longer count, but the record keeps them.
    removed: list[tuple[ProgrammeItem, list[Attempt]]] = field(default_factory=list)

    def _counted_weeks(self):
        """The weeks (quarters) counted as the learner's own pages count them
        (``lms.programmes.progress``): with an exam, not retired, and not a
        product bulletin — HR's "2 of 6 passed" beside the learner's "1 passed,
        3 due" was the bulletins counted here only."""
        return [w for w in self.weeks
                if w.exam is not None and w.item.kind != "bulletin" and not w.item.retired]

    @property
    def passed(self) -> int:
        return sum(1 for w in self._counted_weeks() if w.done)

    @property
    def counted(self) -> int:
        """The weeks (quarters) opened so far that have an exam."""
        return sum(1 for w in self._counted_weeks() if w.is_open)


def training_record(person, today: date | None = None) -> list[ProgrammeRecord]:
    today = today or clock.today()
    rows = list(db.session.scalars(select(Programme).where(Programme.retired.is_(False))
                                   .order_by(Programme.title, Programme.slug)))
    mine = memberships(person, rows, today)
    out = []
    for programme in (p for p in rows if p.id in mine):
        weeks = programme_weeks(person, programme, today, mine[programme.id])
        if programme.recurring == QUARTERLY:
            overdue = [w for w in weeks if w.due_on < today and not w.done]
        else:
            overdue = [w for w in weeks if w.overdue]
        out.append(ProgrammeRecord(programme, mine[programme.id], weeks, overdue, _removed(person, programme)))
    return out


def _removed(person, programme: Programme) -> list[tuple[ProgrammeItem, list[Attempt]]]:
    """The removed (retired) weeks of the programme with the person's attempts
    at their exams (an exam still used by a live week is listed there)."""
    live = set(db.session.scalars(select(ProgrammeItem.exam_id).where(
        ProgrammeItem.programme_id == programme.id, ProgrammeItem.retired.is_(False))))
    out = []
    for item in db.session.scalars(select(ProgrammeItem).where(
            ProgrammeItem.programme_id == programme.id, ProgrammeItem.retired.is_(True),
            ProgrammeItem.kind != QUARTERLY, ProgrammeItem.exam_id.is_not(None))
            .order_by(ProgrammeItem.opens_on, ProgrammeItem.id)):
        if item.exam_id in live:
            continue
        attempts = list(db.session.scalars(select(Attempt).where(
            Attempt.user_id == person.id, Attempt.exam_id == item.exam_id).order_by(Attempt.number)))
        if attempts:
            out.append((item, attempts))
    return out


def record_section(person, viewer) -> dict:
    """The person page's training-record section (``lms.org.person_sections``)."""
    if not may_see_person(viewer, person):
        return {"record": [], "person": person}
    return {"record": training_record(person), "person": person}
