"""What the eligibility engine reads, for many people at once, as plain rows.

Each loader is one statement whatever the number of people: positions,
certificates, sign-offs in force (and, for people without one, their
mentor now or the sign-off withdrawn: the evidence names whose it is to give) and, per programme a rule names, its weeks
and the finalised attempts on their exams, of which the deciding one says
whether the week is passed (the rule of ``lms.reports.cells.deciding``: the
best result, or the latest where the exam scores by the latest). The rows
are read through the connection (plain tuples: for 60,000 attempts the ORM's
row handling costs more than the query). For more than ``lms.in_list.IN_LIST_LIMIT`` people a loader reads the
whole table and keeps the wanted rows here: an IN list of thousands of ids
costs the database more than the rows.

The certificate and sign-off tables belong to other domains; what is read
here is a few columns, never their objects or their rules."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.content.models import Certification, EligibilityRule, Exam, Programme, ProgrammeItem
from lms.extensions import db
from lms.in_list import narrow
from lms.mentoring.models import Pairing, PairingState, SignOff
from lms.org.models import PositionRecord, User
from lms.org.tenure import Stint
from lms.exams.models import Attempt, AttemptState


class CertificationRow(NamedTuple):
    id: int
    title: str


class CertificateRow(NamedTuple):
    id: int
    certification_id: int
    issued_on: date
    expires_on: date | None
    revoked_at: datetime | None
    superseded_by_id: int | None


class SignOffRow(NamedTuple):
    mentor_name: str
    signed_on: date


class NoSignOffRow(NamedTuple):
    """Why a person has no sign-off in force, for HR to act on: their mentor now
    (an active pairing), or the last sign-off HR withdrew."""
    mentor_name: str
    since: date  # the pairing's start, or the withdrawn sign-off's day
    withdrawn_at: datetime | None  # None: an active pairing


class WeekRow(NamedTuple):
    number: int
    exam_id: int
    due_on: date
    scoring: str


@dataclass
class Facts:
    """Everything the rules need about the people asked for."""

    certifications: dict[str, CertificationRow] = field(default_factory=dict)  # by slug
    stints: dict[int, list[Stint]] = field(default_factory=lambda: defaultdict(list))
    certificates: dict[tuple[int, int], list[CertificateRow]] = field(default_factory=lambda: defaultdict(list))
    signoffs: dict[int, SignOffRow] = field(default_factory=dict)  # the latest in force
    no_signoff: dict[int, NoSignOffRow] = field(default_factory=dict)  # for those without one in force
    weeks: dict[str, list[WeekRow]] = field(default_factory=dict)  # by programme slug
    programme_titles: dict[str, str] = field(default_factory=dict)  # by slug: what a condition names
    passed: set[tuple[int, int]] = field(default_factory=set)  # (user id, exam id) whose deciding result passed


def active_rules(target: str | None = None) -> list[EligibilityRule]:
    """The rules in force (not retired), by target and slug."""
    stmt = select(EligibilityRule).where(EligibilityRule.retired.is_(False))
    if target is not None:
        stmt = stmt.where(EligibilityRule.target == target)
    return list(db.session.scalars(stmt.order_by(EligibilityRule.target, EligibilityRule.slug)))


def _rows(stmt) -> list:
    return db.session.connection().execute(stmt).all()


def load(user_ids: list[int] | None, rules: list[EligibilityRule], today: date, *,
         certifications: tuple[str, ...] = ()) -> Facts:
    """The facts about ``user_ids`` (None: everybody) that ``rules`` ask
    about, and their certificates of ``certifications`` (slugs)."""
    facts = Facts()
    if user_ids is not None and not user_ids:
        return facts
    wanted_certs: set[str] = set(certifications)
    wanted_programmes: set[str] = set()
    needs_tenure = needs_signoff = False
    for rule in rules:
        req = rule.requirements
        wanted_certs.update(req.get("certifications") or [])
        needs_tenure = needs_tenure or bool(req.get("tenure"))
        needs_signoff = needs_signoff or bool(req.get("signoff"))
        if req.get("weeks_passed"):
            wanted_programmes.add(req["weeks_passed"].get("programme", ""))

    # Positions are always read: the register and the monitor show the current one.
    stmt, keep = narrow(select(PositionRecord.user_id, PositionRecord.position, PositionRecord.start_date,
                               PositionRecord.end_date), PositionRecord.user_id, user_ids)
    for user_id, position, start, end in _rows(stmt):
        if keep is None or user_id in keep:
            facts.stints[user_id].append(Stint(position, start, end))

    if wanted_certs:
        facts.certifications = {slug: CertificationRow(id_, title) for slug, id_, title in _rows(
            select(Certification.slug, Certification.id, Certification.title)
            .where(Certification.slug.in_(sorted(wanted_certs))))}
        cert_ids = [c.id for c in facts.certifications.values()]
        if cert_ids:
            stmt, keep = narrow(select(Certificate.user_id, Certificate.id, Certificate.certification_id,
                                       Certificate.issued_on, Certificate.expires_on, Certificate.revoked_at,
                                       Certificate.superseded_by_id).where(Certificate.certification_id.in_(cert_ids)),
                                Certificate.user_id, user_ids)
            for user_id, *row in _rows(stmt.order_by(Certificate.id)):
                if keep is None or user_id in keep:
                    facts.certificates[(user_id, row[1])].append(CertificateRow(*row))

    if needs_signoff:
        stmt, keep = narrow(select(SignOff.apprentice_id, User.name, SignOff.signed_on)
                            .join(User, User.id == SignOff.mentor_id).where(SignOff.withdrawn_at.is_(None)),
                            SignOff.apprentice_id, user_ids)
        for user_id, mentor_name, signed_on in _rows(stmt.order_by(SignOff.signed_on, SignOff.id)):
            if keep is None or user_id in keep:
                facts.signoffs[user_id] = SignOffRow(mentor_name, signed_on)  # the latest wins
        _why_no_signoff(facts, user_ids)

    if wanted_programmes:
        rows = _rows(
            select(Programme.slug, ProgrammeItem.number, ProgrammeItem.exam_id, ProgrammeItem.due_on, Exam.scoring)
            .join(ProgrammeItem, ProgrammeItem.programme_id == Programme.id)
            .join(Exam, Exam.id == ProgrammeItem.exam_id)
            .where(Programme.slug.in_(sorted(wanted_programmes)), Programme.retired.is_(False),
                   ProgrammeItem.retired.is_(False), ProgrammeItem.kind == "week")
            .order_by(ProgrammeItem.due_on, ProgrammeItem.number))
        facts.weeks = {slug: [] for slug in {r[0] for r in rows}}
        facts.programme_titles = dict(_rows(select(Programme.slug, Programme.title)
                                            .where(Programme.slug.in_(sorted(wanted_programmes)))))
        for slug, number, exam_id, due_on, scoring in rows:
            facts.weeks[slug].append(WeekRow(number, exam_id, due_on, scoring))
        scoring = {w.exam_id: w.scoring for weeks in facts.weeks.values() for w in weeks if w.due_on < today}
        if scoring:
            facts.passed = _passed_weeks(scoring, user_ids)
    return facts


def _why_no_signoff(facts: Facts, user_ids: list[int] | None) -> None:
    """For people without a sign-off in force: the mentor they are paired with
    now, else the last sign-off withdrawn. Two statements."""
    stmt, keep = narrow(select(SignOff.apprentice_id, User.name, SignOff.signed_on, SignOff.withdrawn_at)
                        .join(User, User.id == SignOff.mentor_id).where(SignOff.withdrawn_at.is_not(None)),
                        SignOff.apprentice_id, user_ids)
    for user_id, mentor_name, signed_on, withdrawn_at in _rows(stmt.order_by(SignOff.withdrawn_at, SignOff.id)):
        if (keep is None or user_id in keep) and user_id not in facts.signoffs:
            facts.no_signoff[user_id] = NoSignOffRow(mentor_name, signed_on, withdrawn_at)  # the latest wins
    stmt, keep = narrow(select(Pairing.apprentice_id, User.name, Pairing.start_date)
                        .join(User, User.id == Pairing.mentor_id).where(Pairing.state == PairingState.ACTIVE),
                        Pairing.apprentice_id, user_ids)
    for user_id, mentor_name, start in _rows(stmt):
        if (keep is None or user_id in keep) and user_id not in facts.signoffs:
            facts.no_signoff[user_id] = NoSignOffRow(mentor_name, start, None)  # the mentor now comes first


def _passed_weeks(scoring: dict[int, str], user_ids: list[int] | None) -> set[tuple[int, int]]:
    """(user id, exam id) whose deciding finalised attempt passed. One statement."""
    stmt, keep = narrow(select(Attempt.user_id, Attempt.exam_id, Attempt.percent, Attempt.number,
                               Attempt.finalised_at, Attempt.started_at, Attempt.passed)
                        .where(Attempt.exam_id.in_(sorted(scoring)), Attempt.state == AttemptState.FINALISED,
                               Attempt.percent.is_not(None)), Attempt.user_id, user_ids)
    deciding: dict[tuple[int, int], tuple] = {}
    for user_id, exam_id, percent, number, finalised_at, started_at, passed in _rows(stmt):
        if keep is not None and user_id not in keep:
            continue
        # The key that wins: the best percent (earliest attempt on a tie), or the latest attempt.
        rank = (number,) if scoring[exam_id] == "latest" else (percent, -number)
        key = (user_id, exam_id)
        held = deciding.get(key)
        if held is None or rank > held[0]:
            deciding[key] = (rank, bool(passed))
    return {key for key, (_rank, passed) in deciding.items() if passed}
