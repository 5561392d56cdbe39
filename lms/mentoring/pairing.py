"""Pairing a mentor with an apprentice, ending a pairing and changing the
mentor: the rules HR's pages and the bulk import share.

A pairing is refused, with the rule and its figures, when the mentor does
not hold the mentor role or does not meet HR's mentor rule
(``lms.mentoring.settings``: a position at or above a grade, months at or
above it summed across stints, a valid certificate if HR requires one), when
the mentor's active pairings reach their capacity, when the apprentice has an
active mentor already, when mentor and apprentice are the same person, when
either account is deactivated, the apprentice is not a learner, or the dates
do not make sense, or when the person making it is the mentor or the
apprentice (nobody makes, changes or ends their own pairing, as nobody
changes their own roles: the mentor who signs someone off is chosen by
someone else). History is never deleted: ending and changing keep the old
pairing with when, who and why.

Concurrency: each service takes SQLite's write lock up front (``BEGIN
IMMEDIATE``) and on PostgreSQL locks the two people's rows, so two HR users
pairing the same apprentice, or filling the same mentor's last place, at once
are served one after the other: the second is refused with the rule's message.
The partial unique index (one active pairing per apprentice) backs this up;
its violation becomes the same kind of message, never a 500.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_pgettext, ngettext
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from lms import clock
from lms.audit import services as audit
from lms.certificates.models import Certificate
from lms.content.models import Certification
from lms.database import transaction
from lms.extensions import db
from lms.mentoring import markup, pairing_notices, settings
from lms.mentoring.models import Pairing, PairingState
from lms.org.dependents import Dependents
from lms.org.models import POSITIONS, User
from lms.punctuation import aside, sentences

STATE_LABELS = {
    PairingState.ACTIVE: lazy_pgettext("pairing state", "Active"),
    PairingState.ENDED: lazy_pgettext("pairing state", "Ended"),
    PairingState.SIGNED_OFF: lazy_pgettext("pairing state", "Signed off"),
}
# The register's filter for pairings HR must change or end (``attention``), and their badge.
ATTENTION_LABEL = lazy_pgettext("pairing", "Needs attention")
MAX_GOALS = 2000
MAX_REASON = 255
# How far from today a start date may lie.
START_WINDOW = timedelta(days=366)
# The longest a pairing may be planned for.
PAIRING_LONGEST = timedelta(days=731)

# Which field a refusal is about (the import turns these into its columns).
MENTOR, APPRENTICE, START, END, GOALS = "mentor", "apprentice", "start", "end", "goals"


class PairingError(ValueError):
    """A pairing change that is refused; ``problems`` are (field, message)."""

    def __init__(self, problems: list[tuple[str, str]] | str):
        if isinstance(problems, str):
            problems = [("", problems)]
        self.problems = problems
        super().__init__(sentences(message for _field, message in problems))


def who(user: User) -> str:
    return f"{user.name}{aside(user.employee_no)}"


# --- the mentor rule ----------------------------------------------------------------

def months_at_or_above(user: User, rule: settings.MentorRule, on: date | None = None) -> int:
    counted = set(rule.positions)
    return sum(p.months(on) for p in user.positions if p.position in counted)


def _holds_valid_certificate(user: User, slug: str, on: date) -> bool:
    # Read the certificates table directly (lms.certificates owns issuing them).
    certificates = db.session.scalars(
        select(Certificate).join(Certification, Certification.id == Certificate.certification_id)
        .where(Certificate.user_id == user.id, Certification.slug == slug))
    return any(c.is_valid(on) for c in certificates)


def rule_refusals(mentor: User, rule: settings.MentorRule | None = None, on: date | None = None) -> list[str]:
    """Why ``mentor`` may not take an apprentice under HR's rule (empty: they may)."""
    rule = rule or settings.mentor_rule()
    on = on or clock.today()
    problems = []
    if not mentor.active:
        problems.append(_("%(name)s's account is deactivated.", name=who(mentor)))
    if "mentor" not in mentor.roles:
        problems.append(_("%(name)s does not hold the mentor role.", name=who(mentor)))
    if not _holds_position(mentor, rule):
        current = mentor.current_position
        problems.append(_("%(name)s's position is %(position)s; a mentor must be %(minimum)s or above.",
                          name=who(mentor), position=POSITIONS.get(current.position, current.position)
                          if current else "—", minimum=POSITIONS[rule.min_position]))
    months = months_at_or_above(mentor, rule, on)
    if months < rule.min_months:
        problems.append(_("%(name)s has %(have)d of %(need)d months at %(position)s or above.", name=who(mentor),
                          have=months, need=rule.min_months, position=POSITIONS[rule.min_position]))
    if rule.certification and not _holds_valid_certificate(mentor, rule.certification, on):
        problems.append(_("%(name)s holds no valid certificate “%(title)s” (the mentor rule requires one).",
                          name=who(mentor), title=settings.certification_title(rule.certification)))
    return problems


def _holds_position(user: User, rule: settings.MentorRule) -> bool:
    current = user.current_position
    return current is not None and current.position in rule.positions


# --- reading pairings ---------------------------------------------------------------

def active_count(mentor_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Pairing).where(
        Pairing.mentor_id == mentor_id, Pairing.state == PairingState.ACTIVE)) or 0


def active_pairing_of(apprentice_id: int) -> Pairing | None:
    return db.session.scalar(select(Pairing).where(Pairing.apprentice_id == apprentice_id,
                                                   Pairing.state == PairingState.ACTIVE))


def history_of(user: User) -> tuple[list[Pairing], list[Pairing]]:
    """(pairings where the user is the apprentice, where they are the mentor), newest first."""
    def of(column):
        return list(db.session.scalars(select(Pairing).where(column == user.id)
                                       .order_by(Pairing.start_date.desc(), Pairing.id.desc())))
    return of(Pairing.apprentice_id), of(Pairing.mentor_id)


def attention(pairing: Pairing) -> list[str]:
    """Why an active pairing cannot go on as it is (empty: it can): the mentor's
    account is deactivated (they left the bank) or they no longer hold the
    mentor role — nobody records a check-in or signs the apprentice off — or
    the apprentice's account is deactivated. Nothing ends a pairing by itself:
    HR changes the mentor or ends it, and HR's pages say so until then."""
    if not pairing.is_active:
        return []
    reasons = []
    mentor, apprentice = pairing.mentor, pairing.apprentice
    if not mentor.active:
        reasons.append(_("%(name)s's account is deactivated.", name=who(mentor)))
    elif "mentor" not in mentor.roles:
        reasons.append(_("%(name)s does not hold the mentor role.", name=who(mentor)))
    if not apprentice.active:
        reasons.append(_("%(name)s's account is deactivated.", name=who(apprentice)))
    return reasons


# --- checks ---------------------------------------------------------------------------

def check_dates(start_date: date | None, planned_end_date: date | None, today: date) -> list[tuple[str, str]]:
    problems = []
    if start_date is None:
        problems.append((START, _("A start date is required.")))
    elif abs(start_date - today) > START_WINDOW:
        problems.append((START, _("The start date %(day)s is more than a year from today.", day=start_date.isoformat())))
    if planned_end_date is None:
        problems.append((END, _("A planned end date is required.")))
    elif start_date is not None and planned_end_date <= start_date:
        problems.append((END, _("The planned end date %(end)s is not after the start date %(start)s.",
                                end=planned_end_date.isoformat(), start=start_date.isoformat())))
    elif planned_end_date < today:
        problems.append((END, _("The planned end date %(day)s has passed.", day=planned_end_date.isoformat())))
    elif start_date is not None and planned_end_date - start_date > PAIRING_LONGEST:
        # A mistyped year (2062 for 2026) would keep the pairing "on plan" for decades.
        problems.append((END, _("The planned end date %(day)s is more than two years after the start.",
                                day=planned_end_date.isoformat())))
    return problems


def _own_pairing() -> str:
    return _("You cannot make, change or end a pairing you are part of; ask another HR colleague.")


def refusals(mentor: User, apprentice: User, start_date: date | None, planned_end_date: date | None,
             goals: str = "", *, pending: int = 0, apprentice_taken: bool = False,
             today: date | None = None, actor: User | None = None) -> list[tuple[str, str]]:
    """Every rule a new pairing would break, as (field, message). ``pending``:
    pairings of this mentor about to be made too (rows above in a file);
    ``actor``: who makes it (never one of the two)."""
    today = today or clock.today()
    problems: list[tuple[str, str]] = []
    if mentor.id == apprentice.id:
        problems.append((APPRENTICE, _("%(name)s cannot be their own mentor.", name=who(mentor))))
        return problems
    if actor is not None and actor.id in (mentor.id, apprentice.id):
        problems.append((MENTOR if actor.id == mentor.id else APPRENTICE, _own_pairing()))
    problems += [(MENTOR, message) for message in rule_refusals(mentor, on=today)]
    capacity = settings.capacity_of(mentor)
    have = active_count(mentor.id) + pending
    if have >= capacity:
        problems.append((MENTOR, ngettext("%(name)s already has %(n)d apprentice (capacity %(capacity)d).",
                                          "%(name)s already has %(n)d apprentices (capacity %(capacity)d).", have,
                                          name=who(mentor), n=have, capacity=capacity)))
    if not apprentice.active:
        problems.append((APPRENTICE, _("%(name)s's account is deactivated.", name=who(apprentice))))
    if "learner" not in apprentice.roles:
        problems.append((APPRENTICE, _("%(name)s does not hold the learner role.", name=who(apprentice))))
    current = active_pairing_of(apprentice.id)
    if current is not None:
        problems.append((APPRENTICE, _("%(name)s already has an active mentor: %(mentor)s (since %(day)s).",
                                       name=who(apprentice), mentor=who(current.mentor),
                                       day=current.start_date.isoformat())))
    elif apprentice_taken:
        problems.append((APPRENTICE, _("%(name)s appears twice.", name=who(apprentice))))
    own = active_pairing_of(mentor.id)
    if own is not None and own.mentor_id == apprentice.id:
        # The apprentice would mentor their own mentor: each would sign the other off.
        problems.append((APPRENTICE, _("%(apprentice)s is %(mentor)s's own mentor; they cannot also be their "
                                       "apprentice.", apprentice=who(apprentice), mentor=who(mentor))))
    problems += check_dates(start_date, planned_end_date, today)
    if len(goals or "") > MAX_GOALS:
        problems.append((GOALS, _("The goals are longer than %(n)d characters.", n=MAX_GOALS)))
    elif markup.too_costly(goals):
        problems.append((GOALS, _("Too many “[” or “<” are left unclosed to show this text quickly; close them or "
                                  "leave them out.")))
    return problems


def _lock_people(*ids: int) -> None:
    """PostgreSQL: lock the people's rows (in id order, so two services never
    wait for each other); SQLite holds the write lock already."""
    db.session.execute(select(User.id).where(User.id.in_(sorted(ids))).order_by(User.id).with_for_update())


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise PairingError(_("Give a reason."))
    if len(reason) > MAX_REASON:
        raise PairingError(_("The reason is longer than %(n)d characters.", n=MAX_REASON))
    return reason


# --- changing pairings ------------------------------------------------------------------

def _create(mentor: User, apprentice: User, start_date: date, planned_end_date: date, goals: str, actor: User | None,
            **details) -> Pairing:
    _lock_people(mentor.id, apprentice.id)
    problems = refusals(mentor, apprentice, start_date, planned_end_date, goals, actor=actor)
    if problems:
        raise PairingError(problems)
    pairing = Pairing(mentor_id=mentor.id, apprentice_id=apprentice.id, state=PairingState.ACTIVE,
                      start_date=start_date, planned_end_date=planned_end_date, goals=(goals or "").strip(),
                      created_by_id=actor.id if actor is not None else None)
    name = who(apprentice)
    try:
        with db.session.begin_nested():  # the savepoint first: begin_nested flushes what is pending
            db.session.add(pairing)
            db.session.flush()
    except IntegrityError:
        # Another transaction paired the apprentice between our check and our insert.
        raise PairingError([(APPRENTICE, _("%(name)s was given a mentor by someone else a moment ago; "
                                           "reload the page to see who.", name=name))]) from None
    audit.record("pairing.created", pairing, actor=actor, mentor=mentor.employee_no,
                 apprentice=apprentice.employee_no, start=start_date.isoformat(),
                 planned_end=planned_end_date.isoformat(), **details)
    pairing_notices.paired(pairing)
    return pairing


@transaction(immediate=True)
def pair(mentor: User, apprentice: User, start_date: date, planned_end_date: date, goals: str = "", *,
         actor: User | None, file: str | None = None) -> Pairing:
    """Pair ``mentor`` with ``apprentice`` (every rule above); audited."""
    return _create(mentor, apprentice, start_date, planned_end_date, goals, actor,
                   **({"file": file} if file else {}))


def _locked_active(pairing: Pairing, actor: User | None) -> Pairing:
    locked = db.session.scalar(select(Pairing).where(Pairing.id == pairing.id).with_for_update())
    if locked is None or locked.state != PairingState.ACTIVE:
        raise PairingError(_("This pairing is not active any more; reload the page."))
    if actor is not None and actor.id in (locked.mentor_id, locked.apprentice_id):
        raise PairingError(_own_pairing())
    return locked


def _end(pairing: Pairing, reason: str, actor: User | None, today: date) -> None:
    pairing.state = PairingState.ENDED
    pairing.ended_on = today
    pairing.end_reason = reason
    pairing.ended_by_id = actor.id if actor is not None else None
    db.session.flush()
    pairing_notices.ended(pairing)


@transaction(immediate=True)
def end(pairing: Pairing, reason: str, *, actor: User | None) -> Pairing:
    """End an active pairing today, with a reason; audited. Nobody ends their own."""
    reason = _check_reason(reason)
    return _end_today(_locked_active(pairing, actor), reason, actor)


def _end_today(pairing: Pairing, reason: str, actor: User | None) -> Pairing:
    _end(pairing, reason, actor, clock.today())
    audit.record("pairing.ended", pairing, actor=actor, reason=reason, mentor=pairing.mentor.employee_no,
                 apprentice=pairing.apprentice.employee_no)
    return pairing


@transaction(immediate=True)
def change_mentor(pairing: Pairing, new_mentor: User, reason: str, *, actor: User | None,
                  planned_end_date: date | None = None) -> Pairing:
    """End the pairing with ``reason`` and pair the apprentice with
    ``new_mentor`` from today, with the same goals (and planned end, unless
    given), in one transaction: if the new mentor is refused, nothing changes."""
    reason = _check_reason(reason)
    pairing = _locked_active(pairing, actor)
    if new_mentor.id == pairing.mentor_id:
        raise PairingError([(MENTOR, _("%(name)s is the mentor already.", name=who(new_mentor)))])
    today = clock.today()
    old_mentor = pairing.mentor
    _end(pairing, reason, actor, today)
    new = _create(new_mentor, pairing.apprentice, today, planned_end_date or pairing.planned_end_date, pairing.goals,
                  actor, reason=reason, replaces=pairing.id)
    audit.record("pairing.mentor_changed", pairing, actor=actor, reason=reason, before=old_mentor.employee_no,
                 after=new_mentor.employee_no, apprentice=pairing.apprentice.employee_no)
    return new


# --- a mentor or apprentice leaves (HR's person page, ``lms.org.dependents``) ------------

def left_without(person: User, roles_after: set, active_after: bool) -> list[Pairing]:
    """The active pairings that HR's change to ``person`` leaves without
    someone to act: theirs as mentor when they lose the account or the
    mentor role, theirs as apprentice when they lose the account."""
    conditions = []
    if not active_after or "mentor" not in roles_after:
        conditions.append(Pairing.mentor_id == person.id)
    if not active_after:
        conditions.append(Pairing.apprentice_id == person.id)
    if not conditions:
        return []
    return list(db.session.scalars(select(Pairing).where(Pairing.state == PairingState.ACTIVE, or_(*conditions))
                                   .order_by(Pairing.start_date, Pairing.id)))


def dependents_of(person: User, roles_after: set, active_after: bool):

    pairings = left_without(person, roles_after, active_after)
    if not pairings:
        return None
    return Dependents(
        heading=_("Active mentoring pairings this leaves without a mentor or apprentice"),
        lines=tuple(_("%(mentor)s → %(apprentice)s, since %(start)s", mentor=who(p.mentor), apprentice=who(p.apprentice),
                      start=p.start_date.isoformat()) for p in pairings),
        ending=_("End these pairings today with the reason above (mentor and apprentice are notified)"))


def end_dependents(person: User, roles_after: set, active_after: bool, reason: str, actor: User | None) -> int:
    """End every pairing ``left_without`` lists, each audited and notified as
    HR ending it on its own page; in the caller's transaction."""
    pairings = left_without(person, roles_after, active_after)
    for p in pairings:
        # A consequence of HR's change to the person, not a pairing decision: the HR officer
        # may be the mentor of the person they deactivate.
        _end_today(_locked_active(p, None), _check_reason(reason), actor)
    return len(pairings)
