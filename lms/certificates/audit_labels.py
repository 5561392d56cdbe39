"""The audit log in words for certificates (``lms.audit.labels``),
registered from ``lms.certificates.setup``."""
from __future__ import annotations

from flask import Flask, g
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms import punctuation
from lms.audit import labels
from lms.certificates.models import Certificate
from lms.certificates.renewal import Why
from lms.content.models import Certification
from lms.extensions import db

EVENTS = {
    "certificate.issued": _l("%(actor)s issued the certificate %(object)s"),
    "certificate.superseded": _l("%(actor)s superseded the certificate %(object)s by a new one"),
    "certificate.revoked": _l("%(actor)s revoked the certificate %(object)s"),
    "certificate.kept_after_signoff_withdrawal":
        _l("%(actor)s kept the certificate %(object)s valid although the sign-off it was issued on was withdrawn"),
    "certificate.bulk_renewal": _l("%(actor)s renewed certificates at once (batch %(object)s)"),
}
DETAILS = {
    "serial": _l("Serial number"),
    "certification": _l("Certification"),
    "mode": _l("How issued"),
    "unmet": _l("Requirements not met"),
    "by": _l("Superseded by"),
    # The holder, shown by name and 工号 (``person_by_employee_no``), not the 工号 alone.
    **{(action, "employee_no"): _l("Holder") for action in ("certificate.issued", "certificate.revoked",
                                                           "certificate.kept_after_signoff_withdrawal")},
    "unprintable": _l("Characters of the name that do not print (position, code)"),
    "renewed": _l("Certificates renewed (old, new)"),
    "not_renewed": _l("Certificates not renewed"),
    "missing": _l("Chosen but not found"),
}
MODES = {"automatic": _l("automatically (requirements met)"), "manual": _l("by hand")}


def certificate_name(certificate_id) -> str:
    certificate = db.session.get(Certificate, int(certificate_id)) if str(certificate_id).isdigit() else None
    if certificate is None:
        return str(certificate_id)
    return certificate.serial + punctuation.aside(certificate.holder_name)


def certificates_by_id(certificate_ids: list[str]) -> dict[str, str]:
    """``certificate_name`` for many ids in one statement (the audit log's page)."""
    ids = [int(i) for i in certificate_ids if str(i).isdigit()]
    rows = db.session.execute(select(Certificate.id, Certificate.serial, Certificate.holder_name)
                              .where(Certificate.id.in_(ids))) if ids else []
    found = {str(row.id): row.serial + punctuation.aside(row.holder_name) for row in rows}
    return {i: found.get(str(i), str(i)) for i in certificate_ids}


def old_and_new(value) -> str:
    """A bulk renewal's renewed certificates: each old serial → the new one."""
    pairs = [p for p in value if isinstance(p, list) and len(p) == 2] if isinstance(value, list) else []
    names = certificates_by_id([str(i) for pair in pairs for i in pair])
    return punctuation.listing(f"{names[str(old)]} → {names[str(new)]}" for old, new in pairs) if pairs else "—"


def not_renewed(value) -> str:
    """A bulk renewal's certificates not renewed, each with why."""
    rows = [r for r in value if isinstance(r, list) and len(r) == 3] if isinstance(value, list) else []
    names = certificates_by_id([str(r[0]) for r in rows])
    return punctuation.statements(punctuation.labelled(names[str(i)], str(Why.from_stored(why)))
                                  for i, *why in rows) if rows else "—"


def certification_title(slug) -> str:
    """The certification an event stores by its code, by its title; the code
    where no certification has it any more. Read once for a page of events."""
    if "_audit_certification_titles" not in g:
        g._audit_certification_titles = dict(db.session.execute(select(Certification.slug, Certification.title)).all())
    return g._audit_certification_titles.get(str(slug)) or labels.plain(slug)


def mode_label(value) -> str:
    return str(MODES.get(value, value))


def register(app: Flask) -> None:
    labels.register(app, events=EVENTS, details=DETAILS, objects={"certificate": certificate_name},
                    many={"certificate": certificates_by_id},
                    values={("certificate.issued", "mode"): mode_label, (None, "certification"): certification_title,
                            ("certificate.bulk_renewal", "renewed"): old_and_new,
                            ("certificate.bulk_renewal", "not_renewed"): not_renewed},
                    hidden={"chosen_on"})
