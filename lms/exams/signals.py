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
- ``attempt_regraded``: a corrected answer key changed a finalised or waiting
  attempt's score (``lms.exams.regrade``).
"""
from __future__ import annotations

from blinker import Namespace
from flask import current_app

from lms.database import after_commit

_signals = Namespace()
attempt_finalised = _signals.signal("attempt-finalised")
attempt_graded = _signals.signal("attempt-graded")
attempt_regraded = _signals.signal("attempt-regraded")


def send_after_commit(signal, attempt_id: int) -> None:
    """Send ``signal`` for the attempt once the current transaction commits."""
    app = current_app._get_current_object()
    after_commit(lambda: signal.send(app, attempt_id=attempt_id))
