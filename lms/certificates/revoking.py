"""Revoking a certificate: HR (or an administrator) with a reason, audited,
effective at once everywhere — ``Certificate.state()`` reads ``revoked_at``,
so the verification page, the holder's page and eligibility see it on their
next read. Nobody revokes their own (``lms.own_case``). The holder is told
in the app; ``certificate_revoked`` is sent after commit (eligibility subscribes)."""
from __future__ import annotations

from flask_babel import gettext as _

from lms import clock
from lms.audit import services as audit
from lms.certificates import signals
from lms.certificates.models import Certificate
from lms.certificates.queries import STATE_LABELS
from lms.database import transaction
from lms.extensions import db
from lms.notify.services import notify
from lms.own_case import own_case


class RevokeError(ValueError):
    pass


def revoke(certificate_id: int, actor, reason: str, seen_state: str | None = None) -> Certificate:
    """``seen_state``: the certificate's state as HR's page showed it; when it changed since
    (a renewal superseded it, it expired), nothing is revoked and HR is told."""
    reason = (reason or "").strip()
    if not actor.has_role("hr"):
        raise RevokeError(_("Only HR revokes certificates."))
    if not reason:
        raise RevokeError(_("A reason is required to revoke a certificate."))
    with transaction(immediate=True):
        # The audit log's lock before the certificate's row, in the order an issue takes them: a renewal
        # of this certificate at the same moment is waited for (or waits), never a deadlock.
        audit.lock_the_log()
        certificate = db.session.get(Certificate, certificate_id, with_for_update=True)
        if certificate is None:
            raise RevokeError(_("No such certificate."))
        if own_case(actor, certificate.user_id):
            # Whether one's own certificate stands is a second person's judgement, either way.
            raise RevokeError(_("You cannot revoke your own certificate; ask another HR colleague."))
        if certificate.revoked_at is not None:
            raise RevokeError(_("This certificate is already revoked."))
        if seen_state is not None and seen_state != certificate.state().value:
            raise RevokeError(_changed_since(certificate))
        certificate.revoked_at = clock.now()
        certificate.revoked_by_id = actor.id
        certificate.revoke_reason = reason[:255]
        audit.record("certificate.revoked", certificate, actor=actor, serial=certificate.serial,
                     employee_no=certificate.holder_employee_no, reason=reason)

        notify(certificate.holder, "certificate_revoked", f"certificate:{certificate.id}",
               {"certification": certificate.certification.title, "serial": certificate.serial,
                "on": clock.today().isoformat()})
        signals.send_after_commit(signals.certificate_revoked, certificate_id=certificate.id,
                                  user_id=certificate.user_id)
        return certificate


def _changed_since(certificate: Certificate) -> str:
    newer = db.session.get(Certificate, certificate.superseded_by_id) if certificate.superseded_by_id else None
    if newer is not None:
        return _("Since you opened this page, certificate %(newer)s replaced this one and is the holder's certificate "
                 "now: revoking this one would leave that one in force. Nothing was revoked; open %(newer)s to "
                 "revoke it, or send this form again to revoke this one.", newer=newer.serial)
    return _("Since you opened this page, this certificate's state changed (it is now: %(state)s). Nothing was "
             "revoked; check the page and send the form again if you still mean to revoke it.",
             state=STATE_LABELS[certificate.state()])
