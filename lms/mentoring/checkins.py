"""Check-ins (帮扶记录): the mentor records one, the apprentice acknowledges it.

Rules kept here:
- only the apprentice's active mentor records a check-in; its date is not in
  the future and not before the pairing started; its form is one of
  face to face / on the job / phone; its topics are knowledge points of the
  curriculum (the published questions' tags); each agreed action has a text
  and a due date not before the check-in and at most a year after it;
- the open actions of earlier check-ins carry over: recording the next one
  marks those the mentor ticks as done (on the check-in's date, closed at that
  check-in); the others stay open, and those past their due date are overdue
  while the pairing is active (one that ended left them "not done", for good);
- a check-in is never edited or deleted once recorded (it is the record of
  what was agreed), and the same check-in sent twice (double click, second
  tab) is recorded once; recording it is written to the audit log — it is the
  evidence HR reads beside a sign-off — and the apprentice is notified;
- a check-in is never edited, but the mentor who wrote it may add a
  correction (a typo in the record) while it can still be corrected: the
  pairing is active, no sign-off in force closes it, and at most
  ``CORRECTION_DAYS`` bank days (``clock.today()``) have passed since it was
  recorded. The original stays as written and is shown as corrected, with
  each correction and its time; adding one is audited and the apprentice is
  notified; an apprentice who had acknowledged the check-in is asked to
  acknowledge it again (待确认更正) — what they acknowledged is no longer
  the whole record;
- only the apprentice acknowledges; the time is kept on the check-in (the
  first acknowledgement is not audited: it changes nobody's status).
  Acknowledging a correction moves that time to now (it covers the record
  with every correction before it) and is audited with the time of the
  acknowledgement it replaces; acknowledging twice keeps the first time.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from lms import clock, punctuation
from lms.audit import services as audit
from lms.content.models import Question, QuestionTag
from lms.database import transaction
from lms.extensions import db
from lms.mentoring import markup
from lms.mentoring.models import (CheckIn, CheckInAction, CheckInCorrection, CheckInForm, Pairing, PairingState,
                                  SignOff)
from lms.notify.services import notify

ACTION_TEXT_MAX = 500
ACTION_DUE_WITHIN = timedelta(days=366)
NOTES_MAX = 5_000  # a markdown note is rendered on every view of the apprentice's pages
CORRECTION_DAYS = 7
CORRECTION_MAX = 2_000


class CheckInError(ValueError):
    """The check-in was refused; ``errors`` names each field with its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class NewAction:
    text: str
    due_on: date | None


@dataclass
class CheckInInput:
    held_on: date | None
    form: str
    topics: list[str] = field(default_factory=list)
    notes: str = ""
    actions: list[NewAction] = field(default_factory=list)
    done_action_ids: list[int] = field(default_factory=list)  # open actions marked done now


def curriculum_tags() -> list[str]:
    """The knowledge points a check-in may name: the tags of the published
    questions' current versions (retired questions left out)."""
    return list(db.session.scalars(
        select(QuestionTag.tag).join(Question, Question.current_version_id == QuestionTag.version_id)
        .where(Question.retired.is_(False)).distinct().order_by(QuestionTag.tag)))


def open_actions(pairing_id: int) -> list[CheckInAction]:
    """The actions of the pairing not done yet, soonest due first: what the
    next check-in lists to mark done or keep."""
    return list(db.session.scalars(select(CheckInAction).where(
        CheckInAction.pairing_id == pairing_id, CheckInAction.done_on.is_(None))
        .order_by(CheckInAction.due_on, CheckInAction.id)))


def overdue_actions(pairing_ids: list[int], today: date | None = None) -> list[CheckInAction]:
    """Open actions past their due date, of those of these pairings that are
    active: an action a pairing left open when it ended (the mentor changed, HR
    ended it, the sign-off) can be closed by nobody, so it is not overdue."""
    if not pairing_ids:
        return []
    today = today or clock.today()
    return list(db.session.scalars(select(CheckInAction).join(Pairing, Pairing.id == CheckInAction.pairing_id).where(
        CheckInAction.pairing_id.in_(pairing_ids), Pairing.state == PairingState.ACTIVE,
        CheckInAction.done_on.is_(None), CheckInAction.due_on < today)
        .order_by(CheckInAction.due_on, CheckInAction.id)))


def check_ins_of(pairing_ids: list[int]) -> list[CheckIn]:
    """The check-ins of these pairings, latest first, with their actions."""
    if not pairing_ids:
        return []

    return list(db.session.scalars(
        select(CheckIn).options(selectinload(CheckIn.actions), selectinload(CheckIn.corrections))
        .where(CheckIn.pairing_id.in_(pairing_ids)).order_by(CheckIn.held_on.desc(), CheckIn.id.desc())))


def handed_over(pairing: Pairing) -> list[CheckIn]:
    """The check-ins of the apprentice's earlier pairings (a former mentor's,
    before HR changed the mentor or ended a pairing), for the mentor who
    carries on: what was worked on, agreed and left open, each with its
    mentor. Read only; nothing of why a pairing ended (HR's reason)."""
    earlier = db.session.scalars(select(Pairing.id).where(
        Pairing.apprentice_id == pairing.apprentice_id, Pairing.id != pairing.id,
        Pairing.state != PairingState.ACTIVE, Pairing.start_date <= pairing.start_date))
    return check_ins_of(list(earlier))


def _check(pairing: Pairing, data: CheckInInput, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.held_on is None:
        errors["held_on"] = str(_l("Enter the date of the check-in."))
    elif data.held_on > today:
        errors["held_on"] = str(_l("The date cannot be in the future."))
    elif data.held_on < pairing.start_date:
        errors["held_on"] = str(_l("The date cannot be before the pairing started (%(d)s).",
                                   d=pairing.start_date.isoformat()))
    if data.form not in {f.value for f in CheckInForm}:
        errors["form"] = str(_l("Choose how the check-in was held."))
    known = set(curriculum_tags())
    unknown = [t for t in data.topics if t not in known]
    if unknown:
        errors["topics"] = str(_l("Not a knowledge point of the curriculum: %(tags)s", tags=punctuation.listing(unknown)))
    if len(data.notes or "") > NOTES_MAX:
        errors["notes"] = str(_l("The notes are too long (at most %(n)d characters).", n=NOTES_MAX))
    elif markup.too_costly(data.notes):
        errors["notes"] = str(_l("Too many “[” or “<” are left unclosed to show this text quickly; close them or "
                                 "leave them out."))
    for n, action in enumerate(data.actions):
        if not action.text.strip():
            errors[f"actions-{n}-text"] = str(_l("Say what was agreed."))
        elif len(action.text) > ACTION_TEXT_MAX:
            errors[f"actions-{n}-text"] = str(_l("At most %(n)d characters.", n=ACTION_TEXT_MAX))
        if action.due_on is None:
            errors[f"actions-{n}-due_on"] = str(_l("Enter the due date of the action."))
        elif data.held_on is not None and action.due_on < data.held_on:
            errors[f"actions-{n}-due_on"] = str(_l("The due date cannot be before the check-in."))
        elif data.held_on is not None and action.due_on - data.held_on > ACTION_DUE_WITHIN:  # 9999-12-31 + a year overflows
            # A mistyped year (2062 for 2026) would make an action that is never overdue.
            errors[f"actions-{n}-due_on"] = str(_l("The due date is more than a year after the check-in."))
    open_ids = {a.id for a in open_actions(pairing.id)}
    if set(data.done_action_ids) - open_ids:
        errors["done_actions"] = str(_l("Only open actions of this pairing can be marked done."))
    return errors


def _recorded_already(pairing: Pairing, mentor, data: CheckInInput, topics: list[str]) -> bool:
    """Whether the mentor recorded this very check-in already: the form sent
    twice (a double click, a second tab, the browser's resend). Two check-ins
    of one day that differ in anything are both kept."""
    same_day = db.session.scalars(select(CheckIn).options(selectinload(CheckIn.actions)).where(
        CheckIn.pairing_id == pairing.id, CheckIn.created_by_id == mentor.id, CheckIn.held_on == data.held_on,
        CheckIn.form == data.form)).all()
    wanted = sorted((a.text.strip(), a.due_on) for a in data.actions)
    return any(c.notes == (data.notes or "") and c.topics == topics
               and sorted((a.text, a.due_on) for a in c.actions) == wanted for c in same_day)


def record_check_in(pairing: Pairing, mentor, data: CheckInInput) -> CheckIn:
    """Record a check-in of the mentor's active pairing, with its new actions,
    and mark the chosen open actions done. Raises ``CheckInError`` (nothing
    changes) when a rule refuses."""
    with transaction(immediate=True):
        # Read again under the lock: SQLite's write lock, the pairing's row lock
        # on PostgreSQL (the same check-in from two tabs, HR ending the pairing).
        pairing = db.session.scalar(select(Pairing).where(Pairing.id == pairing.id).with_for_update()
                                    .execution_options(populate_existing=True))
        if (pairing is None or pairing.state != PairingState.ACTIVE or pairing.mentor_id != mentor.id
                or "mentor" not in mentor.roles):
            raise CheckInError({"pairing": str(_l("This pairing is no longer active."))})
        topics = list(dict.fromkeys(data.topics))
        if _recorded_already(pairing, mentor, data, topics):
            raise CheckInError({"pairing": str(_l("This check-in is recorded already (the same date, form, "
                                                  "knowledge points, notes and actions); nothing was recorded "
                                                  "twice."))})
        errors = _check(pairing, data, clock.today())
        if errors:
            raise CheckInError(errors)
        check_in = CheckIn(pairing_id=pairing.id, held_on=data.held_on, form=data.form,
                           topics_json=json.dumps(topics, ensure_ascii=False), notes=data.notes or "",
                           created_at=clock.now(), created_by_id=mentor.id)
        db.session.add(check_in)
        db.session.flush()
        for action in data.actions:
            db.session.add(CheckInAction(pairing_id=pairing.id, check_in_id=check_in.id,
                                         text=action.text.strip(), due_on=action.due_on))
        if data.done_action_ids:
            db.session.execute(
                update(CheckInAction).where(CheckInAction.id.in_(data.done_action_ids),
                                            CheckInAction.pairing_id == pairing.id, CheckInAction.done_on.is_(None))
                .values(done_on=data.held_on, closed_at_check_in_id=check_in.id)
                .execution_options(synchronize_session=False))
        db.session.flush()
        apprentice = pairing.apprentice
        audit.record("mentoring.check_in_recorded", check_in, actor=mentor, apprentice=apprentice.employee_no,
                     held_on=data.held_on.isoformat(), form=data.form, topics=topics,
                     actions=len(data.actions), actions_done=len(data.done_action_ids))
        notify(apprentice, "check_in_recorded", f"check_in:{check_in.id}",
               {"mentor": mentor.name, "held_on": data.held_on.isoformat(), "check_in_id": check_in.id})
        return check_in


def own_check_in(user, check_in_id: int) -> CheckIn | None:
    """The check-in if ``user`` is its apprentice; None otherwise (404)."""
    return db.session.scalar(select(CheckIn).join(Pairing, Pairing.id == CheckIn.pairing_id).where(
        CheckIn.id == check_in_id, Pairing.apprentice_id == user.id))


def acknowledge(user, check_in_id: int) -> bool:
    """The apprentice acknowledges one of their check-ins, or the corrections
    added since they did. Returns False when it is not theirs; acknowledging
    twice keeps the first time."""
    with transaction(immediate=True):
        check_in = db.session.scalar(
            select(CheckIn).options(selectinload(CheckIn.corrections)).join(Pairing, Pairing.id == CheckIn.pairing_id)
            .where(CheckIn.id == check_in_id, Pairing.apprentice_id == user.id))
        if check_in is None:
            return False
        if check_in.acknowledged_at is None:
            check_in.acknowledged_at = clock.now()
        elif check_in.correction_to_acknowledge:
            earlier = check_in.acknowledged_at
            check_in.acknowledged_at = clock.now()
            audit.record("mentoring.check_in_correction_acknowledged", check_in, actor=user,
                         held_on=check_in.held_on.isoformat(), corrections=len(check_in.corrections),
                         acknowledged_before=clock.local(earlier).strftime("%Y-%m-%d %H:%M"))
        return True


def authored_check_in(mentor, check_in_id: int) -> CheckIn | None:
    """The check-in if ``mentor`` wrote it and is still the active mentor of
    its pairing; None otherwise (the view answers 404)."""
    if "mentor" not in mentor.roles:
        return None
    return db.session.scalar(select(CheckIn).join(Pairing, Pairing.id == CheckIn.pairing_id).where(
        CheckIn.id == check_in_id, CheckIn.created_by_id == mentor.id, Pairing.mentor_id == mentor.id,
        Pairing.state == PairingState.ACTIVE))


def correction_closes_on(check_in: CheckIn) -> date:
    """The last bank day a correction may be added."""
    return clock.local_date(check_in.created_at) + timedelta(days=CORRECTION_DAYS)


def _signed_off(pairing_id: int) -> bool:
    return db.session.scalar(select(SignOff.id).where(SignOff.pairing_id == pairing_id,
                                                      SignOff.withdrawn_at.is_(None)).limit(1)) is not None


def correctable(check_ins: list[CheckIn], mentor) -> dict[int, date]:
    """{id: last day it may be corrected} of the ``check_ins`` (of one
    pairing) that ``mentor`` may correct now."""
    if not check_ins or _signed_off(check_ins[0].pairing_id):
        return {}
    return {c.id: correction_closes_on(c) for c in check_ins
            if why_not_correctable(c, mentor, signed_off=False) is None}


def why_not_correctable(check_in: CheckIn, mentor, signed_off: bool | None = None) -> str | None:
    """None when ``mentor`` may add a correction to ``check_in`` now; else why not."""
    pairing = check_in.pairing
    if (check_in.created_by_id != mentor.id or pairing.mentor_id != mentor.id or "mentor" not in mentor.roles
            or not mentor.active):
        return str(_l("Only the mentor who recorded a check-in can correct it."))
    if pairing.state != PairingState.ACTIVE:
        return str(_l("This pairing is no longer active."))
    if _signed_off(pairing.id) if signed_off is None else signed_off:
        return str(_l("The apprentice is signed off: the check-ins are part of the sign-off and cannot be "
                      "corrected."))
    if clock.today() > correction_closes_on(check_in):
        return str(_l("A check-in can be corrected for %(n)d days after it was recorded; this one was recorded "
                      "on %(d)s.", n=CORRECTION_DAYS, d=clock.local_date(check_in.created_at).isoformat()))
    return None


def correct_check_in(mentor, check_in_id: int, text: str) -> CheckInCorrection:
    """Add the mentor's correction to their own check-in (the check-in is
    not changed). Raises ``CheckInError`` when a rule refuses; see the
    module's rules."""
    text = (text or "").strip()
    with transaction(immediate=True):
        check_in = db.session.get(CheckIn, check_in_id)
        if check_in is None:
            raise CheckInError({"check_in": str(_l("Only the mentor who recorded a check-in can correct it."))})
        why = why_not_correctable(check_in, mentor)
        if why is not None:
            raise CheckInError({"check_in": why})
        if not text:
            raise CheckInError({"text": str(_l("Write the correction."))})
        if len(text) > CORRECTION_MAX:
            raise CheckInError({"text": str(_l("At most %(n)d characters.", n=CORRECTION_MAX))})
        correction = CheckInCorrection(text=text, created_at=clock.now(), created_by_id=mentor.id)
        check_in.corrections.append(correction)  # a list read before in this session shows it too
        db.session.flush()
        apprentice = check_in.pairing.apprentice
        audit.record("mentoring.check_in_corrected", check_in, actor=mentor,
                     apprentice=apprentice.employee_no, held_on=check_in.held_on.isoformat(),
                     correction=text)
        notify(apprentice, "check_in_corrected", f"check_in_correction:{correction.id}",
               {"mentor": mentor.name, "held_on": check_in.held_on.isoformat(), "check_in_id": check_in.id})
        return correction
