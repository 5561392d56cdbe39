"""What mentoring tells the rest of the app once committed (certificates and
eligibility subscribe in their ``init_app``; mentoring imports none of them).
Sent with the app as sender, after commit (``lms.database.after_commit``):

- ``signoff_given``: ``apprentice_id``, ``signoff_id`` — a mentor signed an apprentice off;
- ``signoff_withdrawn``: ``apprentice_id``, ``signoff_id`` — HR withdrew a sign-off.
"""
from __future__ import annotations

from blinker import Namespace
from flask import current_app

from lms.database import after_commit

_signals = Namespace()
signoff_given = _signals.signal("signoff-given")
signoff_withdrawn = _signals.signal("signoff-withdrawn")


def send_after_commit(signal, **params) -> None:
    app = current_app._get_current_object()
    after_commit(lambda: signal.send(app, **params))
