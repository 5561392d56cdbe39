"""The question navigator and the answered count that follow an autosave or
a flag out of band (htmx), so that the exam page's side stays true without
reloading it."""
from __future__ import annotations

import json
from types import SimpleNamespace

from sqlalchemy import bindparam, select

from lms import questions as question_types
from lms.content.models import Exam, QuestionVersion
from lms.exams.models import Attempt, AttemptItem
from lms.extensions import db
from lms.web import render_fragment

# The navigator's one light query: the items with their types and the exam's layout (no objects).
_NAVIGATOR_ROWS = (select(AttemptItem.id, AttemptItem.position, AttemptItem.flagged, AttemptItem.answer_json,
                          QuestionVersion.type, Exam.layout)
                   .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
                   .join(Attempt, Attempt.id == AttemptItem.attempt_id).join(Exam, Exam.id == Attempt.exam_id)
                   .where(AttemptItem.attempt_id == bindparam("attempt_id")).order_by(AttemptItem.position))


def navigator_oob(attempt_id: int, current: AttemptItem, fragment: str, *, answered: bool | None = None,
                  flagged: bool | None = None, **fragment_context) -> str:
    """``fragment`` followed by the question navigator and the answered count,
    swapped out of band so they follow each save and flag; ``answered`` /
    ``flagged`` give the state of ``current`` after the change being made
    (``attempt_id``: one the caller has found to be the learner's)."""
    rows = db.session.execute(_NAVIGATOR_ROWS, {"attempt_id": attempt_id}).all()
    items = [SimpleNamespace(id=r.id, position=r.position) for r in rows]
    answered_ids = {r.id for r in rows
                    if r.answer_json is not None and question_types.get(r.type).is_answered(json.loads(r.answer_json))}
    flagged_ids = {r.id for r in rows if r.flagged}
    for ids, now_on in ((answered_ids, answered), (flagged_ids, flagged)):
        if now_on is True:
            ids.add(current.id)
        elif now_on is False:
            ids.discard(current.id)
    layout = rows[0].layout if rows else None
    context = {"attempt": SimpleNamespace(id=attempt_id), "items": items, "answered": answered_ids,
               "flagged": flagged_ids, "layout": layout, "oob": True,
               "position": current.position if layout == "per_question" else None}
    return render_fragment("exams/_with_navigator.html", fragment=fragment, **fragment_context, **context)
