"""Finished attempts as rows, for the trainer-side tests (analysis, overrides,
the notebook) that need exact, hand-computed results rather than a run
through the exam engine."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from lms.exams.models import Attempt, AttemptItem, NotebookEntry
from lms.extensions import db

START = datetime(2026, 3, 2, 1, 0, 0)


def finished_attempt(user, exam, responses, *, number=1, minutes=10, started=None, state="finalised"):
    """``responses``: (question_version, answer, awarded) per item, in order.
    Score, percent and pass are derived as the engine would."""
    started = started or START + timedelta(minutes=number)
    attempt = Attempt(exam_id=exam.id, user_id=user.id, number=number, seed=1, state=state,
                      started_at=started, deadline=started + timedelta(minutes=exam.time_limit_minutes),
                      submitted_at=started + timedelta(minutes=minutes), end_reason="submitted")
    for position, (version, answer, awarded) in enumerate(responses, start=1):
        attempt.items.append(AttemptItem(
            position=position, question_version_id=version.id, points=version.points,
            answer_json=None if answer is None else json.dumps(answer, ensure_ascii=False),
            awarded=awarded, correct=None if awarded is None else awarded >= version.points,
            needs_grading=awarded is None, option_order_json="null"))
    attempt.max_score = sum(v.points for v, _a, _p in responses)
    if state == "finalised":
        attempt.score = sum(p or 0 for _v, _a, p in responses)
        attempt.percent = round(attempt.score / attempt.max_score * 100, 2)
        attempt.passed = attempt.percent >= exam.pass_mark
        attempt.finalised_at = attempt.submitted_at
    db.session.add(attempt)
    db.session.commit()
    return attempt


def notebook_entry(user, question, version=None, times_wrong=1, cleared_at=None):
    entry = NotebookEntry(user_id=user.id, question_id=question.id,
                          version_id=(version or question.current_version).id, times_wrong=times_wrong,
                          cleared_at=cleared_at)
    db.session.add(entry)
    db.session.commit()
    return entry
