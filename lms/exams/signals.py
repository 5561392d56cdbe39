"""What the exam engine tells the rest of the app, once it is committed.

Other domains (notifications, later mentoring) subscribe in their
``init_app``; the exam engine imports none of them. Each signal is sent with
the app as sender (so a subscription belongs to one app) and ``attempt_id``,
after the transaction that made the change has committed
(``lms.database.after_commit``): a subscriber reads the committed attempt
and owns its own transaction.

- ``attempt_finalised``: an attempt has its result for the first time
  (passed or failed), whether submitted, timed out, or graded by a trainer;
- ``attempt_graded``: a trainer's grading gave a waiting attempt its result
  (sent after ``attempt_finalised`` for the same attempt);
- ``attempts_regraded``: a corrected answer key changed the score of
  finalised or waiting attempts (``lms.exams.regrade``): sent once per
  re-grade with ``attempt_ids`` (every attempt it changed), so that a
  publish re-grading 2,000 attempts notifies and evaluates certificates in a
  few statements, not a transaction per attempt (bench/regrade.py).
"""
from __future__ import annotations

from blinker import Namespace
from flask import current_app

from lms.database import after_commit

_signals = Namespace()
attempt_finalised = _signals.signal("attempt-finalised")
attempt_graded = _signals.signal("attempt-graded")
attempts_regraded = _signals.signal("attempts-regraded")


def send_after_commit(signal, attempt_id: int) -> None:
    """Send ``signal`` for the attempt once the current transaction commits."""
    app = current_app._get_current_object()
    after_commit(lambda: signal.send(app, attempt_id=attempt_id))


def send_many_after_commit(signal, attempt_ids: list[int]) -> None:
    """Send ``signal`` once for all these attempts once the current transaction commits."""
    app = current_app._get_current_object()
    ids = list(attempt_ids)
    after_commit(lambda: signal.send(app, attempt_ids=ids))
