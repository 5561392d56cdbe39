"""Revoking a certificate: HR (or an administrator) with a reason, audited,
effective at once everywhere — ``Certificate.state()`` reads ``revoked_at``,
so the verification page, the holder's page and eligibility see it on their
next read. The holder is told in the app; ``certificate_revoked`` is sent
after commit (eligibility subscribes)."""
from __future__ import annotations

from flask_babel import gettext as _

from lms import clock
from lms.audit import services as audit
from lms.certificates import signals
from lms.certificates.models import Certificate
from lms.database import transaction
from lms.extensions import db
from lms.notify.services import notify


class RevokeError(ValueError):
    pass


def revoke(certificate_id: int, actor, reason: str) -> Certificate:
    reason = (reason or "").strip()
    if not actor.has_role("hr"):
        raise RevokeError(_("Only HR revokes certificates."))
    if not reason:
        raise RevokeError(_("A reason is required to revoke a certificate."))
    with transaction(immediate=True):
        certificate = db.session.get(Certificate, certificate_id, with_for_update=True)
        if certificate is None:
            raise RevokeError(_("No such certificate."))
        if certificate.revoked_at is not None:
            raise RevokeError(_("This certificate is already revoked."))
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
