"""The audit log in words for the events of people, branches, settings and
sign-in (``lms.audit.labels``): registered from ``lms.org.setup`` and
``lms.auth.setup``."""
from __future__ import annotations

from flask import Flask, g
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import select

from lms import punctuation
from lms.audit import labels
from lms.extensions import db
from lms.org.models import LOCALES, POSITIONS, ROLES, Branch, User
from lms.org.settings import FLAGS

ORG_EVENTS = {
    "user.created": _l("%(actor)s created the account of %(object)s"),
    "user.updated": _l("%(actor)s changed the details of %(object)s"),
    "user.renumbered": _l("%(actor)s changed the employee number of %(object)s"),
    "user.roles_changed": _l("%(actor)s changed the roles of %(object)s"),
    "user.position_changed": _l("%(actor)s changed the position of %(object)s"),
    "user.eligibility_override": _l("%(actor)s overrode an eligibility rule to move %(object)s"),
    "user.deactivated": _l("%(actor)s deactivated the account of %(object)s"),
    "user.reactivated": _l("%(actor)s reactivated the account of %(object)s"),
    "user.password_reset": _l("%(actor)s reset the password of %(object)s"),
    "branch.created": _l("%(actor)s created the branch %(object)s"),
    "branch.renamed": _l("%(actor)s renamed the branch %(object)s"),
    "settings.changed": _l("%(actor)s changed the setting “%(object)s”"),
    "people.imported": _l("%(actor)s imported people from a file"),
}
AUTH_EVENTS = {
    "auth.login": _l("%(actor)s signed in"),
    "auth.login_failed": _l("A sign-in failed for %(object)s"),
    "auth.logout": _l("%(actor)s signed out"),
    "auth.password_changed": _l("%(actor)s changed their password"),
    "auth.password_change_failed": _l("%(actor)s failed to change their password (wrong current password)"),
}
DETAILS = {
    "branch": _l("Branch"),
    "code": _l("Branch code"),  # only branches record a code
    "parent": _l("Parent branch"),
    "start": _l("Effective from"),
    "failures": _l("Failed attempts in a row"),
    "inactive": _l("Account deactivated"),
    "created": _l("Created"),
    "updated": _l("Updated"),
    "unchanged": _l("Unchanged"),
    "hire_date": _l("Hire date"),
    "locale": _l("Language"),
    "unmet": _l("Unmet conditions"),
    # A branch's name, not a person's 姓名 (the shared "name").
    ("branch.created", "name"): lazy_pgettext("a branch's", "Name"),
}
FIELDS = {"name": _l("Name"), "branch": _l("Branch"), "hire_date": _l("Hire date"), "locale": _l("Language")}


def person_by_id(user_id: str) -> str:
    return people_by_id([str(user_id)])[str(user_id)]


def people_by_id(user_ids: list[str]) -> dict[str, str]:
    """``person_by_id`` for many ids in one statement (the audit log's page)."""
    ids = [int(i) for i in user_ids if str(i).isdigit()]
    rows = db.session.execute(select(User.id, User.name, User.employee_no).where(User.id.in_(ids))) if ids else []
    found = {str(row.id): row.name + punctuation.aside(row.employee_no) for row in rows}
    return {i: found.get(str(i), str(_l("a deleted account"))) for i in user_ids}


def person_by_employee_no(employee_no) -> str:
    """Memoised for the request: an import's events name the same people again and again."""
    known = g.setdefault("_audit_people_by_no", {})
    if str(employee_no) not in known:
        row = db.session.execute(select(User.name, User.employee_no)
                                 .where(User.employee_no == str(employee_no))).first()
        known[str(employee_no)] = row.name + punctuation.aside(row.employee_no) if row else labels.plain(employee_no)
    return known[str(employee_no)]


def branch_by_code(code) -> str:
    if not code:
        return "—"
    branch = db.session.scalar(select(Branch).where(Branch.code == str(code)))
    return branch.name if branch else str(code)


def branch_by_id(branch_id: str) -> str:
    branch = db.session.get(Branch, int(branch_id)) if str(branch_id).isdigit() else None
    return branch.name if branch else str(branch_id)


def position(code) -> str:
    return str(POSITIONS.get(code, code)) if code else "—"


def roles(codes) -> str:
    return punctuation.listing(str(ROLES.get(c, c)) for c in codes) if codes else "—"


def setting_name(key: str) -> str:
    return str(FLAGS[key][1]) if key in FLAGS else key


def on_off(value) -> str:
    return str(_l("on")) if value else str(_l("off"))


def _field_value(name: str, value) -> str:
    if name == "branch":
        return branch_by_code(value)
    if name == "locale":
        return LOCALES.get(value, labels.plain(value))
    return labels.plain(value)


def field_changes(name: str):
    """user.updated stores {field: {before, after}}: "Branch: A → B"."""
    def show(value) -> str:
        if isinstance(value, dict) and "before" in value:
            return f"{_field_value(name, value.get('before'))} → {_field_value(name, value.get('after'))}"
        return _field_value(name, value)
    return show


def register(app: Flask) -> None:
    values = {
        ("user.position_changed", "before"): position, ("user.position_changed", "after"): position,
        ("user.eligibility_override", "after"): position,
        ("user.roles_changed", "before"): roles, ("user.roles_changed", "after"): roles,
        ("settings.changed", "before"): on_off, ("settings.changed", "after"): on_off,
        (None, "branch"): branch_by_code, (None, "parent"): branch_by_code,
        (None, "employee_no"): person_by_employee_no, (None, "learner"): person_by_employee_no,
        # The 工号 the account was created with, under 工号: the person is the event's object already.
        ("user.created", "employee_no"): labels.plain, ("auth.login_failed", "employee_no"): labels.plain,
    }
    for name in FIELDS:
        values[("user.updated", name)] = field_changes(name)
    labels.register(app, events={**ORG_EVENTS, **AUTH_EVENTS}, details=DETAILS, values=values,
                    objects={"user": person_by_id, "branch": branch_by_id, "setting": setting_name,
                             "import": lambda _id: ""},
                    many={"user": people_by_id})
