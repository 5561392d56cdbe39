"""HR's changes to a programme's audience, person by person, and the
audience page's list of who is in it and why.

Adding: a person the rule does not cover joins from today (enrolled from the
week current today; earlier weeks are catch-up); a person HR removed before
is restored. Removing: a person the rule covers is removed (removal wins over
the rule); a person HR added is taken out again; nobody removes themselves. Each change needs a reason
and is written to the audit log (``programme.member_added`` /
``programme.member_removed``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from lms import clock
from lms.audit import services as audit
from lms.content.models import Programme
from lms.database import transaction
from lms.extensions import db
from lms.org.models import CaseTwins, User, person_by_employee_no
from lms.programmes.audience import ADDED, BY_RULE, REMOVED, in_audience, members
from lms.programmes.models import ProgrammeMember


class AudienceError(Exception):
    """A change HR asked for that cannot be made (the message says why)."""


@dataclass
class AudienceRow:
    user: User
    why: str  # BY_RULE | ADDED | REMOVED
    enrolled_on: date | None = None
    reason: str = ""
    changed_by: User | None = None
    changed_on: date | None = None


def audience_rows(programme: Programme) -> list[AudienceRow]:
    """Everyone in the audience (with why and since when), then the people HR removed."""
    changes = {c.user_id: c for c in db.session.scalars(
        select(ProgrammeMember).where(ProgrammeMember.programme_id == programme.id))}
    rows = []
    for m in members(programme):
        change = changes.get(m.user.id)
        rows.append(AudienceRow(m.user, m.source, m.enrolled_on, m.reason,
                                change.changed_by if change and m.source == ADDED else None,
                                change.since if change and m.source == ADDED else None))
    for change in sorted((c for c in changes.values() if not c.added), key=lambda c: c.user.employee_no):
        rows.append(AudienceRow(change.user, REMOVED, None, change.reason, change.changed_by, change.since))
    return rows


def _person(employee_no: str) -> User:
    try:
        person = person_by_employee_no(employee_no)
    except CaseTwins as exc:
        raise AudienceError(str(exc)) from None
    if person is None:
        raise AudienceError(_("No person has the employee number %(no)s.", no=employee_no.strip()))
    return person


def _change(programme: Programme, person: User) -> ProgrammeMember | None:
    return db.session.get(ProgrammeMember, (programme.id, person.id))


def _set(programme, person, actor, reason: str, added: bool) -> None:
    change = _change(programme, person)
    if change is None:
        change = ProgrammeMember(programme_id=programme.id, user_id=person.id)
        db.session.add(change)
    change.added, change.reason, change.since = added, reason, clock.today()
    change.changed_at, change.changed_by_id = clock.now(), actor.id


def add_person(programme: Programme, employee_no: str, reason: str, actor: User) -> User:
    with transaction(immediate=True):
        person = _person(employee_no)
        change = _change(programme, person)
        by_rule = in_audience(person, programme.audience)
        if change is not None and change.added or change is None and by_rule:
            raise AudienceError(_("%(name)s is already in the audience.", name=person.name))
        if not person.active:
            raise AudienceError(_("%(name)s is deactivated.", name=person.name))
        if change is not None and by_rule:
            db.session.delete(change)  # HR's removal is undone: the rule covers them again
        else:
            _set(programme, person, actor, reason.strip(), added=True)
        audit.record("programme.member_added", programme, employee_no=person.employee_no, user_id=person.id,
                     reason=reason.strip(), by_rule=by_rule)
    return person


def remove_person(programme: Programme, employee_no: str, reason: str, actor: User) -> User:
    with transaction(immediate=True):
        person = _person(employee_no)
        change = _change(programme, person)
        by_rule = in_audience(person, programme.audience)
        if change is not None and not change.added or change is None and not by_rule:
            raise AudienceError(_("%(name)s is not in the audience.", name=person.name))
        if person.id == actor.id:
            # An exemption from the programme's weeks: a second person's judgement.
            raise AudienceError(_("You cannot take yourself out of the audience; ask another HR colleague."))
        if by_rule:
            _set(programme, person, actor, reason.strip(), added=False)
        else:
            db.session.delete(change)  # added by HR, taken out again
        audit.record("programme.member_removed", programme, employee_no=person.employee_no, user_id=person.id,
                     reason=reason.strip(), by_rule=by_rule)
    return person
