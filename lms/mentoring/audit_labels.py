"""The audit log in words for pairings and HR's mentoring settings
(``lms.audit.labels``), registered from ``lms.mentoring.setup``."""
from __future__ import annotations

from flask import Flask, g
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.audit import labels
from lms.extensions import db
from lms.mentoring.models import Pairing, SignOffDimension
from lms.mentoring.settings import SETTING_LABELS, certification_title, dimension_label
from lms.org.audit_labels import person_by_employee_no, position
from lms.org.models import POSITIONS

EVENTS = {
    "pairing.created": _l("%(actor)s paired a mentor and an apprentice: %(object)s"),
    "pairing.ended": _l("%(actor)s ended the pairing %(object)s"),
    "pairing.mentor_changed": _l("%(actor)s changed the mentor of the pairing %(object)s"),
    "mentoring.setting_changed": _l("%(actor)s changed the mentoring setting “%(object)s”"),
    "mentoring.capacity_set": _l("%(actor)s set the mentor capacity of %(object)s"),
    "mentoring.dimension_added": _l("%(actor)s added the sign-off dimension %(object)s"),
    "mentoring.dimension_changed": _l("%(actor)s changed the sign-off dimension %(object)s"),
    "mentoring.dimension_retired": _l("%(actor)s retired the sign-off dimension %(object)s"),
    "mentoring.dimension_restored": _l("%(actor)s brought back the sign-off dimension %(object)s"),
}
DETAILS = {
    "mentor": _l("Mentor"),
    "apprentice": _l("Apprentice"),
    "planned_end": _l("Planned end date"),
    "replaces": _l("Replaces pairing"),
    "label_en": _l("English label"),
    "label_zh_change": _l("Chinese label"),
    "label_en_change": _l("English label"),
    "position_change": _l("Order"),
    # A dimension's names as entered (the shared "name" is a person's 姓名).
    **{(action, "name"): _l("Dimension name") for action in EVENTS if action.startswith("mentoring.dimension_")},
}


def pairing_name(pairing_id) -> str:
    pairing = db.session.get(Pairing, int(pairing_id)) if str(pairing_id).isdigit() else None
    if pairing is None:
        return str(pairing_id)
    return f"{pairing.mentor.name} → {pairing.apprentice.name}"


def setting_name(key: str) -> str:
    return str(SETTING_LABELS.get(key, key))


def setting_value(value) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, str) and value in POSITIONS:
        return position(value)
    if isinstance(value, str):
        return certification_title(value)
    return str(value)


def dimension_name(key: str) -> str:
    """The dimension in the reader's language (its key once it is unknown)."""
    dimension = db.session.get(SignOffDimension, key)
    return dimension_label(dimension) if dimension is not None else str(key)


def dimension_names(value) -> str:
    """A dimension event's names (``{"zh": …, "en": …}``, as entered) in the
    reader's language. An event recorded before it kept both holds the Chinese
    label alone: named as the dimension that still has it, else as stored."""
    if isinstance(value, dict):
        english = str(get_locale() or "zh_CN").startswith("en")
        return labels.plain(value.get("en" if english else "zh") or value.get("zh") or value.get("en"))
    if "_dimensions_by_zh" not in g:  # read once for a page of events
        g._dimensions_by_zh = {d.label_zh: d for d in db.session.scalars(select(SignOffDimension))}
    dimension = g._dimensions_by_zh.get(str(value))
    return dimension_label(dimension) if dimension is not None else labels.plain(value)


def capacity(value) -> str:
    return str(_l("the default")) if value is None else str(value)


def change(value) -> str:
    if isinstance(value, dict) and "before" in value:
        return f"{labels.plain(value.get('before'))} → {labels.plain(value.get('after'))}"
    return labels.plain(value)


def register(app: Flask) -> None:
    values = {
        ("pairing.created", "mentor"): person_by_employee_no, ("pairing.created", "apprentice"): person_by_employee_no,
        ("pairing.ended", "mentor"): person_by_employee_no, ("pairing.ended", "apprentice"): person_by_employee_no,
        ("pairing.mentor_changed", "apprentice"): person_by_employee_no,
        ("pairing.mentor_changed", "before"): person_by_employee_no,
        ("pairing.mentor_changed", "after"): person_by_employee_no,
        ("mentoring.setting_changed", "before"): setting_value, ("mentoring.setting_changed", "after"): setting_value,
        ("mentoring.capacity_set", "before"): capacity, ("mentoring.capacity_set", "after"): capacity,
        **{(action, "name"): dimension_names for action in EVENTS if action.startswith("mentoring.dimension_")},
        (None, "label_zh_change"): change, (None, "label_en_change"): change, (None, "position_change"): change,
    }
    labels.register(app, events=EVENTS, details=DETAILS, values=values,
                    objects={"pairing": pairing_name, "mentoring_setting": setting_name,
                             "signoff_dimension": dimension_name})
