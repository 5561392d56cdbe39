"""Saving the learner's answers: one answer at a time (autosave, the htmx
page), every answer on the page (the no-JavaScript form), and the opaque
option values the exam page carries.

Rules kept here:
- an answer is saved only to the learner's own, open attempt within
  deadline + grace; past it the attempt is finalised with what was saved
  (TimeUp), a closed attempt says so (AttemptClosed);
- an acknowledged save is committed before the browser hears "saved", and a
  save and a submit of the same attempt never interleave (row lock on
  PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite);
- a choice the page never offered (UnknownChoice) or an answer longer than
  ``MAX_ANSWER_CHARS`` (AnswerTooLong) saves nothing.

Each save owns its transaction (``lms.database.transaction``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, literal_column, select, update
from sqlalchemy.orm.attributes import flag_modified

from lms import clock
from lms.content.models import QuestionVersion
from lms.database import transaction
from lms import questions as question_types
from lms.exams.attempts import _check_open, _lock
from lms.exams.errors import MAX_ANSWER_CHARS, AnswerTooLong, AttemptClosed, NotYourItem, UnknownChoice
from lms.exams.models import Attempt, AttemptItem, AttemptState, grace
from lms.extensions import db


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
OPEN = literal_column(f"'{AttemptState.OPEN}'")

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
        if target.state != AttemptState.OPEN or now > target.deadline + grace():
            _refuse_save(attempt_id, now)  # a closed attempt says so first, whatever was sent
        raise UnknownChoice(target.position) from None
    if question_types.typed_length(answer) > MAX_ANSWER_CHARS:
        raise AnswerTooLong(target.position, question_types.typed_length(answer))
    text = None if answer is None else json.dumps(answer, ensure_ascii=False)
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
    typed = question_types.typed_length(answer)
    if typed > MAX_ANSWER_CHARS:
        db.session.rollback()
        raise AnswerTooLong(item.position, typed)
    return json.dumps(answer, ensure_ascii=False)


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
