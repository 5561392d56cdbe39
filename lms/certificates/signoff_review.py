"""Certificates that relied on a sign-off (出师评价) HR later withdrew.

A certificate records, in its evidence, the sign-off it was issued on
(``{"kind": "signoff", "params": {"signoff_id": …}}``). Withdrawing that
sign-off does not touch the certificate: whether it stands is HR's decision,
taken one certificate at a time — revoke it (``revoking.revoke``) or keep it
(``keep``: audited as ``certificate.kept_after_signoff_withdrawal``, with the
reason). Until HR decides, the withdrawal page, the sign-off's page, the
certificate's page and the certificate register name it.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from lms import clock
from lms.audit import services as audit
from lms.audit.models import AuditEvent
from lms.certificates.models import Certificate
from lms.database import transaction
from lms.extensions import db
from lms.mentoring.models import SignOff
from lms.org.models import User
from lms.own_case import own_case

KEPT = "certificate.kept_after_signoff_withdrawal"


class KeepError(ValueError):
    pass


def signoff_of(certificate: Certificate) -> int | None:
    """The id of the sign-off the certificate was issued on, if any."""
    for line in certificate.evidence:
        if isinstance(line, dict) and line.get("kind") == "signoff" and line.get("met"):
            signoff_id = (line.get("params") or {}).get("signoff_id")
            if isinstance(signoff_id, int):
                return signoff_id
    return None


def _kept_ids(certificate_ids: list[int]) -> set[int]:
    if not certificate_ids:
        return set()
    rows = db.session.scalars(select(AuditEvent.object_id).where(
        AuditEvent.action == KEPT, AuditEvent.object_type == "certificate",
        AuditEvent.object_id.in_([str(i) for i in certificate_ids])))
    return {int(i) for i in rows}


def _valid_with_signoff(query) -> list[tuple[Certificate, int]]:
    today = clock.today()
    found = []
    for certificate in db.session.scalars(query.order_by(Certificate.issued_on, Certificate.id)):
        signoff_id = signoff_of(certificate) if certificate.is_valid(today) else None
        if signoff_id is not None:
            found.append((certificate, signoff_id))
    return found


def relying_on(signoff: SignOff, *, undecided_only: bool = True) -> list[Certificate]:
    """The valid certificates of the apprentice issued on this sign-off (by
    default only those HR has not yet decided to keep)."""
    found = [c for c, sid in _valid_with_signoff(select(Certificate).where(Certificate.user_id == signoff.apprentice_id))
             if sid == signoff.id]
    if undecided_only:
        kept = _kept_ids([c.id for c in found])
        found = [c for c in found if c.id not in kept]
    return found


def awaiting_decision(scope: list[int] | None) -> list[tuple[Certificate, SignOff]]:
    """Every valid certificate in the branch scope (None: the whole bank)
    issued on a sign-off that is now withdrawn, which HR has not kept."""
    withdrawn = {s.id: s for s in db.session.scalars(select(SignOff).where(SignOff.withdrawn_at.is_not(None)))}
    if not withdrawn:
        return []
    query = (select(Certificate).join(User, User.id == Certificate.user_id)
             .where(Certificate.user_id.in_({s.apprentice_id for s in withdrawn.values()})))
    if scope is not None:
        query = query.where(User.branch_id.in_(scope))
    pairs = [(c, withdrawn[sid]) for c, sid in _valid_with_signoff(query) if sid in withdrawn]
    kept = _kept_ids([c.id for c, _s in pairs])
    return [(c, s) for c, s in pairs if c.id not in kept]


def withdrawn_signoff_of(certificate: Certificate) -> SignOff | None:
    """The withdrawn sign-off this valid certificate was issued on, while HR has
    not decided to keep it; None otherwise."""
    signoff_id = signoff_of(certificate)
    if signoff_id is None or not certificate.is_valid():
        return None
    signoff = db.session.get(SignOff, signoff_id)
    if signoff is None or signoff.withdrawn_at is None or _kept_ids([certificate.id]):
        return None
    return signoff


def keep(certificate_id: int, actor, reason: str) -> Certificate:
    """HR keeps a certificate whose sign-off was withdrawn: nothing changes on
    the certificate; the decision and its reason go to the audit log."""
    reason = (reason or "").strip()
    if actor is None or not actor.has_role("hr"):
        raise KeepError(_("Only HR decides whether a certificate stands."))
    if not reason:
        raise KeepError(_("Say why the certificate stays valid."))
    with transaction(immediate=True):
        certificate = db.session.get(Certificate, certificate_id, with_for_update=True)
        if certificate is None:
            raise KeepError(_("No such certificate."))
        if own_case(actor, certificate.user_id):
            # As with issuing to oneself or overriding a rule for oneself: a second person's judgement.
            raise KeepError(_("You cannot keep your own certificate valid; ask another HR colleague to decide."))
        signoff = withdrawn_signoff_of(certificate)
        if signoff is None:
            raise KeepError(_("This certificate does not wait for a decision."))
        audit.record(KEPT, certificate, actor=actor, serial=certificate.serial,
                     employee_no=certificate.holder_employee_no, signoff_id=signoff.id,
                     reason=reason[:255])
        return certificate

