"""Certificates whose qualifying pass was re-graded to a fail: a corrected
answer key (``lms.exams.regrade``) turned a pass of an exam the certification
counts into a fail. The certificate is never revoked automatically: HR sees
the holders here and decides (revoke, or keep it) on the certificate's page.

Read only. The re-grades are the ``attempt.regraded`` audit events (passed →
not passed); a certificate is listed when it is still in force, was issued
before that re-grade, and its certification counts that exam — by name, or
through a programme one of whose weeks has it — and the holder's best result
for it is no longer a pass."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from lms import clock
from lms.audit.models import AuditEvent
from lms.certificates.models import Certificate
from lms.content.models import Certification, Exam, Programme, ProgrammeItem
from lms.exams.models import Attempt
from lms.exams.results import has_passed
from lms.extensions import db


@dataclass
class RegradedHolder:
    certificate: Certificate
    attempt: Attempt
    exam: Exam
    regraded_at: datetime
    percent_before: float | None
    percent_after: float | None
    reason: str


def _counts_exam(certification: Certification, exam: Exam, programme_exams: dict[str, set[int]]) -> bool:
    req = certification.requirements
    if any(entry.get("exam") == exam.slug for entry in req.get("exams") or []):
        return True
    return any(exam.id in programme_exams.get(slug, set()) for slug in req.get("programmes") or [])


def regraded_holders(scope: list[int] | None = None) -> list[RegradedHolder]:
    """Holders (in ``scope``: branch ids, None for the whole bank) of a
    certificate in force whose qualifying pass was re-graded to a fail, newest
    re-grade first."""
    events = [(event, json.loads(event.details)) for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "attempt.regraded").order_by(AuditEvent.seq.desc()))]
    lost = [(event, d) for event, d in events if d.get("passed_before") and not d.get("passed_after")]
    if not lost:
        return []
    programme_exams: dict[str, set[int]] = {}
    for slug, exam_id in db.session.execute(
            select(Programme.slug, ProgrammeItem.exam_id).join(ProgrammeItem, ProgrammeItem.programme_id == Programme.id)
            .where(ProgrammeItem.exam_id.is_not(None), ProgrammeItem.retired.is_(False))):
        programme_exams.setdefault(slug, set()).add(exam_id)
    today = clock.today()
    out, seen = [], set()
    for event, details in lost:
        attempt = db.session.get(Attempt, int(event.object_id)) if event.object_id.isdigit() else None
        if attempt is None or (scope is not None and attempt.user.branch_id not in scope):
            continue
        if has_passed(attempt.user, attempt.exam):
            continue  # passed since (a retake): the requirement is met again
        for certificate in db.session.scalars(select(Certificate).where(
                Certificate.user_id == attempt.user_id, Certificate.issued_at <= event.at)):
            if certificate.id in seen or not certificate.is_valid(today):
                continue
            if _counts_exam(certificate.certification, attempt.exam, programme_exams):
                seen.add(certificate.id)
                out.append(RegradedHolder(certificate, attempt, attempt.exam, event.at, details.get("percent_before"),
                                          details.get("percent_after"), details.get("reason", "")))
    return out
