"""The exam engine, learner side: start (draw), save, submit, time out,
grade, result, retake.

Rules kept here:
- one open attempt per learner and exam (a partial unique index backs it; two
  concurrent starts land on the same attempt);
- the server owns time: the deadline is fixed at start, saves and submits after
  deadline + grace are refused and the attempt is finalised with what was saved;
- an attempt is finalised exactly once: every path to it goes through a
  conditional ``UPDATE attempt ... WHERE state = 'open'``;
- an acknowledged save is committed before the browser hears "saved", and a
  save and a submit of the same attempt never interleave (row lock on
  PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite).

Each service that changes something owns its transaction (``lms.database.
transaction``; the ones that read and then write begin ``IMMEDIATE`` on
SQLite); ``finalise`` and ``recompute_result`` only flush, so that they join
the transaction of the service that calls them (a trainer's grading too).
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _
from sqlalchemy import bindparam, func, literal_column, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified

from lms import clock
from lms.audit import services as audit
from lms.content.draws import draw_pool
from lms.content.models import Exam, ProgrammeItem, Question, QuestionTag, QuestionVersion
from lms import questions as question_types
from lms.exams.models import Attempt, AttemptItem, IntegrityEvent, NotebookEntry
from lms.database import transaction
from lms.extensions import db
from lms.org.models import User, UserRole, roles_admitted
from lms.programmes.access import exam_access
from lms.programmes.audience import in_audience

DEFAULT_GRACE_SECONDS = 30
MAX_ANSWER_CHARS = 20_000  # an essay of ten pages; longer is not an answer
_rng = random.SystemRandom()


class ExamError(Exception):
    """A learner action the rules refuse; the message is shown as it is."""


class ExamForbidden(ExamError):
    """The learner may not take this exam (not in a programme with it, or its
    week has not opened): a 403 page saying so, not a retry later."""


class TimeUp(ExamError):
    """A save or submit after deadline + grace; the attempt has been finalised."""

    def __init__(self, attempt: Attempt):
        super().__init__(_("Time is up. Your answers saved before the deadline were submitted."))
        self.attempt = attempt


class AnswerRefused(ExamError):
    """This answer cannot be saved (nothing is); the exam goes on."""


class AnswerTooLong(AnswerRefused):
    """An answer longer than any real one (a hostile or broken form); nothing is saved."""

    def __init__(self, position: int):
        super().__init__(_("The answer to question %(n)d is too long (at most %(max)d characters); it was not saved.",
                           n=position, max=MAX_ANSWER_CHARS))
        self.position = position


class UnknownChoice(AnswerRefused):
    """A choice that the attempt's page never offered (a bank letter, a value
    from another attempt or a forged form); nothing is saved."""

    def __init__(self, position: int):
        super().__init__(_("Question %(n)d: that choice is not one of the options on your exam page; nothing was "
                           "saved. Reload the page and choose again.", n=position))
        self.position = position


class AttemptClosed(ExamError):
    """The attempt no longer accepts answers (submitted from another tab, ...)."""

    def __init__(self, attempt: Attempt):
        super().__init__(_("This attempt has already been submitted; answers can no longer be changed."))
        self.attempt = attempt


def option_values(attempt: Attempt) -> question_types.OptionValues:
    """The opaque values the options of this attempt carry in the learner's
    form (``OptionValues``): unique to the attempt, meaningless elsewhere."""
    return _option_values(attempt.id, attempt.seed)


def _option_values(attempt_id: int, seed) -> question_types.OptionValues:
    return question_types.OptionValues(current_app.config["SECRET_KEY"], f"attempt:{attempt_id}:{seed}")


def answer_from_form(attempt: Attempt, item: AttemptItem, form, name: str):
    """The answer to ``item`` that the learner's form carries, in the bank's
    terms (options mapped back from this attempt's values). UnknownChoice when
    it names an option the page never offered."""
    version = item.question_version
    try:
        return question_types.get(version.type).answer_from_form(version.data, form, name, option_values(attempt))
    except question_types.UnknownOption:
        raise UnknownChoice(item.position) from None


def grace() -> timedelta:
    seconds = current_app.config.get("EXAM_GRACE_SECONDS", DEFAULT_GRACE_SECONDS) if has_app_context() \
        else DEFAULT_GRACE_SECONDS
    return timedelta(seconds=int(seconds))


def is_expired(attempt: Attempt, now: datetime | None = None) -> bool:
    """Past deadline + grace: nothing more may be saved."""
    return (now or clock.now()) > attempt.deadline + grace()


# --- queries ---------------------------------------------------------------

def open_attempt(user, exam) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(
        Attempt.exam_id == exam.id, Attempt.user_id == user.id, Attempt.state == "open"))


def attempts_of(user, exam) -> list[Attempt]:
    return list(db.session.scalars(select(Attempt).where(
        Attempt.exam_id == exam.id, Attempt.user_id == user.id).order_by(Attempt.number)))


def exam_result(user, exam) -> Attempt | None:
    """The finalised attempt that decides the learner's result: the best
    (highest percent, earliest on a tie) or the latest, per ``Exam.scoring``."""
    done = [a for a in attempts_of(user, exam) if a.state == "finalised" and a.percent is not None]
    if not done:
        return None
    if exam.scoring == "latest":
        return max(done, key=lambda a: (a.finalised_at or a.started_at, a.number))
    return max(done, key=lambda a: (a.percent, -a.number))


def has_passed(user, exam) -> bool:
    result = exam_result(user, exam)
    return bool(result and result.passed)


@dataclass
class Eligibility:
    ok: bool
    reason: str = ""
    resume: Attempt | None = None  # an open attempt to continue
    next_start: datetime | None = None  # when the cooldown ends
    forbidden: bool = False  # not this learner's exam (yet): no programme week with it has opened for them
    programme_item: ProgrammeItem | None = None  # the week that admits the learner


def eligibility(user, exam, now: datetime | None = None) -> Eligibility:
    """May the learner start (or continue) the exam now? An open attempt is
    continued; otherwise the exam must be theirs (``programmes.access``: a
    week of their programme that has opened, or open to all), not withdrawn
    or closed, with attempts left and the cool-down over."""
    now = now or clock.now()
    current = open_attempt(user, exam)
    if current is not None and not is_expired(current, now):
        return Eligibility(True, resume=current)
    access = exam_access(user, exam, now.date())
    if not access.ok:
        return Eligibility(False, access.reason, forbidden=True)
    verdict = _rules(user, exam, now)
    verdict.programme_item = access.item
    return verdict


def _rules(user, exam, now: datetime) -> Eligibility:
    if exam.retired:
        return Eligibility(False, _("This exam has been withdrawn."))
    if exam.closes_at is not None and now >= exam.closes_at:
        return Eligibility(False, _("This exam closed on %(when)s.", when=_fmt(exam.closes_at)))
    past = [a for a in attempts_of(user, exam) if a.state != "open" or is_expired(a, now)]
    if exam.max_attempts is not None and len(past) >= exam.max_attempts:
        return Eligibility(False, _("You have used all %(n)d attempts.", n=exam.max_attempts))
    if past and exam.cooldown_minutes:
        last_end = max(a.submitted_at or a.deadline for a in past)
        ready = last_end + timedelta(minutes=exam.cooldown_minutes)
        if now < ready:
            return Eligibility(False, _("You can retake this exam from %(when)s.", when=_fmt(ready)),
                               next_start=ready)
    return Eligibility(True)


def _fmt(at: datetime) -> str:
    from flask_babel import format_datetime

    try:
        return format_datetime(at, "yyyy-MM-dd HH:mm")
    except Exception:  # outside a request (CLI): UTC is fine
        return at.strftime("%Y-%m-%d %H:%M UTC")


# --- drawing ---------------------------------------------------------------

def _history(user, exam) -> tuple[set[int], set[str]]:
    """Questions the learner has seen and the knowledge points (tags) they got
    wrong, in any attempt of any exam: a retake of a weekly exam also picks up
    what went wrong in last week's."""
    seen = set(db.session.scalars(
        select(QuestionVersion.question_id).join(AttemptItem, AttemptItem.question_version_id == QuestionVersion.id)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id).where(Attempt.user_id == user.id)))
    missed = set(db.session.scalars(
        select(QuestionTag.tag).join(AttemptItem, AttemptItem.question_version_id == QuestionTag.version_id)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.user_id == user.id, AttemptItem.correct.is_(False))))
    return seen, missed


def _candidates(rule: dict, exam: Exam) -> list[tuple[int, int]]:
    """(version id, question id) of the current versions matching a rule;
    ids only, so that a bank of thousands is cheap to draw from."""
    stmt = draw_pool(rule, exam.course_id).order_by(Question.id)
    return [(row[0], row[1]) for row in db.session.execute(stmt)]


def _versions_on(tags: set[str], version_ids: list[int]) -> set[int]:
    """Which of these versions carry one of ``tags``."""
    if not tags or not version_ids:
        return set()
    return set(db.session.scalars(select(QuestionTag.version_id).where(
        QuestionTag.tag.in_(list(tags)), QuestionTag.version_id.in_(version_ids))))


def draw(exam: Exam, rng: random.Random, seen: set[int] = frozenset(), missed: set[str] = frozenset()
         ) -> list[QuestionVersion]:
    """The questions of one attempt, rule by rule, never one twice: current
    versions of questions that are not retired. Among candidates, questions the
    learner has not seen come first, and within those (and among seen ones)
    questions on knowledge points they missed; ties are broken by ``rng``."""
    chosen: list[int] = []  # version ids, in order
    taken: set[int] = set()  # question ids
    for rule in exam.draw:
        if "questions" in rule:
            rows = {slug: (qid, vid) for slug, qid, vid in db.session.execute(
                select(Question.slug, Question.id, Question.current_version_id).where(
                    Question.slug.in_(list(rule["questions"])), Question.retired.is_(False)))}
            for slug in rule["questions"]:
                qid, vid = rows.get(slug, (None, None))
                if vid is not None and qid not in taken:
                    chosen.append(vid)
                    taken.add(qid)
            continue
        pool = [(vid, qid) for vid, qid in _candidates(rule, exam) if qid not in taken]
        on_missed = _versions_on(set(missed), [vid for vid, _ in pool])
        keyed = sorted(((qid in seen), vid not in on_missed, rng.random(), vid, qid) for vid, qid in pool)
        picked = [(k[3], k[4]) for k in keyed[: int(rule.get("count", 0))]]
        rng.shuffle(picked)
        for vid, qid in picked:
            chosen.append(vid)
            taken.add(qid)
    versions = {v.id: v for v in db.session.scalars(select(QuestionVersion).where(QuestionVersion.id.in_(chosen)))}
    return [versions[vid] for vid in chosen]


# --- starting --------------------------------------------------------------

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
        if not is_expired(current, now):
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
            programme_item.exam_id == exam.id and programme_item.opens_on <= now.date()
            and in_audience(user, programme_item.programme.audience)):
        programme_item = None
    programme_item = programme_item or verdict.programme_item

    seed = _rng.randrange(1, 2**31)
    rng = random.Random(seed)
    seen, missed = _history(user, exam)
    versions = draw(exam, rng, seen, missed)
    if not versions:
        raise ExamError(_("This exam has no questions to draw yet. Tell your trainer."))

    deadline = now + timedelta(minutes=exam.time_limit_minutes)
    if exam.closes_at is not None:
        deadline = min(deadline, exam.closes_at)
    number = (db.session.scalar(select(func.max(Attempt.number)).where(
        Attempt.exam_id == exam.id, Attempt.user_id == user.id)) or 0) + 1
    attempt = Attempt(exam_id=exam.id, user_id=user.id, number=number, seed=seed, state="open",
                      started_at=now, deadline=deadline,
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


# --- answering -------------------------------------------------------------

def _lock(attempt: Attempt) -> Attempt:
    """Reload the attempt holding its row lock (PostgreSQL; SQLite's BEGIN
    IMMEDIATE already serialises writers), so that a save and a submit of the
    same attempt never interleave."""
    return db.session.execute(
        select(Attempt).where(Attempt.id == attempt.id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def _check_open(attempt: Attempt, now: datetime) -> None:
    if attempt.state != "open":
        raise AttemptClosed(attempt)
    if is_expired(attempt, now):
        finalise(attempt, "timeout", now)
        db.session.commit()
        raise TimeUp(attempt)


def save_answer(attempt: Attempt, item: AttemptItem, answer, now: datetime | None = None) -> AttemptItem:
    """Store one answer (None clears it). Committed before it returns: what
    the browser is told was saved, is saved."""
    now = now or clock.now()
    with transaction(immediate=True):
        attempt = _lock(attempt)
        _check_open(attempt, now)
        if item.attempt_id != attempt.id:
            raise ValueError("item of another attempt")
        item.answer_json = _stored(item, answer)
        # Written even when it equals what this request loaded: another tab may
        # have saved something else since, and this save is the one acknowledged.
        flag_modified(item, "answer_json")
        item.saved_at = now
    return item


_item, _attempt, _version = AttemptItem.__table__.c, Attempt.__table__.c, QuestionVersion.__table__.c
# 'open' as a literal, not a parameter: the one-open-attempt index is partial
# (WHERE state = 'open'), and SQLite prepares a statement again on every
# execution when a parameter might decide whether that index applies.
OPEN = literal_column("'open'")

# The autosave's two statements, built once. The read: the learner's own
# item (nothing for anybody else's), its question and what it holds now.
_AUTOSAVE_TARGET = (
    select(_item.position, _item.answer_json, _version.type, _version.data_json, _attempt.seed, _attempt.state,
           _attempt.deadline)
    .join_from(AttemptItem.__table__, Attempt.__table__, _attempt.id == _item.attempt_id)
    .join(QuestionVersion.__table__, _version.id == _item.question_version_id)
    .where(_item.id == bindparam("item_id"), _item.attempt_id == bindparam("attempt_id"),
           _attempt.user_id == bindparam("user_id"))
)
# The write: stores the answer only if the attempt is the learner's, open and
# not past deadline + grace, as the database sees it at the moment of writing.
# On PostgreSQL the attempt row is share-locked: a submit in progress is
# waited for and then refuses this save; a submit arriving later waits for
# this save and grades it.
_SAVE_IF_OPEN = (
    update(AttemptItem.__table__)
    .where(_item.id == bindparam("b_item_id"), _item.attempt_id.in_(
        select(_attempt.id)
        .where(_attempt.id == bindparam("b_attempt_id"), _attempt.user_id == bindparam("b_user_id"),
               _attempt.state == OPEN, _attempt.deadline >= bindparam("earliest_deadline"))
        .with_for_update(read=True)))
    .values(answer_json=bindparam("new_answer"), saved_at=bindparam("now"))
)


class NotYourItem(ExamError):
    """No such question in an attempt of this learner (the view answers 404)."""


@dataclass
class Autosaved:
    position: int
    answered: bool
    was_answered: bool


def autosave(user, attempt_id: int, item_id: int, read_answer, now: datetime | None = None) -> Autosaved:
    """One answer as the learner changes it: ``read_answer(question_type,
    data, field_name, option_values)`` gives it, in the bank's terms. Committed before it returns (what the
    browser is told was saved, is saved). The write is one conditional
    statement that checks the owner, the open state and deadline + grace in
    the database, in a transaction of its own: on SQLite it takes the write
    lock as it starts and holds it for that statement alone.

    Raises NotYourItem (not this learner's), AnswerTooLong or UnknownChoice (nothing saved),
    AttemptClosed, or TimeUp (the attempt has been finalised with what was
    saved before)."""
    now = now or clock.now()
    user_id = user.id
    target = db.session.execute(_AUTOSAVE_TARGET, {
        "item_id": item_id, "attempt_id": attempt_id, "user_id": user_id}).first()
    if target is None:
        raise NotYourItem()
    qtype = question_types.get(target.type)
    try:
        answer = read_answer(qtype, json.loads(target.data_json), f"a-{item_id}",
                             _option_values(attempt_id, target.seed))
    except question_types.UnknownOption:
        if target.state != "open" or now > target.deadline + grace():
            _refuse_save(attempt_id, now)  # a closed attempt says so first, whatever was sent
        raise UnknownChoice(target.position) from None
    text = None if answer is None else json.dumps(answer, ensure_ascii=False)
    if text is not None and len(text) > MAX_ANSWER_CHARS:
        raise AnswerTooLong(target.position)
    with transaction():  # one statement that checks again in SQL what the read above found
        saved = db.session.execute(_SAVE_IF_OPEN, {
            "b_item_id": item_id, "b_attempt_id": attempt_id, "b_user_id": user_id,
            "earliest_deadline": now - grace(), "new_answer": text, "now": now}).rowcount == 1
    if not saved:
        _refuse_save(attempt_id, now)
    before = None if target.answer_json is None else json.loads(target.answer_json)
    return Autosaved(position=target.position, answered=qtype.is_answered(answer),
                     was_answered=qtype.is_answered(before))


def _refuse_save(attempt_id: int, now: datetime) -> None:
    """The conditional save changed nothing: say why (finalising the attempt
    if its time ran out)."""
    with transaction(immediate=True):
        attempt = _lock(db.session.get(Attempt, attempt_id))
        _check_open(attempt, now)
    raise AttemptClosed(attempt)  # open and in time a moment later: a submit came and went in between


def _stored(item: AttemptItem, answer) -> str | None:
    if answer is None:
        return None
    text = json.dumps(answer, ensure_ascii=False)
    if len(text) > MAX_ANSWER_CHARS:
        db.session.rollback()
        raise AnswerTooLong(item.position)
    return text


def save_answers(attempt: Attempt, answers: dict[int, object], now: datetime | None = None) -> int:
    """The no-JavaScript form: every answer on the page at once (one commit)."""
    now = now or clock.now()
    with transaction(immediate=True):
        attempt = _lock(attempt)
        _check_open(attempt, now)
        # Compare with what is stored now, not with what this request loaded earlier.
        by_id = {item.id: item for item in db.session.scalars(select(AttemptItem).where(
            AttemptItem.attempt_id == attempt.id).execution_options(populate_existing=True))}
        stored = {item_id: _stored(by_id[item_id], answer) for item_id, answer in answers.items()}
        for item_id, new in stored.items():
            item = by_id[item_id]
            if new != item.answer_json:
                item.answer_json = new
                item.saved_at = now
    return len(answers)


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


# --- submitting and finalising --------------------------------------------

def submit(attempt: Attempt, user=None, now: datetime | None = None) -> Attempt:
    """The learner submits. Exactly once however many tabs or clicks: a second
    submit finds the attempt no longer open and returns it as it is. After
    deadline + grace the saved answers are submitted and TimeUp is raised."""
    now = now or clock.now()
    if user is not None and attempt.user_id != user.id:
        raise ValueError("not the learner's attempt")
    attempt_id = attempt.id
    with transaction(immediate=True):
        attempt = db.session.get(Attempt, attempt_id)
        if is_expired(attempt, now):
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
        update(Attempt).where(Attempt.id == attempt.id, Attempt.state == "open")
        .values(state="grading", submitted_at=submitted_at, end_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.refresh(attempt)
    if not won:
        return False
    grade_attempt(attempt)
    recompute_result(attempt, now)
    return True


def grade_attempt(attempt: Attempt) -> None:
    """Grade every item automatically; essays (and cases with an essay part)
    wait for a trainer with ``needs_grading``."""
    partial = attempt.exam.partial_credit
    for item in attempt.items:
        version = item.question_version
        grade = question_types.grade(version.type, version.data, item.answer, partial_credit=partial)
        item.grade_json = json.dumps(grade.to_dict())
        if grade.fraction is None:
            item.needs_grading = True
            item.awarded = None
            item.correct = None
        else:
            item.needs_grading = False
            item.awarded = round(grade.fraction * item.points, 4)
            item.correct = grade.fraction >= 1.0


def recompute_result(attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Sum the items' ``awarded`` into score and percent, decide pass/fail
    against the exam's pass mark; the attempt is ``finalised`` once no item
    waits for a trainer (``needs_grading`` with nothing awarded), ``grading``
    until then. Called after submit and after a trainer grades an essay or
    overrides a score. On the first move to ``finalised`` every wrong answer
    goes into the learner's notebook (错题本). Flushes; the caller commits."""
    now = now or clock.now()
    if attempt.state == "open":
        raise ValueError("an open attempt has no result yet")
    items = list(attempt.items)
    attempt.max_score = sum(i.points for i in items)
    waiting = any(i.awarded is None and i.needs_grading for i in items)
    for item in items:
        if item.needs_grading and item.awarded is not None and item.correct is None:
            item.correct = item.awarded >= item.points - 1e-9
    if waiting:
        attempt.state = "grading"
        attempt.score = attempt.percent = attempt.passed = None
        db.session.flush()
        return attempt
    attempt.score = round(sum(i.awarded or 0.0 for i in items), 4)
    attempt.percent = round(attempt.score / attempt.max_score * 100, 2) if attempt.max_score else 0.0
    attempt.passed = attempt.percent + 1e-9 >= attempt.exam.pass_mark
    first_time = attempt.state != "finalised"
    attempt.state = "finalised"
    if first_time:
        attempt.finalised_at = now
        _note_mistakes(attempt, now)
    db.session.flush()
    return attempt


def _note_mistakes(attempt: Attempt, now: datetime) -> None:
    """Every question not fully right into the notebook: a wrong answer as
    wrong, one with part of the points as *partly right* (the learner should
    still see what they missed). Insert, or count one more time and put it
    back on the list if it had been cleared."""
    for item in attempt.items:
        outcome = item.outcome
        if outcome not in ("wrong", "partly"):
            continue
        version = item.question_version
        entry = db.session.scalar(select(NotebookEntry).where(
            NotebookEntry.user_id == attempt.user_id, NotebookEntry.question_id == version.question_id))
        if entry is None:
            db.session.add(NotebookEntry(user_id=attempt.user_id, question_id=version.question_id,
                                         version_id=version.id, first_wrong_at=now, last_wrong_at=now,
                                         times_wrong=1, partly_right=outcome == "partly"))
        else:
            entry.times_wrong += 1
            entry.last_wrong_at = now
            entry.version_id = version.id
            entry.partly_right = outcome == "partly"
            entry.cleared_at = None


def expire_if_due(attempt: Attempt, now: datetime | None = None) -> Attempt:
    """On access: an abandoned attempt past deadline + grace is finalised with
    what was saved."""
    now = now or clock.now()
    if attempt.state == "open" and is_expired(attempt, now):
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
        Attempt.state == "open", Attempt.deadline < now - grace()).order_by(Attempt.id)))
    done = 0
    for attempt_id in ids:  # one transaction each: a failure leaves the others finalised
        with transaction(immediate=True):
            attempt = db.session.get(Attempt, attempt_id)
            if attempt is not None and finalise(attempt, "timeout", now):
                done += 1
    return done


# --- after the attempt ----------------------------------------------------

def review_allowed(attempt: Attempt, now: datetime | None = None) -> bool:
    """May the learner see the key and explanations of a finalised attempt,
    per ``Exam.review_policy``?"""
    if attempt.state != "finalised":
        return False
    exam = attempt.exam
    policy = exam.review_policy
    if policy == "after_submit":
        return True
    if policy == "after_pass":
        return has_passed(attempt.user, exam)
    if policy == "after_close":
        return exam.closes_at is not None and (now or clock.now()) >= exam.closes_at
    return False


def review_withheld(exam: Exam) -> str:
    """Why the answers of a finalised attempt are not shown: said the same way
    on the result page and in the 错题本."""
    if exam.review_policy == "after_pass":
        return _("The answers and explanations are shown once you have passed this exam.")
    if exam.review_policy == "after_close":
        return _("The answers and explanations are shown after the exam closes.")
    return _("This exam does not show the answers.")
