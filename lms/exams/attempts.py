"""The attempt lifecycle: start (draw), flag, report focus loss, submit,
expire, finalise.

Rules kept here:
- one open attempt per learner and exam (a partial unique index backs it; two
  concurrent starts land on the same attempt);
- the server owns time: the deadline is fixed at start (time limit, never past
  the exam's close), and an attempt past deadline + grace is finalised with
  what was saved (``Attempt.is_expired``); the pass mark and the
  partial-credit rule are fixed at start too (a trainer who changes them
  mid-week judges and scores later attempts only);
- an attempt is finalised exactly once: every path to it goes through a
  conditional ``UPDATE attempt ... WHERE state = 'open'``;
- a flag or a focus loss reaches an open attempt only, holding its row lock
  (PostgreSQL; ``BEGIN IMMEDIATE`` on SQLite), so nothing interleaves with a
  submit; past ``Exam.focus_loss_limit`` the attempt is submitted.

Each service that changes something owns its transaction
(``lms.database.transaction``; the ones that read and then write begin
``IMMEDIATE`` on SQLite); ``finalise`` only flushes, so that it joins the
transaction of the service that calls it. Saving answers is in
``lms.exams.answers``, grading and pass/fail in ``lms.exams.results``, who
may start in ``lms.exams.retakes``.
"""
from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from lms import clock
from lms.audit import services as audit
from lms.auth.session_check import SignInCheck
from lms.org.models import User
from lms.content.models import Exam
from lms.database import transaction
from lms import questions as question_types
from lms.exams.drawing import draw, learner_history
from lms.exams.errors import AttemptClosed, ExamError, ExamForbidden, TimeUp
from lms.exams import regrade
from lms.exams.models import Attempt, AttemptItem, AttemptState, IntegrityEvent, grace
from lms.exams.results import grade_attempt, open_attempt, recompute_result
from lms.exams.retakes import eligibility
from lms.extensions import db
from lms.programmes.audience import is_member

_rng = random.SystemRandom()


def start_attempt(user, exam: Exam, programme_item=None) -> Attempt:
    """Start the exam, or continue the open attempt (a second tab or device
    lands on the same one). Raises ExamError when the rules refuse. Reads
    (eligibility, history, the draw) and then writes on them: one
    ``BEGIN IMMEDIATE`` transaction on SQLite."""
    with transaction(immediate=True):
        return _start_or_continue(user, exam, programme_item)


def _start_or_continue(user, exam: Exam, programme_item) -> Attempt:
    now = clock.now()
    current = open_attempt(user, exam)
    if current is not None:
        if not current.is_expired(now):
            return current
        finalise(current, "timeout", now)
        db.session.commit()
    verdict = eligibility(user, exam, now)
    if not verdict.ok:
        raise (ExamForbidden if verdict.forbidden else ExamError)(verdict.reason)
    if verdict.resume is not None:
        return verdict.resume
    # The week the attempt counts for: the one the learner came from, if it
    # is really theirs and open, else the week that admitted them.
    if programme_item is not None and not (
            programme_item.exam_id == exam.id and programme_item.opens_on <= clock.local_date(now)
            and is_member(user, programme_item.programme)):
        programme_item = None
    programme_item = programme_item or verdict.programme_item

    seed = _rng.randrange(1, 2**31)
    rng = random.Random(seed)
    seen, missed = learner_history(user, exam)
    versions = draw(exam, rng, seen, missed)
    if not versions:
        raise ExamError(_("This exam has no questions to draw yet. Tell your trainer."))

    deadline = now + timedelta(minutes=exam.time_limit_minutes)
    if exam.closes_at is not None:
        deadline = min(deadline, exam.closes_at)
    number = (db.session.scalar(select(func.max(Attempt.number)).where(
        Attempt.exam_id == exam.id, Attempt.user_id == user.id)) or 0) + 1
    attempt = Attempt(exam_id=exam.id, user_id=user.id, number=number, seed=seed, state=AttemptState.OPEN,
                      started_at=now, deadline=deadline, pass_mark=exam.pass_mark,
                      partial_credit=exam.partial_credit,
                      programme_item_id=programme_item.id if programme_item is not None else None,
                      max_score=sum(v.points for v in versions))
    for position, version in enumerate(versions, start=1):
        qtype = question_types.get(version.type)
        attempt.items.append(AttemptItem(
            position=position, question_version_id=version.id, points=version.points,
            option_order_json=json.dumps(qtype.option_order(version.data, rng, exam.shuffle_options)),
        ))
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
        db.session.commit()
    except IntegrityError:
        # Another request started this exam for this learner at the same moment:
        # the partial unique index kept one open attempt; continue that one.
        db.session.rollback()
        current = open_attempt(user, exam)
        if current is None:
            raise
        return current
    return attempt


def _lock(attempt: Attempt) -> Attempt:
    """Reload the attempt holding its row lock (PostgreSQL; SQLite's BEGIN
    IMMEDIATE already serialises writers), so that a save and a submit of the
    same attempt never interleave."""
    return db.session.execute(
        select(Attempt).where(Attempt.id == attempt.id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def _check_open(attempt: Attempt, now: datetime) -> None:
    if not attempt.is_open:
        raise AttemptClosed(attempt)
    if attempt.is_expired(now):
        finalise(attempt, "timeout", now)
        db.session.commit()
        raise TimeUp(attempt)


def set_flag(attempt: Attempt, item: AttemptItem, flagged: bool, now: datetime | None = None) -> AttemptItem:
    now = now or clock.now()
    with transaction(immediate=True):
        attempt = _lock(attempt)
        _check_open(attempt, now)
        db.session.refresh(item)
        item.flagged = flagged
    return item


def report_focus_loss(attempt: Attempt, kind: str = "hidden", now: datetime | None = None) -> Attempt:
    """The page was hidden (tab switch, window minimised). Counted; past
    ``Exam.focus_loss_limit`` the attempt is submitted (end reason "integrity")."""
    now = now or clock.now()
    with transaction(immediate=True):
        attempt = _lock(attempt)
        _check_open(attempt, now)
        db.session.add(IntegrityEvent(attempt_id=attempt.id, at=now,
                                      kind=kind if kind in ("hidden", "blur") else "hidden"))
        attempt.focus_losses += 1
        limit = attempt.exam.focus_loss_limit
        if limit is not None and attempt.focus_losses > limit and finalise(attempt, "integrity", now):
            audit.record("exam.submitted_for_integrity", attempt, exam=attempt.exam.slug,
                         learner=attempt.user.employee_no, focus_losses=attempt.focus_losses, limit=limit)
    return attempt


def submit(attempt: Attempt, user=None, now: datetime | None = None, *,
           sign_in: SignInCheck | None = None) -> Attempt:
    """The learner submits. Exactly once however many tabs or clicks: a second
    submit finds the attempt no longer open and returns it as it is. After
    deadline + grace the saved answers are submitted and TimeUp is raised.
    ``sign_in``: the sign-in the request came with; if it ended before the
    submit commits (the account deactivated, the sessions ended, the learner
    role taken away), nothing is submitted and ``SignInEnded`` is raised —
    an ending and a submit are one before the other, never both half."""
    now = now or clock.now()
    if user is not None and attempt.user_id != user.id:
        raise ValueError("not the learner's attempt")
    attempt_id = attempt.id
    with transaction(immediate=True):
        if sign_in is not None:
            # PostgreSQL: a deactivation or an end of sessions (both write this row) waits for this
            # submit, or this submit for it and then reads it (SQLite: the write lock orders them).
            db.session.execute(select(User.id).where(User.id == sign_in.user_id).with_for_update(read=True))
            ended = sign_in.ended(db.session)
            if ended is not None:
                raise ended
        attempt = db.session.get(Attempt, attempt_id)
        if attempt.is_expired(now):
            timed_out = finalise(attempt, "timeout", now)
        else:  # the page's countdown submits at zero: that is the time running out
            timed_out = False
            finalise(attempt, "timeout" if now >= attempt.deadline else "submitted", now)
    if timed_out:
        raise TimeUp(attempt)
    return db.session.get(Attempt, attempt_id, populate_existing=True)


def finalise(attempt: Attempt, reason: str, now: datetime | None = None) -> bool:
    """Close an open attempt and grade it; False when it was not open any more
    (another request got there first). Flushes; the caller commits."""
    now = now or clock.now()
    submitted_at = min(now, attempt.deadline) if reason == "timeout" else now
    won = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.state == AttemptState.OPEN)
        .values(state=AttemptState.GRADING, submitted_at=submitted_at, end_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.refresh(attempt)
    if not won:
        return False
    grade_attempt(attempt)
    recompute_result(attempt, now)
    regrade.at_submit(attempt)  # a corrected key published while it was open, if the trainer chose to re-grade
    _note_if_left(attempt)
    return True


def _note_if_left(attempt: Attempt) -> None:
    """An attempt closed (at its deadline, by the timer) after its learner was
    deactivated or lost the learner role: their own submit is refused then
    (``submit``), but the answers they saved while they could are kept and
    graded, as for anyone whose time ran out; the audit log says the person
    had left before it closed, so HR reads the result knowing it."""
    learner = attempt.user
    if not learner.active:
        action = "exam.closed_after_deactivation"
    elif not learner.has_role("learner"):
        action = "exam.closed_after_role_removed"
    else:
        return
    audit.record(action, attempt, exam=attempt.exam.slug, learner=learner.employee_no)


def expire_if_due(attempt: Attempt, now: datetime | None = None) -> Attempt:
    """On access: an abandoned attempt past deadline + grace is finalised with
    what was saved."""
    now = now or clock.now()
    if attempt.is_open and attempt.is_expired(now):
        attempt_id = attempt.id
        with transaction(immediate=True):
            finalise(db.session.get(Attempt, attempt_id), "timeout", now)
        attempt = db.session.get(Attempt, attempt_id, populate_existing=True)
    return attempt


def finalise_expired(now: datetime | None = None) -> int:
    """Finalise every open attempt past deadline + grace (``flask exams
    finalise-expired``, for cron). Returns how many were finalised."""
    now = now or clock.now()
    ids = list(db.session.scalars(select(Attempt.id).where(
        Attempt.state == AttemptState.OPEN, Attempt.deadline < now - grace()).order_by(Attempt.id)))
    done = 0
    for attempt_id in ids:  # one transaction each: a failure leaves the others finalised
        with transaction(immediate=True):
            attempt = db.session.get(Attempt, attempt_id)
            if attempt is not None and finalise(attempt, "timeout", now):
                done += 1
    return done
