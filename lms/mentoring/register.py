"""HR's pairings register: the pairings (filtered by branch, mentor, state,
a search), the load of each mentor, and the apprentices without a mentor;
each also as a table for the XLSX/CSV download. Read only.

The branch scope (``lms.org.scope``) applies to the apprentice for pairings,
and to the person for mentors and for people without a mentor: a branch
manager reads their branch tree, HR and administrators the whole bank.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import exists, false, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from lms import punctuation
from lms.extensions import db
from lms.mentoring import settings
from lms.mentoring.models import Pairing, PairingState
from lms.mentoring.pairing import STATE_LABELS, rule_refusals
from lms.org.models import POSITIONS, PositionRecord, User, UserRole
from lms.text_search import matching

# Who counts as "without a mentor": an active account with the learner role,
# not a mentor, whose current post is one of these, and no active pairing.
UNPAIRED_POSITIONS = ("intern", "teller", "rm_junior", "rm_intermediate")
PER_PAGE = 100  # rows on one page of each register tab (pairings, mentors, without a mentor)
# The pairings filter's extra state: active pairings HR must change or end (``pairing.attention``).
ATTENTION = "attention"


@dataclass
class RegisterFilter:
    branch_ids: list[int] | None = None  # a branch subtree, None: any
    mentor_id: int | None = None
    state: str = ""
    q: str = ""


@dataclass
class MentorLoad:
    mentor: User
    active: int
    capacity: int
    refusals: list[str] = field(default_factory=list)  # why they may not take an apprentice (rule)

    @property
    def full(self) -> bool:
        return self.active >= self.capacity


def _in_scope(column, scope: list[int] | None, branch_ids: list[int] | None):
    conditions = []
    if scope is not None:
        conditions.append(column.in_(scope) if scope else false())
    if branch_ids is not None:
        conditions.append(column.in_(branch_ids))
    return conditions


@dataclass
class Page:
    """One page of a register tab: its rows, how many match in all, which page
    of how many (every tab pages the same way; the downloads never do)."""
    rows: list
    total: int  # how many match in all
    page: int
    pages: int


def _bounds(total: int, page: int) -> tuple[int, int]:
    """(page, pages): a page before the first shows the first, past the last the last."""
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    return min(max(page, 1), pages), pages


def pairings(scope: list[int] | None, flt: RegisterFilter, page: int | None = 1) -> Page:
    """The pairings that match, newest first with active ones on top, one page
    of ``PER_PAGE`` (a page past the last shows the last); ``page`` None: every
    one (the download)."""
    apprentice, mentor = aliased(User), aliased(User)
    conditions = _in_scope(apprentice.branch_id, scope, flt.branch_ids)
    if flt.mentor_id:
        conditions.append(Pairing.mentor_id == flt.mentor_id)
    if flt.state in STATE_LABELS:
        conditions.append(Pairing.state == flt.state)
    elif flt.state == ATTENTION:
        # What ``pairing.attention`` names: an active pairing whose mentor left or lost the role,
        # or whose apprentice left.
        mentor_role = exists().where(UserRole.user_id == mentor.id, UserRole.role == "mentor")
        conditions += [Pairing.state == PairingState.ACTIVE,
                       or_(mentor.active.is_(False), apprentice.active.is_(False), ~mentor_role)]
    if flt.q:
        conditions.append(matching(flt.q, names=(apprentice.name, mentor.name),
                                   codes=(apprentice.employee_no, mentor.employee_no)))
    base = (select(Pairing).join(apprentice, apprentice.id == Pairing.apprentice_id)
            .join(mentor, mentor.id == Pairing.mentor_id).where(*conditions))
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    query = (base.options(selectinload(Pairing.mentor).selectinload(User.branch),
                          selectinload(Pairing.apprentice).selectinload(User.branch))
             .order_by((Pairing.state != PairingState.ACTIVE), Pairing.start_date.desc(), Pairing.id.desc()))
    pages = 1
    if page is not None:
        page, pages = _bounds(total, page)
        query = query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    return Page(list(db.session.scalars(query)), total, page or 1, pages)


def mentors(scope: list[int] | None, branch_ids: list[int] | None = None) -> list[MentorLoad]:
    """Every active mentor in scope with their active pairings and capacity,
    the fullest first, and whether they meet the mentor rule today."""
    return mentors_page(scope, branch_ids, page=None).rows


def mentors_page(scope: list[int] | None, branch_ids: list[int] | None = None, page: int | None = 1) -> Page:
    """The mentors' load, one page of ``PER_PAGE`` in the order of ``mentors``
    (``page`` None: every one). The order (active over capacity, HR's
    per-mentor capacities) is made here from two small queries; the mentor
    rule, which reads each person's posts and certificates, is checked only
    for the mentors on the page."""
    people = list(db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "mentor", User.active.is_(True), *_in_scope(User.branch_id, scope, branch_ids))
        .options(selectinload(User.branch)).order_by(User.employee_no)))
    counts = dict(db.session.execute(
        select(Pairing.mentor_id, func.count()).where(Pairing.state == PairingState.ACTIVE)
        .group_by(Pairing.mentor_id)).tuples().all())
    overrides, default = settings.capacity_overrides(), settings.default_capacity()
    loads = sorted((MentorLoad(m, counts.get(m.id, 0), overrides.get(m.id, default)) for m in people),
                   key=lambda load: (-load.active / max(load.capacity, 1), load.mentor.employee_no))
    total, pages = len(loads), 1
    if page is not None:
        page, pages = _bounds(total, page)
        loads = loads[(page - 1) * PER_PAGE:page * PER_PAGE]
    rule = settings.mentor_rule()
    for load in loads:
        load.refusals = rule_refusals(load.mentor, rule)
    return Page(loads, total, page or 1, pages)


def mentor_choices(scope: list[int] | None) -> list[tuple[int, str]]:
    """Everyone who mentors (or mentored) someone in scope, for the filter."""
    apprentice = aliased(User)
    rows = db.session.execute(
        select(User.id, User.employee_no, User.name).where(User.id.in_(
            select(Pairing.mentor_id).join(apprentice, apprentice.id == Pairing.apprentice_id)
            .where(*_in_scope(apprentice.branch_id, scope, None))))
        .order_by(User.employee_no)).all()
    return [(r.id, f"{r.name}{punctuation.aside(r.employee_no)}") for r in rows]


def unpaired(scope: list[int] | None, branch_ids: list[int] | None = None) -> list[User]:
    """Learners without an active mentor (``UNPAIRED_POSITIONS`` above)."""
    return unpaired_page(scope, branch_ids, page=None).rows


def unpaired_page(scope: list[int] | None, branch_ids: list[int] | None = None, page: int | None = 1) -> Page:
    """The people without a mentor, one page of ``PER_PAGE`` (``page`` None:
    every one), counted and paged by the database."""
    conditions = _unpaired(scope, branch_ids)
    query = (select(User).where(*conditions).options(selectinload(User.branch))
             .order_by(User.branch_id, User.employee_no))
    pages = 1
    if page is not None:
        total = db.session.scalar(select(func.count(User.id)).where(*conditions)) or 0
        page, pages = _bounds(total, page)
        query = query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    rows = list(db.session.scalars(query))
    return Page(rows, total if page is not None else len(rows), page or 1, pages)


def unpaired_count(scope: list[int] | None) -> int:
    """How many people in scope are without a mentor (the home panel's figure)."""
    return db.session.scalar(select(func.count(User.id)).where(*_unpaired(scope, None))) or 0


def _unpaired(scope: list[int] | None, branch_ids: list[int] | None) -> tuple:
    paired = exists().where(Pairing.apprentice_id == User.id, Pairing.state == PairingState.ACTIVE)
    return (*_may_be_paired(scope, branch_ids), ~paired)


def _may_be_paired(scope: list[int] | None, branch_ids: list[int] | None) -> tuple:
    """Who takes a mentor, paired or not: active learners, not mentors themselves, in one of
    ``UNPAIRED_POSITIONS``, in scope."""
    has_role = lambda role: exists().where(UserRole.user_id == User.id, UserRole.role == role)  # noqa: E731
    in_post = exists().where(PositionRecord.user_id == User.id, PositionRecord.end_date.is_(None),
                             PositionRecord.position.in_(UNPAIRED_POSITIONS))
    return (User.active.is_(True), has_role("learner"), ~has_role("mentor"), in_post,
            *_in_scope(User.branch_id, scope, branch_ids))


def anyone_to_pair(scope: list[int] | None, branch_ids: list[int] | None = None) -> bool:
    """Whether anyone in scope takes a mentor at all: an empty list of people without a mentor
    says "everyone has one" only then, and "nobody here takes a mentor yet" otherwise."""
    return db.session.scalar(select(User.id).where(*_may_be_paired(scope, branch_ids)).limit(1)) is not None


def apprentice_choices(scope: list[int] | None) -> list[User]:
    return unpaired(scope)


def position_label(user: User) -> str:
    current = user.current_position
    return str(POSITIONS.get(current.position, current.position)) if current else ""


# --- downloads ------------------------------------------------------------------------------

def pairings_table(rows: list[Pairing]) -> tuple[list[str], list[list]]:
    headers = [_("Apprentice employee number"), _("Apprentice"), _("Apprentice's branch"), _("Mentor employee number"),
               _("Mentor"), _("State"), _("Start date"), _("Planned end date"), _("Ended on"), _("End reason"),
               _("Goals")]
    body = [[p.apprentice.employee_no, p.apprentice.name, p.apprentice.branch.name if p.apprentice.branch else "",
             p.mentor.employee_no, p.mentor.name, str(STATE_LABELS.get(p.state, p.state)), p.start_date,
             p.planned_end_date, p.ended_on, p.end_reason, p.goals] for p in rows]
    return headers, body


def mentors_table(loads: list[MentorLoad]) -> tuple[list[str], list[list]]:
    headers = [_("Employee number"), _("Name"), _("Branch"), _("Position"), _("Active apprentices"), _("Capacity"),
               _("Meets the mentor rule")]
    body = [[m.mentor.employee_no, m.mentor.name, m.mentor.branch.name if m.mentor.branch else "",
             position_label(m.mentor), m.active, m.capacity, _("Yes") if not m.refusals else punctuation.statements(m.refusals)]
            for m in loads]
    return headers, body


def unpaired_table(people: list[User]) -> tuple[list[str], list[list]]:
    headers = [_("Employee number"), _("Name"), _("Branch"), _("Position"), _("Hire date")]
    body = [[u.employee_no, u.name, u.branch.name if u.branch else "", position_label(u), u.hire_date]
            for u in people]
    return headers, body

