"""Use cases on people and the organisation. Each records what it changed in the
audit log; the caller commits (so a whole request, or a whole import, is one
transaction)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from lms.audit import services as audit
from lms.auth.passwords import hash_password
from lms.extensions import db
from lms.org.models import POSITIONS, ROLES, Branch, PositionRecord, User, UserRole


class OrgError(ValueError):
    """A change refused by the organisation's rules; the message is for the user."""


def create_branch(code: str, name: str, parent: Branch | None = None) -> Branch:
    branch = Branch(code=code, name=name, parent=parent)
    db.session.add(branch)
    db.session.flush()
    audit.record("branch.created", branch, code=code, name=name, parent=parent.code if parent else None)
    return branch


def create_user(employee_no: str, name: str, *, branch: Branch | None = None, roles=("learner",),
                password: str | None = None, position: str | None = None,
                position_start: date | None = None, hire_date: date | None = None,
                locale: str = "zh_CN", must_change_password: bool = False) -> User:
    if db.session.scalar(select(User.id).where(User.employee_no == employee_no)):
        raise OrgError(f"employee number {employee_no} exists already")
    user = User(employee_no=employee_no, name=name, branch=branch, hire_date=hire_date, locale=locale,
                password_hash=hash_password(password) if password else "",
                must_change_password=must_change_password)
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", user, employee_no=employee_no, name=name,
                 branch=branch.code if branch else None)
    set_roles(user, roles)
    if position:
        change_position(user, position, position_start or hire_date or date.today())
    return user


def set_roles(user: User, roles) -> bool:
    """Give the user exactly these roles. Returns whether anything changed."""
    wanted = set(roles)
    unknown = wanted - set(ROLES)
    if unknown:
        raise OrgError(f"unknown role(s): {', '.join(sorted(unknown))}")
    before = user.roles
    if wanted == before:
        return False
    for row in list(user.role_rows):
        if row.role not in wanted:
            user.role_rows.remove(row)
    for role in sorted(wanted - before):
        user.role_rows.append(UserRole(role=role))
    db.session.flush()
    audit.record("user.roles_changed", user, before=sorted(before), after=sorted(wanted))
    return True


def change_position(user: User, position: str, start: date, note: str = "") -> PositionRecord | None:
    """Close the current position the day before ``start`` and open the new one.
    Moving into the position one already holds changes nothing."""
    if position not in POSITIONS:
        raise OrgError(f"unknown position: {position}")
    current = user.current_position
    if current and current.position == position:
        return None
    if current:
        if start <= current.start_date:
            raise OrgError("the new position must start after the current one started")
        current.end_date = start.fromordinal(start.toordinal() - 1)
    record = PositionRecord(position=position, start_date=start, note=note)
    user.positions.append(record)
    db.session.flush()
    audit.record("user.position_changed", user, before=current.position if current else None,
                 after=position, start=start.isoformat(), note=note)
    return record


def deactivate(user: User, reason: str = "") -> None:
    """Disable sign-in and end every session of the user."""
    if not user.active:
        return
    user.active = False
    user.session_version += 1
    audit.record("user.deactivated", user, reason=reason)


def reactivate(user: User) -> None:
    if user.active:
        return
    user.active = True
    audit.record("user.reactivated", user)
