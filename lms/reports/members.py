"""Who is on a programme's roster: its audience, within what the viewer may see.

Everything the reports list goes through ``roster_members``, so the rule of
membership is in one place (the enrolment module, when there is one, replaces
its body). People are read as plain rows (id, 工号, name, branch, roles, open
position) in three statements whatever their number, and checked against the
programme's audience with ``lms.programmes.audience.in_audience``, the rule
the learner's own pages use."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from lms.content.models import Programme
from lms.extensions import db
from lms.org.models import Branch, PositionRecord, User, UserRole
from lms.programmes.audience import in_audience


@dataclass(frozen=True)
class OpenPosition:
    position: str


@dataclass
class Person:
    """The facts of a person the reports need (duck-types ``User`` for
    ``in_audience`` and the templates)."""

    id: int
    employee_no: str
    name: str
    branch: Branch | None
    roles: set[str] = field(default_factory=set)
    current_position: OpenPosition | None = None

    @property
    def branch_id(self) -> int | None:
        return self.branch.id if self.branch is not None else None


@dataclass
class Member:
    """A learner on the roster and the day they joined the programme: weeks
    due before that day are catch-up (补学), not overdue."""

    user: Person
    enrolled_on: date


def programme_start(programme: Programme) -> date | None:
    dates = [item.opens_on for item in programme.items if not item.retired]
    return min(dates) if dates else None


def all_branches() -> dict[int, Branch]:
    """Every branch, loaded once: a person's branch and its parents are then
    found without a query each."""
    return {b.id: b for b in db.session.scalars(select(Branch))}


def roster_members(programme: Programme, scope: list[int] | None) -> list[Member]:
    """The active people in the programme's audience whose branch is in
    ``scope`` (``None``: the whole bank; see ``lms.org.scope.branch_scope``),
    ordered by branch code and 工号. Enrolled on the programme's first day."""
    if scope is not None and not scope:
        return []
    branches = all_branches()
    query = select(User.id, User.employee_no, User.name, User.branch_id).where(User.active.is_(True))
    if scope is not None:
        query = query.where(User.branch_id.in_(scope))
    rows = db.session.execute(query).all()
    roles: dict[int, set[str]] = defaultdict(set)
    for user_id, role in db.session.execute(
            select(UserRole.user_id, UserRole.role).join(User, User.id == UserRole.user_id)
            .where(User.active.is_(True))):
        roles[user_id].add(role)
    positions: dict[int, str] = {}
    for user_id, position in db.session.execute(
            select(PositionRecord.user_id, PositionRecord.position).join(User, User.id == PositionRecord.user_id)
            .where(User.active.is_(True), PositionRecord.end_date.is_(None))
            .order_by(PositionRecord.start_date, PositionRecord.id)):
        positions[user_id] = position  # the latest open stint, as User.current_position
    audience = programme.audience
    start = programme_start(programme) or date.min
    members = []
    # in_audience depends only on branch, position and roles: asked once per combination.
    decided: dict[tuple, bool] = {}
    for user_id, employee_no, name, branch_id in rows:
        position = positions.get(user_id)
        person_roles = roles.get(user_id, set())
        person = Person(id=user_id, employee_no=employee_no, name=name, branch=branches.get(branch_id),
                        roles=person_roles, current_position=OpenPosition(position) if position else None)
        key = (branch_id, position, frozenset(person_roles))
        if key not in decided:
            decided[key] = in_audience(person, audience)
        if decided[key]:
            members.append(Member(user=person, enrolled_on=start))
    members.sort(key=lambda m: (m.user.branch.code if m.user.branch else "", m.user.employee_no))
    return members
