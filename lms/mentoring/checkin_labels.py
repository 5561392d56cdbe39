"""The words for check-ins: their forms (面谈 / 跟岗带教 / 电话), and the
audit log's sentence for a recorded check-in (``lms.audit.labels``),
registered from ``lms.mentoring.setup``."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from lms.audit import labels
from lms.extensions import db
from lms.punctuation import aside
from lms.mentoring.models import CheckIn

FORM_LABELS = {
    "face_to_face": lazy_pgettext("check-in form", "Face to face"),
    "on_the_job": lazy_pgettext("check-in form", "On the job"),
    "phone": lazy_pgettext("check-in form", "Phone"),
}

EVENTS = {
    "mentoring.check_in_recorded": _l("%(actor)s recorded a check-in: %(object)s"),
    "mentoring.check_in_corrected": _l("%(actor)s added a correction to the check-in %(object)s"),
    "mentoring.check_in_correction_acknowledged": _l("%(actor)s acknowledged the corrections of the check-in "
                                                     "%(object)s"),
}
DETAILS = {
    "apprentice": _l("Apprentice"),
    "held_on": _l("Date of the check-in"),
    "form": _l("Form"),
    "topics": _l("Knowledge points"),
    "actions": _l("New agreed actions"),
    "actions_done": _l("Actions marked done"),
    "correction": _l("Correction"),
    "corrections": _l("Corrections"),
    "acknowledged_before": _l("Acknowledged before the correction"),
}


def check_in_name(check_in_id) -> str:
    check_in = db.session.get(CheckIn, int(check_in_id)) if str(check_in_id).isdigit() else None
    if check_in is None:
        return str(check_in_id)
    apprentice = check_in.pairing.apprentice
    return f"{apprentice.name}{aside(apprentice.employee_no)} {check_in.held_on.isoformat()}"


def register(app: Flask) -> None:
    labels.register(app, events=EVENTS, details=DETAILS, objects={"checkin": check_in_name},
                    values={("mentoring.check_in_recorded", "form"): lambda v: str(FORM_LABELS.get(v, v))})
