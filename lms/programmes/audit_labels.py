"""The audit log in words for HR's changes to a programme's audience
(``lms.audit.labels``), registered from ``lms.programmes.setup``."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from lms.audit import labels
from lms.content.models import Programme
from lms.extensions import db

EVENTS = {
    "programme.member_added": _l("%(actor)s added a person to the audience of %(object)s"),
    "programme.member_removed": _l("%(actor)s removed a person from the audience of %(object)s"),
}
DETAILS = {
    "by_rule": _l("Covered by the programme's rule"),
    # Shown by name and 工号 (``person_by_employee_no``), not the 工号 alone.
    **{(action, "employee_no"): _l("Person") for action in EVENTS},
}


def programme_name(programme_id) -> str:
    programme = db.session.get(Programme, int(programme_id)) if str(programme_id).isdigit() else None
    return programme.title if programme is not None else str(programme_id)


def register(app: Flask) -> None:
    labels.register(app, events=EVENTS, details=DETAILS, objects={"programme": programme_name}, hidden={"user_id"})
