"""Who may start (or continue) an exam now: the retake rules.

Rules kept here:
- an open attempt within deadline + grace is continued, never a second one;
- otherwise the exam must be the learner's (``lms.programmes.access``: a week
  of their programme that has opened, or open to all), not withdrawn, not
  closed;
- no retake while an attempt waits for a trainer's grading *and could still
  pass*: its result may be a pass, and the learner should read it first. An
  attempt whose fail is already certain (full points on every answer waiting
  for a trainer would stay under its pass mark, ``Provisional.cannot_pass``)
  does not hold the retake back: it counts as taken (attempt limit, cool-down
  from its submit) and is still graded and recorded when the trainer gets to
  it; that grading never undoes a later pass (a fail never outranks a pass as
  the best result, and the latest result is the latest *attempt*, not the
  latest grading);
- attempts are limited by ``Exam.max_attempts`` (an attempt counts once it is
  submitted or its time ran out) and a retake waits ``Exam.cooldown_minutes``
  after the last one ended (``Attempt.can_retake``).

Reads only; ``lms.exams.attempts.start_attempt`` asks here inside its own
transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_datetime, lazy_gettext as _, lazy_ngettext

from lms import clock
from lms.content.models import ProgrammeItem
from lms.exams.models import Attempt, AttemptState
from lms.exams.results import attempts_of, fail_is_certain, open_attempt
from lms.programmes.access import exam_access


@dataclass
class Eligibility:
    ok: bool
    reason: str = ""
    resume: Attempt | None = None  # an open attempt to continue
    forbidden: bool = False  # not this learner's exam (yet): no programme week with it has opened for them
    programme_item: ProgrammeItem | None = None  # the week that admits the learner


def eligibility(user, exam, now: datetime | None = None) -> Eligibility:
    """May the learner start (or continue) the exam now? An open attempt is
    continued; otherwise the exam must be theirs (``programmes.access``: a
    week of their programme that has opened, or open to all), not withdrawn
    or closed, with attempts left and the cool-down over."""
    now = now or clock.now()
    current = open_attempt(user, exam)
    if current is not None and not current.is_expired(now):
        return Eligibility(True, resume=current)
    if exam.retired and attempts_of(user, exam):
        # Its week was taken out of the programme too: the learner's own
        # results page links here, and their attempts stay listed.
        return Eligibility(False, _("This exam has been withdrawn."))
    access = exam_access(user, exam, clock.local_date(now))
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
    attempts = attempts_of(user, exam)
    grading = [a for a in attempts if a.state == AttemptState.GRADING and not fail_is_certain(a)]
    if grading:
        return Eligibility(False, _("Attempt %(n)d is waiting for a trainer's grading; you can retake the exam "
                                    "once its result is known.", n=grading[-1].number))
    past = [a for a in attempts if a.counts_as_taken(now)]
    if exam.max_attempts is not None and len(past) >= exam.max_attempts:
        return Eligibility(False, lazy_ngettext("You have used your only attempt.", "You have used all %(n)d attempts.",
                                                exam.max_attempts, n=exam.max_attempts))
    waiting = [a for a in past if not a.can_retake(now, exam.cooldown_minutes)]
    if waiting:
        ready = max(a.retake_from(exam.cooldown_minutes) for a in waiting)
        return Eligibility(False, _("You can retake this exam from %(when)s.", when=_fmt(ready)))
    return Eligibility(True)


def _fmt(at: datetime) -> str:

    try:
        return format_datetime(at, "yyyy-MM-dd HH:mm")
    except Exception:  # outside a request (CLI): the bank's time all the same
        return clock.local(at).strftime("%Y-%m-%d %H:%M")
