"""The evidence pack: one PDF per person for auditors (HR and administrators
generate it from the person page).

It holds the person (name, 工号, branch), the position history, the training
record (every programme week and every attempt, ``lms.programmes.record``),
the certificates with their states, the mentor pairings with their
check-ins and sign-offs, and the audit events about all of these, with the
head of the audit chain (sequence number and hash of its newest event) the
pack was read at printed in every page's footer, with when and by whom it was
generated. Generating one is itself audited (``evidence_pack.generated``,
with the head it printed), so an auditor can match a pack to the log.

Everything is read in one transaction that holds the audit log's append lock
(SQLite: the write lock of ``BEGIN IMMEDIATE``; PostgreSQL: the advisory lock
``lms.audit.services`` takes), so no event can be appended between reading
the head and reading the rows it vouches for. The HTML is made inside it;
the PDF is laid out after the commit, holding no lock."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_pgettext
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from lms import clock
from lms.audit import labels, services as audit
from lms.audit.models import AuditEvent
from lms.certificates.models import Certificate
from lms.certificates.pdf import write_pdf
from lms.database import transaction
from lms.exams.models import Attempt
from lms.extensions import db
from lms.mentoring.models import CheckIn, CheckInAction, Pairing, SignOff
from lms.org.models import User
from lms.programmes.record import training_record

TEMPLATE = "certificates/pdf/evidence_pack.html"
STYLESHEET = "certificates/evidence_pack.css"
EVENT_LIMIT = 5000  # an auditor's pack, not the whole log: the newest this many

CERTIFICATE_STATES = {"valid": lazy_pgettext("certificate", "Valid"), "expired": lazy_pgettext("certificate", "Expired"),
                      "revoked": lazy_pgettext("certificate", "Revoked"), "superseded": lazy_pgettext("certificate", "Superseded")}
PAIRING_STATES = {"active": lazy_pgettext("pairing", "Active"), "ended": lazy_pgettext("pairing", "Ended"),
                  "signed_off": lazy_pgettext("pairing", "Signed off")}
CHECK_IN_FORMS = {"face_to_face": lazy_pgettext("check-in", "Face to face"), "on_the_job": lazy_pgettext("check-in", "On the job"),
                  "phone": lazy_pgettext("check-in", "Phone")}
RECOMMENDATIONS = {"ready": lazy_pgettext("sign-off", "Ready to work alone"),
                   "ready_with_conditions": lazy_pgettext("sign-off", "Ready, with conditions")}


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str


@dataclass
class EvidencePack:
    person: User
    html: str
    head: Head
    generated_at: object

    def pdf(self) -> bytes:
        return write_pdf(self.html, stylesheet_name=STYLESHEET)


def audit_head() -> Head:
    row = db.session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    return Head(row.seq, row.hash) if row else Head(0, "")


def events_about(person: User, objects: dict[str, list[int]]) -> list[AuditEvent]:
    """The audit events whose object is the person or one of ``objects``
    ({object type: ids}), oldest first (the newest ``EVENT_LIMIT``)."""
    conditions = [(AuditEvent.object_type == "user") & (AuditEvent.object_id == str(person.id))]
    for object_type, ids in objects.items():
        if ids:
            conditions.append((AuditEvent.object_type == object_type)
                              & AuditEvent.object_id.in_([str(i) for i in ids]))
    newest = db.session.scalars(select(AuditEvent).where(or_(*conditions))
                                .order_by(AuditEvent.seq.desc()).limit(EVENT_LIMIT)).all()
    return list(reversed(newest))


def _mentoring(person: User) -> dict:
    pairings = db.session.scalars(select(Pairing).where(Pairing.apprentice_id == person.id)
                                  .order_by(Pairing.start_date, Pairing.id)).all()
    pairing_ids = [p.id for p in pairings]
    check_ins = db.session.scalars(select(CheckIn).options(selectinload(CheckIn.corrections))
                                   .where(CheckIn.pairing_id.in_(pairing_ids))
                                   .order_by(CheckIn.held_on, CheckIn.id)).all() if pairing_ids else []
    actions = db.session.scalars(select(CheckInAction).where(CheckInAction.pairing_id.in_(pairing_ids))
                                 .order_by(CheckInAction.due_on, CheckInAction.id)).all() if pairing_ids else []
    signoffs = db.session.scalars(select(SignOff).where(SignOff.apprentice_id == person.id)
                                  .order_by(SignOff.signed_at, SignOff.id)).all()
    actions_by_check_in: dict[int, list] = {}
    for action in actions:
        actions_by_check_in.setdefault(action.check_in_id, []).append(action)
    return {"pairings": pairings, "check_ins": check_ins, "actions_by_check_in": actions_by_check_in,
            "signoffs": signoffs}


@transaction(immediate=True)
def generate(person: User, *, actor: User) -> EvidencePack:
    """Read the pack of ``person`` at the audit chain's current head, record
    that ``actor`` generated it, and return its HTML (``.pdf()`` lays it out)."""
    audit.lock_the_log()
    head = audit_head()
    now = clock.now()
    certificates = db.session.scalars(select(Certificate).where(Certificate.user_id == person.id)
                                      .order_by(Certificate.issued_at, Certificate.id)).all()
    mentoring = _mentoring(person)
    attempt_ids = db.session.scalars(select(Attempt.id).where(Attempt.user_id == person.id)).all()
    objects = {
        "certificate": [c.id for c in certificates],
        "attempt": list(attempt_ids),
        "pairing": [p.id for p in mentoring["pairings"]],
        "checkin": [c.id for c in mentoring["check_ins"]],
        "signoff": [s.id for s in mentoring["signoffs"]],
    }
    events = events_about(person, objects)
    labels.prefetch(events)
    context = {
        "person": person,
        "html_lang": "en" if (get_locale() and get_locale().language == "en") else "zh-CN",
        "positions": sorted(person.positions, key=lambda p: (p.start_date, p.id)),
        "record": training_record(person),
        "certificates": certificates,
        "today": clock.today(),
        "events": events,
        "event_limit": EVENT_LIMIT,
        "head": head,
        "generated_at": now,
        "actor": actor,
        "labels": {"certificate": CERTIFICATE_STATES, "pairing": PAIRING_STATES, "form": CHECK_IN_FORMS,
                   "recommendation": RECOMMENDATIONS},
        **mentoring,
    }
    html = current_app.jinja_env.get_template(TEMPLATE).render(context)
    audit.record("evidence_pack.generated", person, actor=actor, head_seq=head.seq, head_hash=head.hash,
                 events=len(events))
    return EvidencePack(person, html, head, now)
