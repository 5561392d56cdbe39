"""Who a programme is for, and from when. Its own module, with no exam
imports, so that the exam engine can ask "is this learner in a programme with
this exam?" (``lms.programmes.access``) without an import circle.

The audience is the programme file's rule (branches incl. sub-branches,
positions — ``rm_*`` covers every RM level — and roles; or a list of such
rules, any of which admits) plus HR's changes person by person
(``ProgrammeMember``): HR may add someone outside the rule; a removal wins over
the rule.

**Enrolment date** (``Member.enrolled_on``): the day the person entered the
audience, never before the programme's first day:

- HR added them and the rule does not cover them: the day HR added them;
- the rule covers them: the latest of the hire date, the start of the
  unbroken run of position records the rule covers (the current one and the
  covered ones just before it), the last move into a covered branch and the
  last role change that gave a covered role (both read from the audit log:
  ``user.updated`` / ``user.roles_changed``; the roles an account was created
  with are not a change); a date not known does not count.

Weeks due before the enrolment date are catch-up (补学): shown, takeable,
never overdue (``lms.programmes.services``)."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatch

from flask_babel import gettext as _
from sqlalchemy import func, inspect, select

from lms import clock
from lms.audit.models import AuditEvent
from lms.content.models import Programme, ProgrammeItem
from lms.extensions import db
from lms.org.models import POSITIONS, ROLES, Branch, PositionRecord, User, UserRole
from lms.programmes.models import ProgrammeMember

# Why a person is (or is not) in a programme's audience.
BY_RULE = "rule"
ADDED = "added"
REMOVED = "removed"


@dataclass(frozen=True)
class Stint:
    """One position record, as plain values."""
    position: str
    start_date: date
    end_date: date | None


@dataclass
class Person:
    """The facts of a person membership needs, read as plain rows for many
    people at once (``members``): duck-types ``User`` for the audience rule,
    the enrolment date and the pages that list members."""
    id: int
    employee_no: str
    name: str
    branch: Branch | None
    hire_date: date | None
    roles: set[str]
    positions: list[Stint]

    @property
    def branch_id(self) -> int | None:
        return self.branch.id if self.branch is not None else None

    @property
    def current_position(self) -> Stint | None:
        open_ = [p for p in self.positions if p.end_date is None]
        return open_[-1] if open_ else None


def _people() -> list[Person]:
    """Every active person, in 工号 order, in three statements (plain rows through the session's
    connection: the ORM's result machinery cost more than the rows for a bank's 20,000 people)."""
    branches = {b.id: b for b in db.session.scalars(select(Branch))}
    run = db.session.connection().execute
    roles: dict[int, set[str]] = defaultdict(set)
    for user_id, role in run(
            select(UserRole.user_id, UserRole.role).join(User, User.id == UserRole.user_id)
            .where(User.active.is_(True))):
        roles[user_id].add(role)
    stints: dict[int, list[Stint]] = defaultdict(list)
    for user_id, position, start, end in run(
            select(PositionRecord.user_id, PositionRecord.position, PositionRecord.start_date, PositionRecord.end_date)
            .join(User, User.id == PositionRecord.user_id).where(User.active.is_(True))
            .order_by(PositionRecord.start_date, PositionRecord.id)):
        stints[user_id].append(Stint(position, start, end))  # as User.positions: by start date
    rows = run(select(User.id, User.employee_no, User.name, User.branch_id, User.hire_date)
               .where(User.active.is_(True)).order_by(User.employee_no))
    return [Person(id=i, employee_no=no, name=name, branch=branches.get(branch_id), hire_date=hired,
                   roles=roles.get(i, set()), positions=stints.get(i, [])) for i, no, name, branch_id, hired in rows]


@dataclass
class Member:
    user: User | Person  # a Person from ``members`` (many people), the User from ``membership``
    enrolled_on: date  # weeks due before this day are catch-up
    source: str = BY_RULE  # "rule" (the file's branches/positions/roles) or "added" (by HR)
    reason: str = ""  # HR's reason, for a person HR added
    programme: Programme | None = None


def _parts(audience: dict) -> list[dict]:
    return audience["any"] if "any" in audience else [audience]


def _position_ok(position: str | None, patterns: list[str]) -> bool:
    if position is None:
        return False
    return any(position.startswith(p[:-1]) if p.endswith("*") else position == p for p in patterns)


def _branch_codes(user) -> set[str]:
    """The learner's branch and every branch above it: a programme for a
    branch covers its sub-branches."""
    codes = set()
    branch = user.branch
    while branch is not None:
        codes.add(branch.code)
        branch = branch.parent
    return codes


def _part_matches(user, part: dict, codes: set[str]) -> bool:
    """Empty or missing lists mean everyone; each non-empty list must match."""
    branches, positions, roles = (part.get(k) or [] for k in ("branches", "positions", "roles"))
    if branches and codes.isdisjoint(branches):
        return False
    if positions:
        current = user.current_position
        if not _position_ok(current.position if current else None, positions):
            return False
    return not (roles and user.roles.isdisjoint(roles))


def in_audience(user, audience: dict, codes: set[str] | None = None) -> bool:
    """Does the file's rule cover the user (HR's changes aside)?"""
    codes = _branch_codes(user) if codes is None else codes
    return any(_part_matches(user, part, codes) for part in _parts(audience))


# --- since when ----------------------------------------------------------------

class _History:
    """Branch moves and role changes from the audit log, for some people (one query)."""

    def __init__(self, user_ids: list[int] | None, branches: dict[str, set[str]]):
        self.branch_moves: dict[int, list[tuple[date, str | None]]] = defaultdict(list)
        self.role_changes: dict[int, list[tuple[date, set[str], set[str]]]] = defaultdict(list)
        self.branches = branches  # code → the codes of it and every branch above it
        if user_ids == []:
            return
        query = (select(AuditEvent.object_id, AuditEvent.action, AuditEvent.at, AuditEvent.details)
                 .where(AuditEvent.object_type == "user",
                        AuditEvent.action.in_(("user.updated", "user.roles_changed")))
                 .order_by(AuditEvent.seq))
        if user_ids is not None:
            query = query.where(AuditEvent.object_id.in_([str(i) for i in user_ids]))
        for object_id, action, at, details in db.session.execute(query):
            if not object_id.isdigit():
                continue
            data = json.loads(details or "{}")
            if action == "user.updated" and isinstance(data.get("branch"), dict):
                self.branch_moves[int(object_id)].append((clock.local_date(at), data["branch"].get("before")))
            elif action == "user.roles_changed":
                before = set(data.get("before") or [])
                if not before and int(object_id) not in self.role_changes:
                    # The roles an account was created with: they count from the
                    # hire date, not from the day the account was made.
                    self.role_changes[int(object_id)] = []
                    continue
                self.role_changes[int(object_id)].append((clock.local_date(at), before, set(data.get("after") or [])))

    def branch_since(self, user_id: int, wanted: set[str]) -> date | None:
        """The last move into a covered branch from one not covered."""
        for day, before in reversed(self.branch_moves.get(user_id, [])):
            if not (self.branches.get(before or "", set()) & wanted):
                return day
        return None

    def role_since(self, user_id: int, wanted: set[str]) -> date | None:
        for day, before, after in reversed(self.role_changes.get(user_id, [])):
            if (after & wanted) and not (before & wanted):
                return day
        return None


def _position_since(user, patterns: list[str]) -> date | None:
    stints = sorted(user.positions, key=lambda p: p.start_date)
    current = user.current_position
    if current is None:
        return None
    since = current.start_date
    for stint in reversed([s for s in stints if s.start_date < current.start_date]):
        if not _position_ok(stint.position, patterns):
            break
        since = stint.start_date
    return since


def _part_since(user, part: dict, history: _History) -> date | None:
    known = [user.hire_date]
    if part.get("positions"):
        known.append(_position_since(user, part["positions"]))
    if part.get("branches"):
        known.append(history.branch_since(user.id, set(part["branches"])))
    if part.get("roles"):
        known.append(history.role_since(user.id, set(part["roles"])))
    known = [d for d in known if d is not None]
    return max(known) if known else None


def first_day(programme: Programme) -> date | None:
    days = [item.opens_on for item in programme.items if not item.retired]
    return min(days) if days else None


def first_days(programmes: list[Programme]) -> dict[int, date | None]:
    """``first_day`` of each programme (id → day): from its items where they
    are loaded already, else in one statement for all the others (not a
    statement per programme loading every week of it)."""
    out = {p.id: first_day(p) for p in programmes if "items" in inspect(p).dict}
    rest = [p.id for p in programmes if p.id not in out]
    if rest:
        out.update({pid: None for pid in rest})
        out.update(db.session.execute(
            select(ProgrammeItem.programme_id, func.min(ProgrammeItem.opens_on))
            .where(ProgrammeItem.programme_id.in_(rest), ProgrammeItem.retired.is_(False))
            .group_by(ProgrammeItem.programme_id)).tuples().all())
    return out


def _member(user, programme: Programme, change: ProgrammeMember | None, codes: set[str],
            history: _History, start: date | None, today: date, audience: list[dict] | None = None) -> Member | None:
    """``audience``: ``_parts(programme.audience)``, read once by a caller asking for thousands of people."""
    if change is not None and not change.added:
        return None
    parts = [part for part in (_parts(programme.audience) if audience is None else audience)
             if _part_matches(user, part, codes)]
    if not parts and change is None:
        return None
    floor = start or date.min
    if parts:
        dates = [_part_since(user, part, history) or floor for part in parts]
        entered = min(dates)
        if change is not None:
            entered = min(entered, change.since)
        source, reason = (ADDED, change.reason) if change is not None and entered == change.since else (BY_RULE, "")
    else:
        entered, source, reason = change.since, ADDED, change.reason
    if entered > today:  # hired (promoted, moved) with effect from a later day: not yet
        return None
    return Member(user=user, enrolled_on=max(entered, floor), source=source, reason=reason, programme=programme)


def _branch_ancestry() -> dict[str, set[str]]:
    return _ancestry({b.id: (b.code, b.parent_id) for b in db.session.execute(select(Branch.id, Branch.code,
                                                                                     Branch.parent_id))})


def _ancestry(rows: dict[int, tuple[str, int | None]]) -> dict[str, set[str]]:
    """Branch code → the codes of it and every branch above it (``rows``: id → (code, parent id))."""
    out = {}
    for code, parent in rows.values():
        codes = {code}
        while parent is not None and parent in rows:
            codes.add(rows[parent][0])
            parent = rows[parent][1]
        out[code] = codes
    return out


def _needs_history(programme: Programme) -> bool:
    return any(part.get("branches") or part.get("roles") for part in _parts(programme.audience))


def members(programme: Programme, today: date | None = None) -> list[Member]:
    """Every active person in the programme's audience with their enrolment
    date, in employee-number order. The number of queries does not grow with
    the number of people (the roster's bulk call). ``today`` (the clock's by
    default) leaves out people who enter the audience only after it (a hire
    date or a position starting later); the rule and HR's changes are the ones
    in force now."""
    return members_of_each([programme], today)[programme.id]


def members_of_each(programmes: list[Programme], today: date | None = None) -> dict[int, list[Member]]:
    """``members`` of several programmes (programme id → members), reading
    the people once: the branch manager's panel lists every programme of a
    city's thousands of people."""
    today = today or clock.today()
    if not programmes:
        return {}
    changes: dict[int, dict[int, ProgrammeMember]] = defaultdict(dict)
    for c in db.session.scalars(select(ProgrammeMember).where(
            ProgrammeMember.programme_id.in_([p.id for p in programmes]))):
        changes[c.programme_id][c.user_id] = c
    ancestry = _branch_ancestry()
    users = _people()
    history = _History(None, ancestry) if any(map(_needs_history, programmes)) else _History([], ancestry)
    codes_of = {b_id: ancestry.get(code, set()) for b_id, code in
                db.session.execute(select(Branch.id, Branch.code))}
    out = {}
    for programme in programmes:
        start, mine, parts = first_day(programme), changes.get(programme.id, {}), _parts(programme.audience)
        out[programme.id] = [member for user in users if (member := _member(
            user, programme, mine.get(user.id), codes_of.get(user.branch_id, set()), history, start, today, parts))
            is not None]
    return out


def memberships(user, programmes: list[Programme], today: date | None = None,
                starts: dict[int, date | None] | None = None) -> dict[int, Member]:
    """The user's membership of each of ``programmes`` (programme id → Member)."""
    return memberships_of([user], programmes, today, starts)[user.id]


def memberships_of(users: list, programmes: list[Programme], today: date | None = None,
                   starts: dict[int, date | None] | None = None) -> dict[int, dict[int, Member]]:
    """``memberships`` of several people (user id → programme id → Member),
    in the same few statements as for one: the mentor's desk asks for forty
    apprentices at once. ``starts``: ``first_days(programmes)``, where the
    caller has read them already."""
    today = today or clock.today()
    out: dict[int, dict[int, Member]] = {user.id: {} for user in users}
    if not programmes or not users:
        return out
    user_ids = list(out)
    changes: dict[int, dict[int, ProgrammeMember]] = defaultdict(dict)
    for c in db.session.scalars(select(ProgrammeMember).where(
            ProgrammeMember.user_id.in_(user_ids), ProgrammeMember.programme_id.in_([p.id for p in programmes]))):
        changes[c.user_id][c.programme_id] = c
    rows = {b.id: (b.code, b.parent_id) for b in db.session.execute(select(Branch.id, Branch.code, Branch.parent_id))}
    ancestry = _ancestry(rows)
    history = _History(user_ids, ancestry) if any(map(_needs_history, programmes)) else _History([], {})
    starts = first_days(programmes) if starts is None else starts
    for user in users:
        codes = ancestry.get(rows[user.branch_id][0], set()) if user.branch_id in rows else set()
        mine = changes.get(user.id, {})
        for programme in programmes:
            member = _member(user, programme, mine.get(programme.id), codes, history, starts[programme.id], today)
            if member is not None:
                out[user.id][programme.id] = member
    return out


def membership(user, programme: Programme, today: date | None = None) -> Member | None:
    """Is the user in the programme's audience (rule and HR's changes), and since when?"""
    return memberships(user, [programme], today).get(programme.id)


def is_member(user, programme: Programme, today: date | None = None) -> bool:
    return membership(user, programme, today) is not None


def rule_in_words(programme: Programme) -> list[dict[str, str]]:
    """The programme file's audience rule in words (branch names, position and
    role labels, not the file's codes); one line per alternative."""
    audience = programme.audience
    parts = audience.get("any") if "any" in audience else [audience]
    names = dict(db.session.execute(select(Branch.code, Branch.name)).tuples().all())
    sep = _(", ")

    def words(codes, labels) -> str:
        if not codes:
            return _("all")
        # A wildcard (rm_*) stands for every position it matches.
        expanded = [k for c in codes for k in ([k for k in labels if fnmatch(k, c)] if "*" in c else [c])]
        return sep.join(str(labels.get(c, c)) for c in dict.fromkeys(expanded))

    return [{"branches": words(part.get("branches"), names), "positions": words(part.get("positions"), POSITIONS),
             "roles": words(part.get("roles"), ROLES)} for part in parts or [{}]]
