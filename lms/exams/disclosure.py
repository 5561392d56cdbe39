"""What a reader sees of an attempt's answers — the one question
every page that shows an attempt asks: the learner's result page, the
mentor's read-only attempt of an apprentice, HR's and a branch manager's.

``review_for(viewer, attempt)`` puts the rules together once:
- the exam's review policy for the learner (``results.policy_shows_key``
  through ``results.review_allowed``);
- for anyone else, no more than the learner sees, and no more than the policy
  shows the reader as a learner of the same exam
  (``lms.programmes.access.review_allowed_to``);
- nobody while sitting an exam that holds one of its questions
  (``results.exam_in_progress_with``);
- item by item, no key another exam still to sit protects
  (``shared_keys.held_back_items``), and, for a reader who can still sit this
  exam, no key of a question it has not asked them yet (``not_asked_of``):
  their own reviews show them the keys of the questions they were asked, and
  a colleague's attempt (drawn from the same pool, or before the trainer
  republished it with other questions) must not show them the rest before
  their retake asks it.
While an attempt waits for a trainer's grading nobody reading it sees more
than its learner does: the provisional total, no answer's outcome
(``Review.outcomes``).
The 错题本 asks the same policy per question (``notebook.withheld``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _

from lms.exams import results, shared_keys
from lms.exams.models import Attempt, AttemptState
from lms.programmes.access import may_still_sit, review_allowed_to


@dataclass(frozen=True)
class Review:
    shown: bool  # the key and explanations of the attempt's items
    withheld: str = ""  # why not, when the attempt is finalised and they are not shown
    held: dict[int, str] = field(default_factory=dict)  # shown, but not these items (id → why)
    outcomes: bool = True  # each answer's right / partly right / wrong (not while grading waits)


def review_for(viewer, attempt: Attempt, now: datetime | None = None) -> Review:
    """What ``viewer`` may see of ``attempt``'s key and explanations now."""
    if attempt.state != AttemptState.FINALISED:
        # While a trainer's grading waits the learner sees only the provisional
        # total; so does every other reader (the trainer grades on the grading page).
        return Review(False, str(_("Each answer's outcome is shown once the trainer's grading is done.")),
                      outcomes=False)
    if viewer.id == attempt.user_id:
        shown, why = results.review_allowed(attempt, now), results.review_withheld(attempt.exam)
        if shown:
            in_exam = results.exam_in_progress_with(
                viewer, [item.question_version.question_id for item in attempt.items], now)
            if in_exam is not None:  # a retake open in another tab: the key would say which answer to give
                shown, why = False, results.review_paused(in_exam)
    else:
        shown = review_allowed_to(viewer, attempt)
        why = results.review_withheld_from_viewer(viewer, attempt)
    if not shown:
        return Review(False, str(why))
    held = not_asked_of(viewer, attempt, now)
    held.update(shared_keys.held_back_items(viewer, attempt, now))
    return Review(True, held=held)


def not_asked_of(viewer, attempt: Attempt, now: datetime | None = None) -> dict[int, str]:
    """The items of someone else's ``attempt`` whose question the exam has
    not asked ``viewer`` in a finalised attempt of theirs, while ``viewer``
    can still sit it (``may_still_sit``: theirs, not withdrawn or closed, not
    passed, attempts left), with the sentence that says why (item id →
    sentence). Trainers see every key in the console already."""
    exam = attempt.exam
    if viewer.id == attempt.user_id or viewer.has_role("trainer") or not may_still_sit(viewer, exam, now):
        return {}
    mine = results.attempts_of(viewer, exam)
    asked = {item.question_version.question_id for a in mine if a.state == AttemptState.FINALISED
             for item in a.items}
    sentence = str(_("You have not been asked this question in this exam yet: its answer and explanation are shown "
                     "to you once you have passed the exam or used up your attempts."))
    return {item.id: sentence for item in attempt.items if item.question_version.question_id not in asked}
