"""Whether a person meets a certification's requirements, condition by
condition, with the evidence in words.

A certification's requirements (``Certification.requirements``,
content/FORMAT.md) are all of:

- ``programmes``: every week of the programme (weeks with an exam, not
  retired) passed — the same pass rules as 本周培训 and the roster
  (``lms.programmes.services``);
- ``exams``: the best finalised attempt's percent reaches ``min_score``;
- ``signoff``: a mentor's sign-off (出师评价) in force (not withdrawn);
- ``tenure``: whole months summed over the listed positions (``User.months_in``).

A condition is kept as data (kind, met, params) so that the certificate
stores what was met at issue (``Certificate.evidence_json``) and the words
are made in the reader's language when shown (``describe``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from lms import clock
from lms.content.models import Certification, Exam, Programme, ProgrammeItem
from lms.exams.models import Attempt, AttemptState
from lms.extensions import db
from lms.mentoring.models import SignOff
from lms.org import tenure
from lms.org.models import POSITIONS
from lms.programmes.progress import progress
from lms.programmes.services import programme_weeks
from lms.scores import score

PROGRAMME, EXAM, SIGNOFF, TENURE, UNKNOWN = "programme", "exam", "signoff", "tenure", "unknown"


@dataclass
class Condition:
    kind: str
    met: bool
    params: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return describe(self.as_dict())

    def as_dict(self) -> dict:
        return {"kind": self.kind, "met": self.met, "params": self.params}


@dataclass
class Evaluation:
    certification: Certification
    person: object
    conditions: list[Condition]

    @property
    def met(self) -> bool:
        return all(c.met for c in self.conditions)

    @property
    def unmet(self) -> list[Condition]:
        return [c for c in self.conditions if not c.met]

    def evidence(self) -> list[dict]:
        return [c.as_dict() for c in self.conditions]


def evaluate(person, certification: Certification) -> Evaluation:
    """Each requirement of ``certification`` met or not for ``person``."""
    req = certification.requirements
    conditions: list[Condition] = []
    for slug in req.get("programmes") or []:
        conditions.append(_programme(person, slug))
    for entry in req.get("exams") or []:
        conditions.append(_exam(person, entry.get("exam", ""), entry.get("min_score", 0)))
    if req.get("signoff"):
        conditions.append(_signoff(person))
    for entry in req.get("tenure") or []:
        conditions.append(tenure_condition(person, entry.get("positions") or [], int(entry.get("months", 0))))
    return Evaluation(certification, person, conditions)


def quick_conditions_met(person, certification: Certification) -> bool:
    """The requirements that cost a query or two (tenure, exams, sign-off) all
    met: ``evaluate`` (whose programme lines read every week) can only be met
    when this is True, so the automatic path asks this first."""
    req = certification.requirements
    return (all(tenure_condition(person, t.get("positions") or [], int(t.get("months", 0))).met
                for t in req.get("tenure") or [])
            and all(_exam(person, e.get("exam", ""), e.get("min_score", 0)).met for e in req.get("exams") or [])
            and (not req.get("signoff") or signoff_in_force(person) is not None))


def _programme(person, slug: str) -> Condition:
    programme = db.session.scalar(select(Programme).where(Programme.slug == slug))
    if programme is None:
        return Condition(UNKNOWN, False, {"what": slug})
    counted = progress(programme_weeks(person, programme))
    params = {"programme": programme.title, "slug": slug, "passed": counted.passed, "total": counted.total}
    if counted.quarterly:
        params["unit"] = counted.unit
    return Condition(PROGRAMME, counted.total > 0 and counted.passed >= counted.total, params)


def best_attempt(person, exam: Exam) -> Attempt | None:
    """The finalised attempt with the highest percent (earliest on a tie)."""
    return db.session.scalar(
        select(Attempt).where(Attempt.user_id == person.id, Attempt.exam_id == exam.id,
                              Attempt.state == AttemptState.FINALISED, Attempt.percent.is_not(None))
        .order_by(Attempt.percent.desc(), Attempt.number).limit(1))


def _exam(person, slug: str, min_score) -> Condition:
    exam = db.session.scalar(select(Exam).where(Exam.slug == slug))
    if exam is None:
        return Condition(UNKNOWN, False, {"what": slug})
    best = best_attempt(person, exam)
    params = {"exam": exam.title, "slug": slug, "min": min_score}
    if best is None or best.percent < min_score:
        # Taken, and waiting for a trainer: "not taken yet" would be wrong, and the learner should know why.
        if db.session.scalar(select(Attempt.id).where(Attempt.user_id == person.id, Attempt.exam_id == exam.id,
                                                      Attempt.state == AttemptState.GRADING).limit(1)) is not None:
            params["grading"] = True
    if best is None:
        return Condition(EXAM, False, params)
    on = clock.local_date(best.finalised_at or best.submitted_at or best.started_at).isoformat()
    return Condition(EXAM, best.percent >= min_score, {**params, "score": best.percent, "on": on,
                                                       "attempt_id": best.id})


def signoff_in_force(person):
    """The apprentice's latest sign-off that HR has not withdrawn, or None.
    (Kept small on purpose: mentoring's own query can replace it.)"""
    return db.session.scalar(select(SignOff).where(SignOff.apprentice_id == person.id,
                                                   SignOff.withdrawn_at.is_(None))
                             .order_by(SignOff.signed_on.desc(), SignOff.id.desc()).limit(1))


def _signoff(person) -> Condition:
    signoff = signoff_in_force(person)
    if signoff is None:
        return Condition(SIGNOFF, False, {})
    return Condition(SIGNOFF, True, {"mentor": signoff.mentor.name, "on": signoff.signed_on.isoformat(),
                                     "signoff_id": signoff.id})


def tenure_condition(person, positions: list[str], months: int) -> Condition:
    """Months served in ``positions``; not yet enough: also the day they will
    be if the person stays where they are (``reached_on``, as the position
    gate and HR's register say it)."""
    today = clock.today()
    served = sum(person.months_in(p, today) for p in positions)
    params = {"positions": positions, "months": served, "need": months}
    if served < months:
        reached = tenure.reached_on(tenure.stints_of(person), positions, months, served, today)
        if reached is not None:
            params["reached_on"] = reached.isoformat()
    return Condition(TENURE, served >= months, params)


def position_names(codes) -> str:
    return " / ".join(str(POSITIONS.get(c, c)) for c in codes)


def describe(line: dict) -> str:
    """One stored condition in words, in the current language."""
    kind, met, p = line.get("kind"), line.get("met"), line.get("params") or {}
    if kind == PROGRAMME and p.get("unit") == "quarter":
        return _("%(programme)s: %(passed)s of %(total)s quarters passed", programme=p.get("programme", ""),
                 passed=p.get("passed", 0), total=p.get("total", 0))
    if kind == PROGRAMME:
        return _("%(programme)s: %(passed)s of %(total)s weeks passed", programme=p.get("programme", ""),
                 passed=p.get("passed", 0), total=p.get("total", 0))
    if kind == EXAM:
        if "score" not in p and p.get("grading"):
            return _("%(exam)s: waiting for a trainer's grading (needs %(min)s)", exam=p.get("exam", ""),
                     min=score(p.get("min")))
        if "score" not in p:
            return _("%(exam)s: not taken yet (needs %(min)s)", exam=p.get("exam", ""), min=score(p.get("min")))
        if not met and p.get("grading"):
            return _("%(exam)s best score %(score)s, below %(min)s; another attempt is waiting for a trainer's "
                     "grading", exam=p.get("exam", ""), score=score(p["score"]), min=score(p.get("min")))
        if met:
            return _("%(exam)s best score %(score)s ≥ %(min)s on %(on)s", exam=p.get("exam", ""),
                     score=score(p["score"]), min=score(p.get("min")), on=p.get("on", ""))
        return _("%(exam)s best score %(score)s, below %(min)s", exam=p.get("exam", ""), score=score(p["score"]),
                 min=score(p.get("min")))
    if kind == SIGNOFF:
        if met:
            return _("Mentor sign-off by %(mentor)s on %(on)s", mentor=p.get("mentor", ""), on=p.get("on", ""))
        return _("No mentor sign-off in force")
    if kind == TENURE:
        return tenure.describe(int(p.get("months", 0)), int(p.get("need", 0)), position_names(p.get("positions") or []),
                               p.get("reached_on"))
    return _("%(what)s is not published", what=p.get("what", ""))


def certifications_requiring(*, exam_slug: str | None = None, signoff: bool = False,
                             tenure: bool = False) -> list[Certification]:
    """The certifications (not retired) that an event could affect: those
    naming the exam (or a programme containing it), those asking for a
    sign-off, or those with a tenure requirement."""
    rows = list(db.session.scalars(select(Certification).where(Certification.retired.is_(False))
                                   .order_by(Certification.id)))
    if exam_slug is not None:
        programmes = set(db.session.scalars(
            select(Programme.slug).join(ProgrammeItem, ProgrammeItem.programme_id == Programme.id)
            .join(Exam, Exam.id == ProgrammeItem.exam_id).where(Exam.slug == exam_slug)))
        return [c for c in rows if any(e.get("exam") == exam_slug for e in c.requirements.get("exams") or [])
                or programmes & set(c.requirements.get("programmes") or [])]
    if signoff:
        return [c for c in rows if c.requirements.get("signoff")]
    if tenure:
        return [c for c in rows if c.requirements.get("tenure")]
    return rows
