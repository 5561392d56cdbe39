"""Reading certificates for HR's register and the pages: the filters, one
query, the states in words."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_pgettext
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from lms import clock, printable
from lms.certificates.models import Certificate, CertificateState
from lms.content.models import Certification
from lms.extensions import db
from lms.org.models import User
from lms.sorting import title_order
from lms.text_search import matching

EXPORT_CHUNK = 1000  # certificates read at a time by the register's download

STATE_LABELS = {
    CertificateState.VALID: lazy_pgettext("certificate state", "Valid"),
    CertificateState.EXPIRED: lazy_pgettext("certificate state", "Expired"),
    CertificateState.REVOKED: lazy_pgettext("certificate state", "Revoked"),
    CertificateState.SUPERSEDED: lazy_pgettext("certificate state", "Superseded"),
}
STATE_CLASSES = {CertificateState.VALID: "ok", CertificateState.EXPIRED: "warn", CertificateState.REVOKED: "bad",
                 CertificateState.SUPERSEDED: ""}
PER_PAGE = 50


@dataclass
class RegisterFilter:
    q: str = ""
    branch_ids: list[int] | None = None  # None: no branch filter (the scope still applies)
    certification_id: int | None = None
    state: str = ""
    unprintable: bool = False  # only certificates whose printed name has a character that prints as a box
    on: date | None = None  # as on this day: issued by then, the state at its end (None: today, as it stands)
    # Only expired certificates that are their holder's newest of the certification (a bulk renewal from the
    # register: one renewed since, by a newer certificate issued after it expired, is not offered again).
    to_renew: bool = False


def unprintable_names() -> list[str]:
    """The names printed on certificates that will not print as written
    (``lms.printable``): read once per distinct name, as many as people."""
    names = db.session.scalars(select(Certificate.holder_name).distinct())
    return sorted(n for n in names if printable.unprintable(n))


def state_clause(state: str, today: date):
    live = and_(Certificate.revoked_at.is_(None), Certificate.superseded_by_id.is_(None))
    if state == CertificateState.REVOKED:
        return Certificate.revoked_at.is_not(None)
    if state == CertificateState.SUPERSEDED:
        return and_(Certificate.revoked_at.is_(None), Certificate.superseded_by_id.is_not(None))
    if state == CertificateState.EXPIRED:
        return and_(live, Certificate.expires_on < today)
    return and_(live, or_(Certificate.expires_on.is_(None), Certificate.expires_on >= today))


def state_clause_on(state: str, day: date):
    """``state_clause`` as on a past (or future) ``day``: ``Certificate.state_on`` in SQL."""
    end = clock.day_start(day + timedelta(days=1))
    revoked = and_(Certificate.revoked_at.is_not(None), Certificate.revoked_at < end)
    superseded = and_(Certificate.superseded_by_id.is_not(None),
                      or_(Certificate.superseded_at.is_(None), Certificate.superseded_at < end))
    if state == CertificateState.REVOKED:
        return revoked
    if state == CertificateState.SUPERSEDED:
        return and_(~revoked, superseded)
    live = and_(~revoked, ~superseded)
    if state == CertificateState.EXPIRED:
        return and_(live, Certificate.expires_on < day)
    return and_(live, or_(Certificate.expires_on.is_(None), Certificate.expires_on >= day))


def register_query(scope: list[int] | None, flt: RegisterFilter, today: date | None = None):
    today = today or clock.today()
    query = select(Certificate).join(User, User.id == Certificate.user_id)
    if scope is not None:
        query = query.where(User.branch_id.in_(scope))
    if flt.branch_ids is not None:
        query = query.where(User.branch_id.in_(flt.branch_ids))
    if flt.certification_id:
        query = query.where(Certificate.certification_id == flt.certification_id)
    if flt.on is not None:
        query = query.where(Certificate.issued_on <= flt.on)
    if flt.state in STATE_LABELS:
        query = query.where(state_clause_on(flt.state, flt.on) if flt.on else state_clause(flt.state, today))
    if flt.unprintable:
        query = query.where(Certificate.holder_name.in_(unprintable_names()))
    if flt.to_renew:
        newer = aliased(Certificate)
        query = query.where(state_clause(CertificateState.EXPIRED, today), ~exists().where(
            newer.user_id == Certificate.user_id, newer.certification_id == Certificate.certification_id,
            or_(newer.issued_on > Certificate.issued_on,
                and_(newer.issued_on == Certificate.issued_on, newer.id > Certificate.id))))
    if flt.q:
        # The name printed on the certificate too: a caller reads it off the paper or /verify after a rename.
        query = query.where(matching(flt.q, names=(User.name, Certificate.holder_name),
                                     codes=(User.employee_no, Certificate.serial)))
    return query


@dataclass
class Page:
    rows: list[Certificate]
    total: int
    page: int
    pages: int


def count(scope, flt: RegisterFilter) -> int:
    return db.session.scalar(select(func.count()).select_from(register_query(scope, flt).subquery())) or 0


def among(scope, flt: RegisterFilter, ids: list[int]) -> set[int]:
    """Which of the certificates ``ids`` the filter takes (a page's rows: which of them may be ticked)."""
    if not ids:
        return set()
    return set(db.session.scalars(register_query(scope, flt).where(Certificate.id.in_(ids))
                                  .with_only_columns(Certificate.id)))


def renewed_since(rows: list[Certificate], today: date | None = None) -> dict[int, Certificate]:
    """{id: the holder's newer certificate of the same certification} of the expired ``rows``: one renewed
    after it expired stays "expired" (only a valid certificate is superseded), and the register says by what."""
    today = today or clock.today()
    expired = [c for c in rows if c.state(today) == CertificateState.EXPIRED]
    if not expired:
        return {}
    newer = sorted(db.session.scalars(select(Certificate).where(
        Certificate.user_id.in_(sorted({c.user_id for c in expired})))),
        key=lambda c: (c.issued_on, c.id), reverse=True)
    out = {}
    for c in expired:
        later = [n for n in newer if n.user_id == c.user_id and n.certification_id == c.certification_id
                 and (n.issued_on, n.id) > (c.issued_on, c.id)]
        if later:
            out[c.id] = later[0]
    return out


def register(scope, flt: RegisterFilter, page: int | None = 1) -> Page:
    """The certificates in scope matching the filter, newest first; ``page``
    None: every row (the download)."""
    query = register_query(scope, flt)
    total = count(scope, flt)
    query = (query.options(joinedload(Certificate.certification), joinedload(Certificate.holder).joinedload(User.branch))
             .order_by(Certificate.issued_on.desc(), Certificate.id.desc()))
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    if page is not None:
        page = min(max(page, 1), pages)
        query = query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    return Page(list(db.session.scalars(query).unique()), total, page or 1, pages)


def register_rows(scope, flt: RegisterFilter) -> Iterator[Certificate]:
    """Every certificate of the register in its order, for the download: read ``EXPORT_CHUNK`` at a
    time as the file is written, so a whole bank's register (tens of thousands, each with its
    holder, branch and certification) is never held at once."""
    query = (register_query(scope, flt)
             .options(joinedload(Certificate.certification), joinedload(Certificate.holder).joinedload(User.branch),
                      joinedload(Certificate.issued_by), joinedload(Certificate.revoked_by))  # who issued, revoked
             .order_by(Certificate.issued_on.desc(), Certificate.id.desc())
             .execution_options(yield_per=EXPORT_CHUNK))
    yield from db.session.scalars(query)


def certifications(include_retired: bool = False) -> list[Certification]:
    """The certifications in the order HR reads them in every picker and list:
    current before retired, then by title (lms.sorting), not in publishing order."""
    query = select(Certification)
    if not include_retired:
        query = query.where(Certification.retired.is_(False))
    return sorted(db.session.scalars(query), key=title_order)
