"""Issuing certificates: automatically when a certification's requirements
are met, or by HR with a reason; supersession on renewal; the stored PDF.

Rules kept here:
- an **automatic** issue needs every requirement met (``requirements.evaluate``)
  and is *due* only when the person holds no valid certificate of the
  certification, or the one they hold is inside its renewal window
  (``renewal_window_days`` before it expires). Re-evaluating never issues
  twice: the check is made again under the lock of the issuing transaction.
  After HR revoked the person's latest certificate nothing is issued
  automatically: HR issues again by hand;
- a **manual** issue by HR needs a reason; it may be made with requirements
  unmet (the evidence records which ones, the audit event the reason); never
  to oneself, and not a second time on the day the person's valid one of the
  same certification was issued (the form sent twice; revoke first to replace);
- a new certificate supersedes the holder's valid one of the same
  certification (``superseded_by_id``/``superseded_at``, audited); a renewal
  inside the renewal window runs on from the old expiry (``expiry_of_new``);
- holder name, 工号 and branch are copied at issue (the certificate says what
  was true that day);
- the PDF is rendered **after** the issuing transaction has committed (a
  render takes 0.1–0.3 s: SQLite's write lock is not held for it) and stored
  with its SHA-256 in a second short transaction; ``stored_pdf`` renders and
  stores it only if it is missing (a crash between the two steps), so every
  download returns the same bytes.
"""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from lms import clock, printable
from lms.audit import services as audit
from lms.certificates import pdf as certificate_pdf
from lms.certificates import signals
from lms.certificates.models import Certificate
from lms.certificates.requirements import Evaluation, evaluate, quick_conditions_met
from lms.certificates.serials import new_verify_code, next_serial
from lms.content.models import Certification
from lms.database import after_commit, transaction
from lms.extensions import db
from lms.notify.services import notify
from lms.org.models import User, add_months  # noqa: F401 (add_months: callers read it here too)
from lms.org.scope import hr_of
from lms.own_case import own_case

log = logging.getLogger(__name__)

MANUAL_ROLES = ("hr",)  # and admin (``User.has_role``)


class IssueError(ValueError):
    """A certificate cannot be issued (the message says why, for the user)."""


def expiry_of_new(certification: Certification, today: date, previous: Certificate | None) -> date | None:
    """When a certificate issued ``today`` expires. A renewal — the holder's
    valid certificate is inside its renewal window — runs on from the old
    expiry, as a bank renews a licence: renewing 60 days early loses nothing,
    and the holder is never without a valid certificate. Any other issue
    (the first, one after expiry or revocation, HR's replacement outside the
    window) runs from the day of issue."""
    months = certification.validity_months
    if not months:
        return None
    if previous is not None and previous.expires_on is not None and previous.expires_on >= today:
        opens = renewal_opens_on(previous)
        if opens is not None and today >= opens:
            return add_months(previous.expires_on, months)
    return add_months(today, months)


def holder_certificates(person_id: int, certification_id: int | None = None) -> list[Certificate]:
    """Every certificate of the person (of one certification), newest first,
    with its certification (every page that lists them names it: not a
    statement per certificate)."""
    query = select(Certificate).options(joinedload(Certificate.certification)).where(Certificate.user_id == person_id)
    if certification_id is not None:
        query = query.where(Certificate.certification_id == certification_id)
    return list(db.session.scalars(query.order_by(Certificate.issued_on.desc(), Certificate.id.desc())))


def valid_certificate(person_id: int, certification_id: int, on: date | None = None) -> Certificate | None:
    return next((c for c in holder_certificates(person_id, certification_id) if c.is_valid(on)), None)


def renewal_opens_on(certificate: Certificate) -> date | None:
    if certificate.expires_on is None:
        return None
    return certificate.expires_on - timedelta(days=certificate.certification.renewal_window_days)


def automatic_issue_due(person_id: int, certification: Certification, today: date | None = None) -> bool:
    """Whether meeting the requirements now should issue a certificate: none
    valid held, or the valid one is in its renewal window; never after HR
    revoked the latest one."""
    return issue_due_among(holder_certificates(person_id, certification.id), today or clock.today())


def issue_due_among(rows: list[Certificate], today: date) -> bool:
    """``automatic_issue_due`` from the person's certificates of one
    certification (newest first, as ``holder_certificates`` reads them), for a
    page that has read them all already."""
    if rows and rows[0].revoked_at is not None:
        return False
    current = next((c for c in rows if c.is_valid(today)), None)
    if current is None:
        return True
    opens = renewal_opens_on(current)
    return opens is not None and today >= opens


def issue_if_met(person: User, certification: Certification) -> Certificate | None:
    """The automatic path: issue when the requirements are met and an issue
    is due; otherwise nothing (returns None). Evaluates outside the write lock."""
    if not person.active or certification.retired or not automatic_issue_due(person.id, certification):
        return None
    if not quick_conditions_met(person, certification):
        return None  # evaluate() would not be met either; it reads every week of a programme
    evaluation = evaluate(person, certification)
    if not evaluation.met:
        return None
    return issue(person, certification, evaluation=evaluation)


def issue(person: User, certification: Certification, *, actor: User | None = None, reason: str = "",
          evaluation: Evaluation | None = None, on: date | None = None,
          render_now: bool = True) -> Certificate | None:
    """Issue a certificate of ``certification`` to ``person``.

    ``actor`` None: automatic — the requirements must be met, and the issue
    due (checked again under the lock: returns None when another process has
    just issued it). With an ``actor`` (HR): a manual issue; ``reason`` is
    required; unmet requirements are allowed and kept in the evidence.
    ``on`` backdates the issue (the demo's existing certificates).
    ``render_now`` False leaves the PDF to the first download (``stored_pdf``),
    for a bulk load of existing certificates."""
    reason = (reason or "").strip()
    if actor is not None:
        if not actor.has_role(*MANUAL_ROLES):
            raise IssueError(_("Only HR issues certificates by hand."))
        if not reason:
            raise IssueError(_("A reason is required for a manual issue."))
        if own_case(actor, person.id):
            raise IssueError(_("You cannot issue a certificate to yourself; ask another HR colleague."))
    if certification.retired:
        raise IssueError(_("This certification is retired."))
    if not person.active:
        raise IssueError(_("This person is deactivated."))
    evaluation = evaluation or evaluate(person, certification)
    if actor is None and not evaluation.met:
        raise IssueError(_("The requirements are not met."))
    evidence = json.dumps(evaluation.evidence(), ensure_ascii=False, default=str)
    unmet = [c.text for c in evaluation.unmet]
    person_id, certification_id = person.id, certification.id

    with transaction(immediate=True):
        audit.lock_the_log()  # issues wait for each other: the check below reads what the last one committed
        person = db.session.get(User, person_id)
        certification = db.session.get(Certification, certification_id)
        if actor is None and not automatic_issue_due(person_id, certification):
            return None
        today = on or clock.today()
        previous = valid_certificate(person_id, certification_id, clock.today())
        if actor is not None and previous is not None and previous.issued_on == today:
            # The form sent twice (a double click, a second tab): one certificate, not two serials.
            raise IssueError(_("%(name)s already holds %(serial)s of this certification, issued today; revoke it "
                               "first if it must be replaced.", name=person.name, serial=previous.serial))
        certificate = Certificate(
            certification_id=certification_id, user_id=person_id,
            serial=next_serial(certification.serial_prefix, today.year), verify_code=new_verify_code(),
            issued_on=today,
            expires_on=expiry_of_new(certification, today, previous),
            issued_at=clock.now(), issued_by_id=actor.id if actor is not None else None, issue_reason=reason[:255],
            evidence_json=evidence, holder_name=person.name, holder_employee_no=person.employee_no,
            holder_branch=person.branch.name if person.branch else "")
        db.session.add(certificate)
        db.session.flush()
        problems = printable.unprintable(person.name)  # kept with the issue: never a box unnoticed
        audit.record("certificate.issued", certificate, actor=actor or audit.SYSTEM,
                     serial=certificate.serial, certification=certification.slug,
                     employee_no=person.employee_no, mode="manual" if actor else "automatic",
                     reason=reason, unmet=unmet,
                     **({"unprintable": [f"{p.position} {p.code}" for p in problems]} if problems else {}))
        if previous is not None:
            previous.superseded_by_id = certificate.id
            previous.superseded_at = clock.now()
            audit.record("certificate.superseded", previous, actor=actor or audit.SYSTEM,
                         serial=previous.serial, by=certificate.serial)
        _notify_holder(person, certificate, certification)
        if problems and actor is None:
            _tell_hr_the_name_will_not_print(person, certificate, certification)
        certificate_id = certificate.id
        if render_now:
            after_commit(lambda: _store_pdf_quietly(certificate_id))
        signals.send_after_commit(signals.certificate_issued, certificate_id=certificate_id, user_id=person_id)
        return certificate


def _tell_hr_the_name_will_not_print(person: User, certificate: Certificate, certification: Certification) -> None:
    """An automatic issue HR did not see: the HR users of the holder's branch
    hear which characters of the name print as a box (HR's manual issue form
    says so before issuing)."""
    params = {"learner": person.name, "employee_no": person.employee_no, "learner_id": person.id,
              "branch": person.branch.name if person.branch else "", "certification": certification.title,
              "serial": certificate.serial, "certificate_id": certificate.id, "holder_name": certificate.holder_name}
    for hr in hr_of(person):
        notify(hr, "certificate_name_unprintable", f"certificate:{certificate.id}", params)


def _notify_holder(person: User, certificate: Certificate, certification: Certification) -> None:
    notify(person, "certificate_issued", f"certificate:{certificate.id}",
           {"certification": certification.title, "serial": certificate.serial,
            "expires_on": certificate.expires_on.isoformat() if certificate.expires_on else ""})


# --- the PDF ------------------------------------------------------------------

def _store_pdf_quietly(certificate_id: int) -> None:
    try:
        stored_pdf(certificate_id)
    except Exception:  # the certificate is issued; the download renders it if this failed
        log.exception("rendering the PDF of certificate %s failed", certificate_id)


def stored_pdf(certificate_id: int) -> bytes:
    """The certificate's PDF as stored at issue; rendered (outside any write
    transaction) and stored first if it is missing. Whoever stores first
    wins, so every caller returns the same bytes."""
    pdf = db.session.scalar(select(Certificate.pdf).where(Certificate.id == certificate_id))
    if pdf:
        return pdf
    certificate = db.session.get(Certificate, certificate_id)
    rendered = certificate_pdf.render_certificate(certificate)
    with transaction():
        db.session.execute(update(Certificate).where(Certificate.id == certificate_id, Certificate.pdf.is_(None))
                           .values(pdf=rendered, pdf_sha256=hashlib.sha256(rendered).hexdigest())
                           .execution_options(synchronize_session=False))
    db.session.expire(certificate, ["pdf_sha256"])
    return db.session.scalar(select(Certificate.pdf).where(Certificate.id == certificate_id))
