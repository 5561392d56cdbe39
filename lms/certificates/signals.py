"""What the certificates domain tells the rest of the app once committed
(eligibility and notifications subscribe in their ``init_app``). Sent with
the app as sender after commit, with ``certificate_id`` and ``user_id``:

- ``certificate_issued``; ``certificate_revoked``.
"""
from __future__ import annotations

from blinker import Namespace
from flask import current_app

from lms.database import after_commit

_signals = Namespace()
certificate_issued = _signals.signal("certificate-issued")
certificate_revoked = _signals.signal("certificate-revoked")


def send_after_commit(signal, **params) -> None:
    app = current_app._get_current_object()
    after_commit(lambda: signal.send(app, **params))
