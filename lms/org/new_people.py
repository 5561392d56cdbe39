"""Creating many people at once (the people import): what ``services.create_user``
does for one person — the account with a temporary password, the roles, the first
position and their audit events — for a whole file, in a few statements.

The rules are those of ``create_user``, ``set_roles`` and ``change_position``
(employee numbers not taken, roles the actor may grant, a first position that a
gate guards only with eligibility or HR's reason), checked for everyone before
anything is written. The rows are written with one INSERT per table and the
audit events with ``audit.record_many``: per person they follow each other as
``create_user`` writes them (created, roles, position, override), grouped by
kind. One ``create_user`` a person flushed and audited four times (~4 ms each)
and asked the gates about each person with statements of its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import insert, select

from lms import clock
from lms.audit import services as audit
from lms.database import transaction
from lms.extensions import db
from lms.in_list import small
from lms.org import position_gates, services
from lms.org.models import POSITIONS, ROLES, Branch, PositionRecord, User, UserRole
from lms.org.temporary_passwords import hash_temporary_password


@dataclass(frozen=True)
class NewPerson:
    employee_no: str
    name: str
    branch: Branch | None
    roles: frozenset[str]
    position: str
    hire_date: date
    temporary_password: str  # from generate_temporary_password: they must change it at the first sign-in
    email: str | None = None
    override_reason: str = ""  # HR's reason to enter a position whose rule they do not meet


class PersonRefused(services.OrgError):
    """A rule refuses ``people[index]``; nobody was created."""

    def __init__(self, index: int, error: services.OrgError):
        super().__init__(str(error))
        self.index = index


@transaction(immediate=True)
def create_people(people: list[NewPerson], *, actor: User | None = None, note: str = "") -> list[int]:
    """Create everyone in ``people`` (ids returned in that order), or nobody:
    the first person a rule refuses raises ``PersonRefused``. ``note`` goes with
    each first position."""
    if not people:
        return []
    today, note = clock.today(), note.strip()
    gates = position_gates.prepare([], {p.position for p in people})  # nobody has records yet
    grantable = services.assignable_roles(actor)
    overrides = []
    for index, person in enumerate(_numbers_free(people)):
        try:
            overrides.append(_checked(person, actor, today, gates, grantable))
        except services.OrgError as exc:
            raise PersonRefused(index, exc) from None

    now = clock.now()
    ids = list(db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), [
        dict(employee_no=p.employee_no.strip(), name=p.name.strip(), branch_id=p.branch.id if p.branch else None,
             hire_date=p.hire_date, locale="zh_CN", email=p.email or None, active=True, session_version=1,
             password_hash=hash_temporary_password(p.temporary_password), must_change_password=True,
             created_at=now) for p in people]))
    db.session.execute(insert(UserRole), [
        dict(user_id=user_id, role=role) for user_id, p in zip(ids, people) for role in sorted(p.roles)])
    db.session.execute(insert(PositionRecord), [
        dict(user_id=user_id, position=p.position, start_date=p.hire_date, end_date=None, note=note)
        for user_id, p in zip(ids, people)])

    audit.record_many("user.created", "user", [
        (user_id, dict(employee_no=p.employee_no.strip(), name=p.name.strip(), branch=p.branch.code if p.branch else None))
        for user_id, p in zip(ids, people)])
    audit.record_many("user.roles_changed", "user", [
        (user_id, dict(before=[], after=sorted(p.roles))) for user_id, p in zip(ids, people)])
    audit.record_many("user.position_changed", "user", [
        (user_id, dict(before=None, after=p.position, start=p.hire_date.isoformat(), note=note))
        for user_id, p in zip(ids, people)])
    audit.record_many("user.eligibility_override", "user", [
        (user_id, dict(after=p.position, reason=p.override_reason.strip(),
                       unmet=[f"{c.rule}: {u}" for c in refused for u in c.unmet]))
        for user_id, p, refused in zip(ids, people, overrides) if refused], actor=actor)
    return ids


def _numbers_free(people: list[NewPerson]) -> list[NewPerson]:
    """``people``, once no two share an employee number and none is someone's already."""
    numbers = [p.employee_no.strip() for p in people]
    query = select(User.employee_no)  # many numbers: every one read, cheaper than an IN list of thousands
    taken = set(db.session.scalars(query.where(User.employee_no.in_(numbers)) if small(numbers) else query))
    for index, number in enumerate(numbers):
        if number in taken:
            raise PersonRefused(index, services.OrgError(_("Employee number %(no)s exists already.", no=number)))
        taken.add(number)
    return people


def _checked(person: NewPerson, actor: User | None, today: date, gates: position_gates.Gates,
             grantable: set[str]) -> list[position_gates.Check]:
    """The rules of ``create_user`` for one person; returns the eligibility rules
    HR's reason overrides (empty: none)."""
    roles = set(person.roles)
    if unknown := roles - set(ROLES):
        raise services.OrgError(_("Unknown role: %(roles)s", roles=", ".join(sorted(unknown))))
    if not roles:
        raise services.OrgError(_("A person needs at least one role."))
    if roles - grantable:  # also: only an administrator makes one
        services.require_may_change_roles(actor, None, roles)
    if person.position not in POSITIONS:
        raise services.OrgError(_("Unknown position: %(position)s", position=person.position))
    if person.hire_date > today:
        raise services.OrgError(_("Start date: a position change is recorded on the day it takes effect, not "
                                  "before (today is %(today)s).", today=today.isoformat()))
    return services.judge_gates(person.name.strip(), person.position, gates.refusals(None, person.position),
                                person.override_reason, actor=actor)
