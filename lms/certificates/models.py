"""Issued certificates and the counters behind their serial numbers.

A certificate is never deleted. Its state follows from its columns:
revoked (``revoked_at``), superseded (``superseded_by_id``), expired
(``expires_on`` before today) or valid. The PDF is rendered once, at issue,
and stored with its SHA-256: a re-download returns the same bytes."""
from __future__ import annotations

import enum
import json
from datetime import date, datetime, timedelta

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from lms import clock
from lms.content.models import Certification
from lms.extensions import db
from lms.org.models import User


class CertificateState(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


class Certificate(db.Model):
    __tablename__ = "certificate"
    __table_args__ = (
        Index("ix_certificate_holder", "user_id", "certification_id"),
        Index("ix_certificate_expiry", "revoked_at", "superseded_by_id", "expires_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certification_id: Mapped[int] = mapped_column(ForeignKey("certification.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    serial: Mapped[str] = mapped_column(String(40), unique=True)  # PREFIX-YEAR-000042
    # The code in the QR link of the public verification page: random, unguessable.
    verify_code: Mapped[str] = mapped_column(String(64), unique=True)
    issued_on: Mapped[date]
    expires_on: Mapped[date | None]  # None: does not expire
    issued_at: Mapped[datetime] = mapped_column(default=clock.now)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))  # None: automatic
    issue_reason: Mapped[str] = mapped_column(String(255), default="")  # HR's reason for a manual issue
    # What the holder had met at issue (the evidence lines), as JSON.
    evidence_json: Mapped[str] = mapped_column(Text, default="[]")
    # What was printed, as it was at issue.
    holder_name: Mapped[str] = mapped_column(String(80))
    holder_employee_no: Mapped[str] = mapped_column(String(32))
    holder_branch: Mapped[str] = mapped_column(String(120), default="")
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    # The PDF stored before this one, which read "has met every requirement" of a certificate issued by HR's
    # decision (rendered again with its true wording): a copy handed out before still verifies by upload.
    earlier_pdf_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str] = mapped_column(String(255), default="")
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))
    superseded_at: Mapped[datetime | None]

    certification: Mapped[Certification] = relationship()
    holder: Mapped[User] = relationship(foreign_keys=[user_id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    def state(self, on: date | None = None) -> CertificateState:
        if self.revoked_at is not None:
            return CertificateState.REVOKED
        if self.superseded_by_id is not None:
            return CertificateState.SUPERSEDED
        if self.expires_on is not None and self.expires_on < (on or clock.today()):
            return CertificateState.EXPIRED
        return CertificateState.VALID

    def state_on(self, day: date) -> CertificateState:
        """The state at the end of the bank's ``day`` — what an auditor asks of a
        past date: revoked or superseded only if that happened by then (a
        certificate revoked since was valid that day)."""
        end = clock.day_start(day + timedelta(days=1))
        if self.revoked_at is not None and self.revoked_at < end:
            return CertificateState.REVOKED
        if self.superseded_by_id is not None and (self.superseded_at is None or self.superseded_at < end):
            return CertificateState.SUPERSEDED
        if self.expires_on is not None and self.expires_on < day:
            return CertificateState.EXPIRED
        return CertificateState.VALID

    def is_valid(self, on: date | None = None) -> bool:
        return self.state(on) == CertificateState.VALID

    @property
    def evidence(self) -> list:
        return json.loads(self.evidence_json or "[]")  # "[]" until the row is flushed (a PDF rendered before)

    @property
    def by_hr_decision(self) -> bool:
        """Issued by HR to someone who did not meet every requirement at issue
        (the evidence keeps each one, met or not): the PDF and ``/verify`` say
        it was HR's decision and never that every requirement was met. Read
        from the stored evidence, so certificates issued before say it too."""
        return not all(line.get("met") for line in self.evidence)


class SerialCounter(db.Model):
    """The last sequence number issued for a prefix and year; incremented in
    the transaction that inserts the certificate, so numbers have no gaps and
    never repeat (a rolled-back issue rolls its number back too)."""

    __tablename__ = "certificate_serial_counter"

    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
