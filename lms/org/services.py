"""Use cases on people and the organisation. Each records what it changed in the
audit log; the caller commits (so a whole request, or a whole import, is one
transaction).

Rules enforced here, whoever calls (web, import, command line):
- only an administrator may grant or take away the ``admin`` role, or manage
  (edit, deactivate, reset the password of, change the roles or the position of)
  an administrator;
- nobody decides their own case (``lms.own_case``): their roles, name, branch, hire date,
  position, deactivation or reactivation (e-mail and language they may change);
- the last active administrator keeps the role and the account (``admins``);
- HR grants or removes the ``trainer`` role only when an administrator allowed it
  (``lms.org.settings.HR_MAY_GRANT_TRAINER``);
- a position change closes the previous stint the day before the new one starts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from lms import clock
from lms.audit import services as audit
from lms.audit.models import AuditEvent
from lms.auth.passwords import hash_password
from lms.database import transaction
from lms.extensions import db
from lms.org import admins, dependents, employee_numbers, position_gates, settings
from lms.org.models import LOCALES, POSITIONS, ROLES, Branch, PositionRecord, User, UserRole
from lms.org.temporary_passwords import generate_temporary_password, hash_temporary_password
from lms.own_case import own_case
from lms.text_search import matching


class OrgError(ValueError):
    """A change refused by the organisation's rules; the message is for the user."""


class NotAllowed(OrgError):
    """Refused because of who asks (the views answer 403); the message says why."""


class OwnRecord(NotAllowed):
    """The actor would change their own record; ``field`` names what (a form field)."""
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _refuse_own(actor: User | None, user: User, field: str, message: str) -> None:
    if own_case(actor, user.id):
        raise OwnRecord(field, message)


# --- finding people -----------------------------------------------------------

@dataclass
class PeopleFilter:
    q: str = ""
    branch_id: int | None = None
    role: str = ""
    position: str = ""
    status: str = "active"  # active | inactive | all


@dataclass
class PeoplePage:
    users: list[User]
    total: int
    page: int
    pages: int


def find_people(flt: PeopleFilter, page: int = 1, per_page: int = 25) -> PeoplePage:
    """People matching the filter, by employee number. A branch includes its
    sub-branches; the position is the current one."""
    stmt = select(User)
    if flt.q:
        stmt = stmt.where(matching(flt.q, names=(User.name,), codes=(User.employee_no,)))
    if flt.branch_id:
        branch = db.session.get(Branch, flt.branch_id)
        stmt = stmt.where(User.branch_id.in_(branch.subtree_ids() if branch else [-1]))
    if flt.role:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == flt.role)))
    if flt.position:
        stmt = stmt.where(User.id.in_(select(PositionRecord.user_id).where(
            PositionRecord.position == flt.position, PositionRecord.end_date.is_(None))))
    if flt.status == "active":
        stmt = stmt.where(User.active.is_(True))
    elif flt.status == "inactive":
        stmt = stmt.where(User.active.is_(False))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    users = db.session.scalars(stmt.order_by(User.employee_no).limit(per_page).offset((page - 1) * per_page)
                               .options(joinedload(User.branch))).all()
    return PeoplePage(users, total, page, pages)


def person_events(user: User, limit: int = 100) -> list[AuditEvent]:
    """The audit events about this person, newest first."""
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "user", AuditEvent.object_id == str(user.id))
        .order_by(AuditEvent.seq.desc()).limit(limit)
    ).all()


def employee_no_taken(employee_no: str) -> str | None:
    """The existing 工号 that ``employee_no`` is, full-width or upper and lower case aside
    (``lms.org.employee_numbers``), or None when it is free."""
    employee_no = employee_numbers.normalise(employee_no)
    return db.session.scalar(select(func.min(User.employee_no)).where(
        func.lower(User.employee_no) == employee_no.lower()))


def zero_padded_employee_numbers(numbers) -> dict[str, str]:
    """For 工号 an import read from number cells (Excel turned 00123 into 123):
    number → the one existing 工号 that is it with leading zeros. A number that
    is someone's 工号 as it stands, or that two padded 工号 share, is left out."""
    numbers = {n for n in numbers if n.isdigit()}
    if not numbers:
        return {}
    rows = db.session.execute(select(User.employee_no, func.ltrim(User.employee_no, "0")).where(
        User.employee_no.like("0%"), func.ltrim(User.employee_no, "0").in_(numbers))).all()
    as_is = set(db.session.scalars(select(User.employee_no).where(User.employee_no.in_(numbers))))
    found: dict[str, list[str]] = {}
    for employee_no, stripped in rows:
        found.setdefault(stripped, []).append(employee_no)
    return {n: padded[0] for n, padded in found.items() if len(padded) == 1 and n not in as_is}


# --- who may do what ------------------------------------------------------------

def may_manage(actor: User | None, user: User) -> bool:
    """Administrators are managed by administrators only (``actor`` None: the system)."""
    return actor is None or "admin" not in user.roles or "admin" in actor.roles


def _require_may_manage(actor: User | None, user: User) -> None:
    if not may_manage(actor, user):
        raise NotAllowed(_("Only an administrator may change an administrator's account."))


def assignable_roles(actor: User | None, user: User | None = None) -> set[str]:
    """The roles ``actor`` may grant to or take from ``user`` (None: a new person)."""
    if actor is None:
        return set(ROLES)
    if user is not None and (own_case(actor, user.id) or not may_manage(actor, user)):
        return set()
    if "admin" in actor.roles:
        return set(ROLES)
    roles = set(ROLES) - {"admin"}
    if not settings.flag(settings.HR_MAY_GRANT_TRAINER):
        roles.discard("trainer")
    return roles


def require_may_change_roles(actor: User | None, user: User | None, changed: set[str]) -> None:
    refused = changed - assignable_roles(actor, user)
    if not refused:
        return
    if user is not None and own_case(actor, user.id):
        raise NotAllowed(_("You cannot change your own roles; ask an administrator."))
    if user is not None:
        _require_may_manage(actor, user)
    if "admin" in refused and user is None:
        raise NotAllowed(_("Only an administrator may grant the administrator role."))
    if "admin" in refused:
        raise NotAllowed(_("Only an administrator may grant or remove the administrator role."))
    raise NotAllowed(_("Only an administrator may grant or remove the trainer role; an administrator can "
                       "allow HR to on the system settings page."))


def _require_another_admin(user: User, roles_after: set) -> None:
    if (problem := admins.last_admin_problem(user, roles_after)) is not None:
        raise OrgError(problem)


# --- people ---------------------------------------------------------------------

@transaction(immediate=True)
def create_user(employee_no: str, name: str, *, branch: Branch | None = None, roles=("learner",),
                password: str | None = None, position: str | None = None,
                position_start: date | None = None, hire_date: date | None = None,
                locale: str = "zh_CN", must_change_password: bool = False, actor: User | None = None,
                note: str = "", temporary_password: str | None = None, email: str | None = None,
                override_reason: str = "") -> User:
    """A new person. ``temporary_password`` (from generate_temporary_password) is
    one they must change at their first sign-in; ``password`` one they chose.
    A first position that a gate guards needs eligibility or HR's
    ``override_reason``, as any move into it (``change_position``)."""
    employee_no, name = employee_numbers.normalise(employee_no), name.strip()
    if problem := employee_numbers.problem(employee_no):
        raise OrgError(problem)
    if taken := employee_no_taken(employee_no):
        raise OrgError(_("Employee number %(no)s exists already.", no=taken))
    require_may_change_roles(actor, None, set(roles))
    if temporary_password:
        password_hash, must_change_password = hash_temporary_password(temporary_password), True
    else:
        password_hash = hash_password(password) if password else ""
    user = User(employee_no=employee_no, name=name, branch=branch, hire_date=hire_date, locale=locale,
                password_hash=password_hash, must_change_password=must_change_password, email=email or None)
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", user, employee_no=employee_no, name=name,
                 branch=branch.code if branch else None)
    set_roles(user, roles)  # checked above
    if position:
        change_position(user, position, position_start or hire_date or clock.today(), note=note, actor=actor,
                        override_reason=override_reason)
    return user


@transaction(immediate=True)
def renumber(user: User, employee_no: str, reason: str, *, actor: User | None = None) -> str:
    """Give ``user`` another 工号; returns the one they had. The way out of two 工号 that differ only in
    case (``models.case_twins``), which nothing finds by 工号 until one is changed: the new one follows
    every rule of a new 工号 (``employee_numbers``, free in any case). Audited with both and the reason."""
    employee_no, reason = employee_numbers.normalise(employee_no), reason.strip()
    if problem := employee_numbers.problem(employee_no):
        raise OrgError(problem)
    if not employee_no or len(employee_no) > 32:
        raise OrgError(_("An employee number has 1 to 32 characters."))
    if taken := employee_no_taken(employee_no):
        raise OrgError(_("Employee number %(no)s exists already.", no=taken))
    if not reason:
        raise OrgError(_("Give the reason for the new employee number."))
    before, user.employee_no = user.employee_no, employee_no
    audit.record("user.renumbered", user, actor=actor, before=before, after=employee_no, reason=reason)
    return before


@transaction(immediate=True)
def update_user(user: User, *, actor: User | None = None, name: str | None = None,
                branch: Branch | None | object = ..., hire_date: date | None | object = ...,
                locale: str | None = None, email: str | None | object = ...) -> dict:
    """Change a person's facts; returns {field: (before, after)} of what changed."""
    _require_may_manage(actor, user)
    if name is not None and name.strip() != user.name:
        _refuse_own(actor, user, "name", _("You cannot change your own name; ask another HR colleague."))
    if branch is not ... and branch is not user.branch:
        _refuse_own(actor, user, "branch_id", _("You cannot change your own branch; ask another HR colleague."))
    if hire_date is not ... and hire_date != user.hire_date:
        _refuse_own(actor, user, "hire_date", _("You cannot change your own hire date; ask another HR colleague."))
    changes = {}
    if name is not None and name.strip() != user.name:
        changes["name"] = (user.name, name.strip())
        user.name = name.strip()
    if branch is not ... and branch is not user.branch:
        changes["branch"] = (user.branch.code if user.branch else None, branch.code if branch else None)
        user.branch = branch
    if hire_date is not ... and hire_date != user.hire_date:
        changes["hire_date"] = (user.hire_date, hire_date)
        user.hire_date = hire_date
    if email is not ... and (email or None) != user.email:
        changes["email"] = (user.email, email or None)
        user.email = email or None
    if locale is not None and locale != user.locale:
        if locale not in LOCALES:
            raise OrgError(_("Unknown language."))
        changes["locale"] = (user.locale, locale)
        user.locale = locale
    if changes:
        audit.record("user.updated", user, **{k: {"before": b, "after": a} for k, (b, a) in changes.items()})
    return changes


def _end_dependents(user: User, *, roles_after: set, active_after: bool, reason: str, actor: User | None) -> int:
    """End what the change leaves without someone to act (``dependents``),
    in the caller's transaction, with HR's reason."""
    reason = (reason or "").strip()
    if not reason:
        raise OrgError(_("Give a reason for ending them."))
    if len(reason) > dependents.REASON_MAX:
        raise OrgError(_("The reason is longer than %(n)d characters.", n=dependents.REASON_MAX))
    return dependents.end_all(user, roles_after=roles_after, active_after=active_after, reason=reason, actor=actor)


@transaction(immediate=True)
def set_roles(user: User, roles, *, actor: User | None = None, end_dependents: bool = False,
              reason: str = "") -> bool:
    """Give the user exactly these roles. Returns whether anything changed.
    ``end_dependents``: also end what losing a role leaves without someone to
    act (a mentor's pairings), with ``reason``, in the same transaction."""
    wanted = set(roles)
    unknown = wanted - set(ROLES)
    if unknown:
        raise OrgError(_("Unknown role: %(roles)s", roles=", ".join(sorted(unknown))))
    if not wanted:
        raise OrgError(_("A person needs at least one role."))
    before = user.roles
    if wanted == before:
        return False
    require_may_change_roles(actor, user, before ^ wanted)
    _require_another_admin(user, roles_after=wanted)
    for row in list(user.role_rows):
        if row.role not in wanted:
            user.role_rows.remove(row)
    for role in sorted(wanted - before):
        user.role_rows.append(UserRole(role=role))
    audit.record("user.roles_changed", user, before=sorted(before), after=sorted(wanted))
    if end_dependents:
        _end_dependents(user, roles_after=wanted, active_after=user.active, reason=reason, actor=actor)
    return True


def may_override_eligibility(actor: User | None) -> bool:
    """HR and administrators (and the system, ``actor`` None) may move a person
    into a gated position they are not eligible for, with a reason."""
    return actor is None or actor.has_role("hr")


def check_position_gates(user: User, position: str, override_reason: str = "", *, actor: User | None = None,
                         gates: position_gates.Gates | None = None) -> list[position_gates.Check]:
    """The rules (``position_gates``) that stop ``user`` from entering
    ``position``. Without an override reason a refusal is an OrgError naming
    the unmet conditions with their evidence; with one, only HR may pass, and
    never for themselves (an override is a second person's judgement)."""
    refused = gates.refusals(user, position) if gates is not None else position_gates.refusals(user, position)
    return judge_gates(user.name, position, refused, override_reason, actor=actor, own=own_case(actor, user.id))


def judge_gates(name: str, position: str, refused: list[position_gates.Check], override_reason: str, *,
                actor: User | None, own: bool = False) -> list[position_gates.Check]:
    """``check_position_gates`` once the gates have answered (``refused``) about
    the person called ``name``; ``own``: the actor is that person."""
    if not refused:
        return []
    if not override_reason.strip():
        raise OrgError(_("%(name)s is not eligible for %(position)s: %(conditions)s. HR may override with a reason.",
                         name=name, position=POSITIONS[position], conditions=position_gates.describe(refused)))
    if not may_override_eligibility(actor):
        raise NotAllowed(_("Only HR may override an eligibility rule."))
    if own:
        raise NotAllowed(_("You cannot override an eligibility rule for yourself; ask another HR colleague."))
    return refused


@transaction(immediate=True)
def change_position(user: User, position: str, start: date, note: str = "", *, actor: User | None = None,
                    override_reason: str = "", gates: position_gates.Gates | None = None) -> PositionRecord | None:
    """Close the current position the day before ``start`` and open the new one.
    Moving into the position one already holds changes nothing. A position a
    gate guards (job-entry eligibility) needs the person to be eligible, as of
    today, or HR's ``override_reason`` (audited with the unmet conditions).
    ``gates``: the gates prepared for many moves (``position_gates.prepare``)."""
    _require_may_manage(actor, user)
    if position not in POSITIONS:
        raise OrgError(_("Unknown position: %(position)s", position=position))
    current = user.current_position
    if current and current.position == position:
        return None
    # Which post one works, and from when (tenure counts from it), is someone else's decision.
    _refuse_own(actor, user, "position", _("You cannot change your own position; ask another HR colleague."))
    if current and start <= current.start_date:
        raise OrgError(_("The new position must start after the current one started (%(day)s).",
                         day=current.start_date.isoformat()))
    if start > clock.today():  # an open record counts at once everywhere: one dated ahead would start early
        raise OrgError(_("Start date: a position change is recorded on the day it takes effect, not before "
                         "(today is %(today)s).", today=clock.today().isoformat()))
    overridden = check_position_gates(user, position, override_reason, actor=actor, gates=gates)
    if current:
        current.end_date = start - timedelta(days=1)
    record = PositionRecord(position=position, start_date=start, note=note.strip())
    user.positions.append(record)
    audit.record("user.position_changed", user, before=current.position if current else None,
                 after=position, start=start.isoformat(), note=note.strip())
    if overridden:
        audit.record("user.eligibility_override", user, actor=actor, after=position, reason=override_reason.strip(),
                     unmet=[f"{c.rule}: {u}" for c in overridden for u in c.unmet])
    return record


@transaction(immediate=True)
def deactivate(user: User, reason: str = "", *, actor: User | None = None, end_dependents: bool = False) -> None:
    """Disable sign-in and end every session of the user. ``end_dependents``:
    also end what the account leaves without someone to act (the pairings of
    a mentor or an apprentice), with the same reason, in the same transaction;
    otherwise those stay, flagged for HR (需处理)."""
    if own_case(actor, user.id):
        raise OrgError(_("You cannot deactivate yourself."))
    _require_may_manage(actor, user)
    if not user.active:
        return
    _require_another_admin(user, roles_after=set())
    user.active = False
    user.session_version += 1
    audit.record("user.deactivated", user, reason=reason)
    if end_dependents:
        _end_dependents(user, roles_after=user.roles, active_after=False, reason=reason, actor=actor)


@transaction(immediate=True)
def reactivate(user: User, reason: str = "", *, actor: User | None = None) -> None:
    _refuse_own(actor, user, "reason", _("You cannot reactivate yourself; ask another HR colleague."))
    _require_may_manage(actor, user)
    if user.active:
        return
    user.active = True
    audit.record("user.reactivated", user, reason=reason)


@transaction()
def set_locale(user: User, locale: str) -> None:
    """The language the user's pages are shown in (one of ``LOCALES``)."""
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r}")
    user.locale = locale


@transaction(immediate=True)
def reset_password(user: User, *, actor: User | None = None) -> str:
    """Give the user a new random password they must change at their next sign-in;
    their sessions end. Returns the password, to be shown once and never stored."""
    _require_may_manage(actor, user)
    password = generate_temporary_password()
    user.password_hash = hash_temporary_password(password)
    user.session_version += 1
    user.must_change_password = True
    audit.record("user.password_reset", user)
    return password
