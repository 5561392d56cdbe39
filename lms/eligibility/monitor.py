"""The 持证上岗 monitor: people in an RM post now (current position ``rm_*``)
without a valid certificate of a certification their post's rule requires
(the rule in force whose target is that position), grouped by branch, each
with the reason: no certificate, expired on, revoked on.

A compliance alarm, read each time (nothing stored): revoking a certificate
puts its holder on the list at once. A fixed number of statements."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, case, exists, func, or_, select, true

from lms import clock, punctuation
from lms.certificates.models import Certificate
from lms.content.models import Certification
from lms.eligibility import engine, facts as facts_mod
from lms.extensions import db
from lms.org import scope as org_scope
from lms.org.models import POSITIONS, Branch, PositionRecord, User

RM_PREFIX = "rm_"


@dataclass(frozen=True)
class Uncertified:
    user_id: int
    employee_no: str
    name: str
    position: str
    reasons: tuple[str, ...]  # one per missing certification, in words


@dataclass
class BranchGroup:
    branch: Branch | None
    people: list[Uncertified] = field(default_factory=list)


@dataclass
class Monitor:
    groups: list[BranchGroup]
    in_post: int  # people in a post with a certification rule, in scope
    required: bool = True  # some RM post's rule in force requires a certificate

    @property
    def total(self) -> int:
        return sum(len(g.people) for g in self.groups)


def required_certifications(today: date | None = None) -> dict[str, list[str]]:
    """RM position → the certification slugs its rules in force require."""
    out: dict[str, list[str]] = defaultdict(list)
    for rule in facts_mod.active_rules():
        if rule.target.startswith(RM_PREFIX) and rule.target in POSITIONS:
            for slug in rule.requirements.get("certifications") or []:
                if slug not in out[rule.target]:
                    out[rule.target].append(slug)
    return out


def build(scope: list[int] | None, today: date | None = None) -> Monitor:
    """The people of ``scope`` (None: the whole bank) in an RM post without a
    valid certificate their post requires."""
    today = today or clock.today()
    required = required_certifications(today)
    if not required or (scope is not None and not scope):
        return Monitor(groups=[], in_post=0, required=bool(required))
    stmt = (select(User.id, User.employee_no, User.name, User.branch_id, PositionRecord.position)
            .join(PositionRecord, PositionRecord.user_id == User.id)
            .where(User.active.is_(True), PositionRecord.end_date.is_(None),
                   PositionRecord.position.in_(sorted(required))))
    if scope is not None:
        stmt = stmt.where(User.branch_id.in_(scope))
    people = db.session.execute(stmt.order_by(User.employee_no)).all()
    if not people:
        return Monitor(groups=[], in_post=0)
    slugs = tuple(sorted({s for slugs in required.values() for s in slugs}))
    facts = facts_mod.load(sorted({p[0] for p in people}), [], today, certifications=slugs)
    by_branch: dict[int | None, list[Uncertified]] = defaultdict(list)
    words = engine.Words()
    for user_id, employee_no, name, branch_id, position in people:
        reasons = []
        for slug in required[position]:
            condition = engine.certificate_condition(slug, user_id, facts, today, words)
            if not condition.met:
                reasons.append(condition.evidence)
        if reasons:
            by_branch[branch_id].append(Uncertified(user_id, employee_no, name, position, tuple(reasons)))
    branches = {b.id: b for b in db.session.scalars(select(Branch))}
    groups = [BranchGroup(branches.get(bid), rows) for bid, rows in by_branch.items()]
    groups.sort(key=lambda g: g.branch.code if g.branch else "")
    return Monitor(groups=groups, in_post=len(people))


@dataclass
class Alarm:
    """The home panel's figures: how many uncertified people per branch."""

    counts: list[tuple[Branch | None, int]]
    required: bool = True  # some RM post's rule in force requires a certificate
    in_post: int = 0  # people of the scope in such a post: a count of nobody is not "all certified"

    @property
    def total(self) -> int:
        return sum(n for _b, n in self.counts)


def alarm(scope: list[int] | None, today: date | None = None) -> Alarm:
    """The monitor's counts by branch, in one aggregate statement (the home
    page opens often; the reasons are on the monitor's own page)."""
    today = today or clock.today()
    required = required_certifications(today)
    if not required or (scope is not None and not scope):
        return Alarm(counts=[], required=bool(required))
    slugs = sorted({s for slugs in required.values() for s in slugs})
    ids = dict(db.session.execute(select(Certification.slug, Certification.id).where(Certification.slug.in_(slugs))).all())

    def lacks(slug):
        if slug not in ids:
            return true()  # not published: nobody can hold it
        return ~exists().where(Certificate.user_id == User.id, Certificate.certification_id == ids[slug],
                               Certificate.revoked_at.is_(None), Certificate.superseded_by_id.is_(None),
                               or_(Certificate.expires_on.is_(None), Certificate.expires_on >= today))

    uncertified = or_(*(and_(PositionRecord.position == position, or_(*(lacks(slug) for slug in slugs_)))
                        for position, slugs_ in required.items()))
    # Per branch: the uncertified, and everyone in a post that requires a certificate.
    stmt = (select(User.branch_id, func.count(func.distinct(case((uncertified, User.id)))),
                   func.count(func.distinct(User.id)))
            .join(PositionRecord, PositionRecord.user_id == User.id)
            .where(User.active.is_(True), PositionRecord.end_date.is_(None),
                   PositionRecord.position.in_(sorted(required)))
            .group_by(User.branch_id))
    if scope is not None:
        stmt = stmt.where(User.branch_id.in_(scope))
    found = db.session.execute(stmt).all()
    rows = [(bid, n) for bid, n, _in_post in found if n]
    branches = {b.id: b for b in db.session.scalars(select(Branch).where(Branch.id.in_([r[0] for r in rows])))}
    counts = sorted(((branches.get(bid), n) for bid, n in rows), key=lambda c: c[0].code if c[0] else "")
    return Alarm(counts=counts, in_post=sum(r[2] for r in found))


def panel(user) -> dict:
    """The home panel of HR (the whole bank) and branch managers (their scope)."""
    return {"monitor": alarm(org_scope.branch_scope(user))}


def branch_manager_panel(user) -> dict:
    """HR who also manage a branch see the whole bank's alarm once (HR's panel)."""
    if user.has_role("hr"):
        return {"monitor": None}
    return panel(user)


def export_table(result: Monitor) -> tuple[list[str], list[list]]:
    headers = [_("Branch"), _("Employee number"), _("Name"), _("Position"), _("Reason")]
    rows = []
    for group in result.groups:
        for person in group.people:
            rows.append([group.branch.name if group.branch else "", person.employee_no, person.name,
                         str(POSITIONS.get(person.position, person.position)), punctuation.statements(person.reasons)])
    return headers, rows
