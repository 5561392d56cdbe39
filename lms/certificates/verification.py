"""What the public verification page may say about a certificate, and how it
finds one: by its verification code (the QR link) or by the SHA-256 of an
uploaded PDF (the stored ``pdf_sha256``).

Nothing personal beyond a partly masked name: no 工号, no branch, no reason
for a revocation, no link to a newer certificate. When the holder has left
the bank the page says so, with the day, and nothing else of it: the
certificate stays as issued (it records training that happened), but a
customer shown it learns that it does not make its holder the bank's
employee. A certificate HR issued to someone who had not met every
requirement says it was issued by HR's decision (not the reason). An unknown code and a
malformed one take the same path (one indexed query, the same 404 page), so
the page is no oracle for guessing codes; the codes themselves are long
random tokens (``Certificate.verify_code``)."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from lms import clock
from lms.certificates.models import Certificate, CertificateState
from lms.extensions import db
from lms.org import leavers

CODE_MAX = 64  # the column's length: a longer code names no certificate
_LATIN = re.compile(r"[A-Za-z]")


_CODE_RUN = re.compile(r"[A-Za-z0-9_-]+")  # base64url: a code is the last run of these


def normalise_code(typed: str) -> str:
    """A code as a reader types or pastes it from the printed page: full-width
    letters, digits, ``－`` and ``＿`` (a Chinese input method) become ASCII
    (NFKC); spaces and line breaks go (the address under the QR code wraps
    over two lines); of a pasted address or sentence ("验证码：…。") the
    last run of code characters is kept, without a query or fragment. Letters keep their case: a code is base64url, where ``a``
    and ``A`` are different characters."""
    text = "".join(unicodedata.normalize("NFKC", typed or "").split())
    text = re.split(r"[?#]", text, maxsplit=1)[0]
    runs = _CODE_RUN.findall(text)
    return runs[-1] if runs else text


def mask_name(name: str) -> str:
    """The holder's name as the public page shows it.

    Chinese (and any name without Latin letters), counting characters
    without spaces: 1 → ``*``; 2 → first + ``*`` (王*); 3 → first + ``*`` + last
    (李*员); 4 or more → the first two, then one ``*`` for each other
    character (欧阳** — a compound surname stays readable, the given name not).
    A name with Latin letters: each word's first letter and ``***`` whatever
    its length (``John Smith`` → ``J*** S***``), so the length says nothing."""
    name = " ".join((name or "").split())
    if not name:
        return "*"
    if _LATIN.search(name):
        return " ".join(word[0] + ("***" if len(word) > 1 else "") for word in name.split(" "))
    chars = [ch for ch in name if not ch.isspace()]
    n = len(chars)
    if n == 1:
        return "*"
    if n == 2:
        return chars[0] + "*"
    if n == 3:
        return chars[0] + "*" + chars[2]
    return "".join(chars[:2]) + "*" * (n - 2)


@dataclass(frozen=True)
class PublicView:
    """The facts the public page shows."""

    state: CertificateState
    masked_name: str
    certification: str
    serial: str
    issued_on: date
    expires_on: date | None
    changed_at: datetime | None  # when it was revoked or superseded (the page shows the day)
    holder_left: bool = False  # the holder no longer works at the bank (``lms.org.leavers``)
    left_on: date | None = None  # since when; nothing else of the leaving is shown
    by_hr_decision: bool = False  # issued by HR without every requirement met (never why: the reason stays inside)


def public_view(certificate: Certificate, today: date | None = None) -> PublicView:
    state = certificate.state(today or clock.today())
    changed = None
    if state == CertificateState.REVOKED:
        changed = certificate.revoked_at
    elif state == CertificateState.SUPERSEDED:
        changed = certificate.superseded_at
    left = leavers.leaving_dates([certificate.user_id])
    return PublicView(state, mask_name(certificate.holder_name), certificate.certification.title, certificate.serial,
                      certificate.issued_on, certificate.expires_on, changed,
                      certificate.user_id in left, left.get(certificate.user_id), certificate.by_hr_decision)


def find_by_code(code: str) -> Certificate | None:
    """The certificate with verification code ``code``. Every code, well
    formed or not, costs the same one query."""
    wanted = code if 0 < len(code) <= CODE_MAX else ""
    return db.session.scalar(select(Certificate).options(joinedload(Certificate.certification))
                             .where(Certificate.verify_code == wanted))


def find_by_pdf(data: bytes) -> Certificate | None:
    """The certificate whose stored PDF is exactly ``data`` (same SHA-256), or
    whose earlier PDF was (``earlier_copy`` tells which)."""
    digest = hashlib.sha256(data).hexdigest()
    return db.session.scalars(select(Certificate).options(joinedload(Certificate.certification))
                              .where(or_(Certificate.pdf_sha256 == digest, Certificate.earlier_pdf_sha256 == digest))
                              .order_by(Certificate.id)).first()


def earlier_copy(certificate: Certificate, data: bytes) -> bool:
    """``data`` is the PDF stored before the one now issued (``Certificate.earlier_pdf_sha256``)."""
    return certificate.pdf_sha256 != hashlib.sha256(data).hexdigest()
