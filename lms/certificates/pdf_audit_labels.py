"""The audit log in words for the certificate PDF's events: an evidence pack
generated, the issuing institution's name or logo changed
(``lms.audit.labels``), registered from ``lms.certificates.pdf_setup``."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from lms.audit import labels

EVENTS = {
    "evidence_pack.generated": _l("%(actor)s generated the evidence pack of %(object)s"),
    "certificates.institution_changed": _l("%(actor)s changed the institution name printed on certificates"),
    "certificates.logo_changed": _l("%(actor)s changed the logo printed on certificates"),
}
DETAILS = {
    "head_seq": _l("Audit chain head (event number)"),
    "head_hash": _l("Audit chain head (hash)"),
    "events": _l("Audit events in the pack"),
    "logo": _l("Logo"),
}


def _logo(value) -> str:
    return str(_l("the shipped logo")) if value == "default" else str(_l("an uploaded PNG (SHA-256 %(h)s…)",
                                                                         h=str(value)[:12]))


def register(app: Flask) -> None:
    labels.register(app, events=EVENTS, details=DETAILS, objects={"certificate_issuer": lambda _id: ""},
                    values={("certificates.logo_changed", "logo"): _logo})
