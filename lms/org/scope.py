"""Whose people a user may see: the branch scope of HR, trainers and branch managers.

HR, trainers and administrators see the whole bank. A branch manager (机构负责人)
sees the people of their own branch and every sub-branch under it, and nobody
else. Reports that list people (the roster, rankings, alerts) ask here, so the
rule is written once."""
from __future__ import annotations

from sqlalchemy import select

from lms.extensions import db
from lms.org.models import User, UserRole

WHOLE_BANK_ROLES = ("hr", "trainer", "admin")


def sees_whole_bank(user) -> bool:
    return user.has_role(*WHOLE_BANK_ROLES)


def branch_scope(user) -> list[int] | None:
    """The branch ids whose people ``user`` may see: ``None`` for the whole
    bank, the branch subtree for a branch manager, ``[]`` for nobody."""
    if sees_whole_bank(user):
        return None
    if "branch_manager" in user.roles and user.branch is not None:
        return user.branch.subtree_ids()
    return []


def may_see_person(user, person: User) -> bool:
    scope = branch_scope(user)
    return scope is None or person.branch_id in scope


def hr_of(person: User) -> list[User]:
    """The active HR users who look after ``person``: those of the person's
    branch and of every branch above it; when there are none, every active
    HR user (HR sees the whole bank, and someone must hear)."""
    ids = []
    branch = person.branch
    while branch is not None:
        ids.append(branch.id)
        branch = branch.parent
    query = (select(User).join(UserRole, UserRole.user_id == User.id)
             .where(UserRole.role == "hr", User.active.is_(True), User.id != person.id).order_by(User.employee_no))
    near = list(db.session.scalars(query.where(User.branch_id.in_(ids)))) if ids else []
    return near or list(db.session.scalars(query))


def branch_managers_of(person: User) -> list[User]:
    """The active branch managers whose scope includes ``person``: those of
    the person's branch and of every branch above it."""
    ids = []
    branch = person.branch
    while branch is not None:
        ids.append(branch.id)
        branch = branch.parent
    if not ids:
        return []
    return list(db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "branch_manager", User.active.is_(True), User.branch_id.in_(ids))
        .order_by(User.employee_no)))
