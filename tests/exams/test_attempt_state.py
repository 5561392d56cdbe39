"""An attempt's state is one of open, grading, finalised: the model names
them (AttemptState) and the database refuses anything else, on SQLite and
PostgreSQL alike (CHECK constraint, added by a migration). The rules the
services ask of an attempt live on the model."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from lms.exams import attempts as exam_attempts
from lms.exams.models import DEFAULT_GRACE_SECONDS, Attempt, AttemptState
from lms.extensions import db
from tests.exams.takers import learner  # noqa: F401


@pytest.fixture
def attempt(app, learner, make_question, make_exam):  # noqa: F811
    exam = make_exam([{"questions": [make_question("single").slug]}], time_limit_minutes=30)
    attempt = exam_attempts.start_attempt(learner, exam)
    db.session.commit()
    return attempt


def _state(attempt_id: int) -> str:
    db.session.rollback()
    return db.session.scalar(select(Attempt.state).where(Attempt.id == attempt_id))


@pytest.mark.parametrize("bad", ["submitted", "OPEN", "", "closed"])
def test_the_database_refuses_an_unknown_state(attempt, bad):
    with pytest.raises(IntegrityError):
        db.session.execute(update(Attempt).where(Attempt.id == attempt.id).values(state=bad))
        db.session.flush()
    assert _state(attempt.id) == "open"


def test_the_database_refuses_an_unknown_state_written_in_plain_sql(attempt):
    """Not only the ORM: a hand-written statement is refused as well."""
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE attempt SET state = 'abandoned' WHERE id = :id"), {"id": attempt.id})
    assert _state(attempt.id) == "open"


def test_the_three_states_are_accepted_and_read_back_as_their_names(attempt):
    for state in ("grading", "finalised", "open"):
        db.session.execute(update(Attempt).where(Attempt.id == attempt.id).values(state=state))
        db.session.commit()
        assert _state(attempt.id) == AttemptState(state)
    assert [s.value for s in AttemptState] == ["open", "grading", "finalised"]


def test_open_and_expired_are_asked_of_the_attempt(attempt, clock):
    assert attempt.is_open and not attempt.is_expired()
    grace_end = attempt.deadline + timedelta(seconds=DEFAULT_GRACE_SECONDS)
    assert not attempt.is_expired(grace_end)
    assert attempt.is_expired(grace_end + timedelta(seconds=1))
    assert attempt.counts_as_taken(grace_end + timedelta(seconds=1))
    assert not attempt.counts_as_taken(grace_end)
    exam_attempts.submit(attempt)
    db.session.refresh(attempt)
    assert not attempt.is_open and attempt.state == AttemptState.FINALISED
    assert attempt.counts_as_taken(attempt.submitted_at)


def test_a_retake_waits_for_the_cooldown_after_the_attempt_ended(attempt):
    exam_attempts.submit(attempt)
    db.session.refresh(attempt)
    ended = attempt.submitted_at
    assert attempt.retake_from(60) == ended + timedelta(minutes=60)
    assert not attempt.can_retake(ended + timedelta(minutes=59), 60)
    assert attempt.can_retake(ended + timedelta(minutes=60), 60)
    assert attempt.can_retake(ended, None) and attempt.can_retake(ended, 0)
