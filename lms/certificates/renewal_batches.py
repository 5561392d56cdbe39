"""A bulk renewal's outcome, kept for its result page (Post/Redirect/Get).

The confirmation page carries a random batch token; renewing with it writes
one audit event at the end (``certificate.bulk_renewal``, its object the
token): who, when, HR's reason, the certificates renewed (old and new) and
those not renewed with the code of why (``renewal.Why``). The result page is
read from that event, so a refresh or the back button shows the same result
and a renewal of 300 lines needs no room in the cookie session. The event is
as tamper-evident as the log, and an auditor reads the batch there too.

A token whose event exists renews nothing again (a refresh of the POST, the
confirmation sent a second time): the sender is sent to its result. Two
sends running at once (a double click) cannot renew a certificate twice
either: each renewal reads the certificate again under the issue's lock and
refuses one already replaced; the first to finish writes the batch's event."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.audit import services as audit
from lms.audit.models import AuditEvent
from lms.certificates import renewal
from lms.certificates.models import Certificate
from lms.database import transaction
from lms.extensions import db
from lms.org import scope as org_scope
from lms.org.models import User

ACTION = "certificate.bulk_renewal"
OBJECT_TYPE = "renewal_batch"
TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")
SOURCES = ("expiring", "register")  # the page a batch was chosen on, for the way back


def new_token() -> str:
    return secrets.token_urlsafe(16)


def _event(token: str) -> AuditEvent | None:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == ACTION, AuditEvent.object_type ==
                                                       OBJECT_TYPE, AuditEvent.object_id == token)
                              .order_by(AuditEvent.seq).limit(1)).first()


def run(token: str, ids: list[int], actor, reason: str, *, include_unmet: bool, scope: list[int] | None,
        source: str = "expiring") -> bool:
    """Renew ``ids`` (``renewal.renew``) as the batch ``token`` and keep its outcome; False when the
    batch was renewed already (nothing is renewed again)."""
    if _event(token) is not None:
        return False
    done = renewal.renew(ids, actor, reason, include_unmet=include_unmet, scope=scope)
    with transaction(immediate=True):
        audit.lock_the_log()
        if _event(token) is None:  # a second send that ran alongside finished first: its outcome stands
            audit.record(ACTION, object_type=OBJECT_TYPE, object_id=token, actor=actor, reason=reason.strip(),
                         chosen_on=source if source in SOURCES else SOURCES[0],
                         renewed=[[r.old.id, r.new.id] for r in done.renewed],
                         not_renewed=[[line.id, *why.stored()] for line, why in done.not_renewed],
                         missing=done.missing)
    return True


@dataclass
class Outcome:
    token: str
    actor_id: int | None
    by_name: str  # who renewed (as the log names them when their account is gone)
    by_employee_no: str | None
    at: datetime
    reason: str
    source: str
    done: renewal.Done


def outcome(token: str) -> Outcome | None:
    """The batch ``token`` as its result page shows it (None: no such batch)."""
    if not TOKEN.fullmatch(token or ""):
        return None
    event = _event(token)
    if event is None:
        return None
    details = event.details_dict
    ids = {i for pair in details["renewed"] for i in pair} | {row[0] for row in details["not_renewed"]}
    found = {c.id: c for c in db.session.scalars(
        select(Certificate).where(Certificate.id.in_(sorted(ids)))
        .options(joinedload(Certificate.certification), joinedload(Certificate.holder)))} if ids else {}
    done = renewal.Done(missing=details.get("missing", 0))
    for old_id, new_id in details["renewed"]:
        old, new = found.get(old_id), found.get(new_id)
        if old is not None and new is not None:  # certificates are never deleted; a restored backup may lack one
            done.renewed.append(renewal.Renewed(renewal.Line.of(old), renewal.Line.of(new), new.expires_on,
                                                new.holder_name))
    for certificate_id, *why in details["not_renewed"]:
        if (certificate := found.get(certificate_id)) is not None:
            done.not_renewed.append((renewal.Line.of(certificate), renewal.Why.from_stored(why)))
    by = db.session.get(User, event.actor_id) if event.actor_id is not None else None
    return Outcome(token, event.actor_id, by.name if by else event.actor_label, by.employee_no if by else None,
                   event.at, details.get("reason", ""), details.get("chosen_on", SOURCES[0]), done)


def may_open(result: Outcome, viewer) -> bool:
    """The HR officer who renewed, and any HR officer or administrator who sees the same people (HR sees the
    whole bank: every HR colleague, who reads the same batch in the audit log anyway); nobody else."""
    if not viewer.has_role("hr"):
        return False
    return viewer.id == result.actor_id or org_scope.branch_scope(viewer) is None
