"""A person's training record, as HR (and the person's branch manager) reads
it: each programme with its weeks (or quarters) and their state, catch-up and
overdue marked, every attempt with its score and date. Read only: grading is
the trainers' (``lms.exams.grading_views``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from lms import clock
from lms.content.models import Programme
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

    @property
    def passed(self) -> int:
        return sum(1 for w in self.weeks if w.done)

    @property
    def counted(self) -> int:
        """The weeks (quarters) opened so far that have an exam."""
        return sum(1 for w in self.weeks if w.exam is not None and w.is_open)


def training_record(person, today: date | None = None) -> list[ProgrammeRecord]:
    today = today or clock.today()
    rows = list(db.session.scalars(select(Programme).where(Programme.retired.is_(False)).order_by(Programme.title)))
    mine = memberships(person, rows, today)
    out = []
    for programme in (p for p in rows if p.id in mine):
        weeks = programme_weeks(person, programme, today, mine[programme.id])
        if programme.recurring == QUARTERLY:
            overdue = [w for w in weeks if w.due_on < today and not w.done]
        else:
            overdue = [w for w in weeks if w.overdue]
        out.append(ProgrammeRecord(programme, mine[programme.id], weeks, overdue))
    return out


def record_section(person, viewer) -> dict:
    """The person page's training-record section (``lms.org.person_sections``)."""
    if not may_see_person(viewer, person):
        return {"record": [], "person": person}
    return {"record": training_record(person), "person": person}
