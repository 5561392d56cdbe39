"""The changes a people import makes to people who exist, row by row through the
services of one change each (``update_user``, ``set_roles``, ``change_position``,
``deactivate``, ``reactivate``: their rules, their audit events), so a row of a
file is judged as the same change on the person page would be.

What made that slow for a whole file is done once for all rows: the people are
read again under the write lock in one statement (each was three: its fields,
roles and positions, expired when the write transaction began), the eligibility
gates read what they need for every move at once, and the audit events are
linked in memory and written with one INSERT (``audit.appended_together``).
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import inspect, select

from lms.audit import services as audit
from lms.extensions import db
from lms.in_list import narrow
from lms.org import dependents, position_gates, services
from lms.org.models import User


class RowFailed(services.OrgError):
    """A rule refused the change of the file's row ``row``."""

    def __init__(self, row: int, error: services.OrgError):
        super().__init__(str(error))
        self.row = row


def apply_rows(rows: list, filename: str, *, actor: User | None, today: date, end_dependents: bool) -> None:
    """Carry out the import's update rows (``imports.RowPlan``, action "update")
    in the caller's transaction; the first one a rule refuses raises ``RowFailed``.
    ``end_dependents``: end what a deactivation or a lost role leaves without
    someone to act, with the row's reason."""
    if not rows:
        return
    # Their ids as the session knows them: reading ``user.id`` would load each expired user alone.
    stmt, _keep = narrow(select(User), User.id, [inspect(row.user).identity[0] for row in rows])
    db.session.scalars(stmt.execution_options(populate_existing=True)).all()
    gates = position_gates.prepare([row.user for row in rows], {row.position for row in rows})
    with audit.appended_together():
        for row in rows:
            try:
                _apply(row, filename, actor, today, end_dependents and bool(row.dependents), gates)
            except services.OrgError as exc:
                raise RowFailed(row.row, exc) from None


def _apply(row, filename: str, actor: User | None, today: date, ending: bool, gates: position_gates.Gates) -> None:
    user = row.user
    if row.leaving:
        services.deactivate(user, _reason(row, filename), actor=actor, end_dependents=ending)
        return
    if row.leaving is False and not user.active:
        services.reactivate(user, _("At work (imported from %(file)s)", file=filename), actor=actor)
    services.update_user(user, actor=actor, name=row.name, branch=row.branch, hire_date=row.hire_date,
                         email=row.email if row.email is not None else ...)
    services.set_roles(user, row.roles, actor=actor, end_dependents=ending, reason=_reason(row, filename))
    services.change_position(user, row.position, today, actor=actor, note=_("Imported from %(file)s", file=filename),
                             override_reason=row.override_reason, gates=gates)


def _reason(row, filename: str) -> str:
    """Why what the row leaves without someone to act is ended (a pairing's end reason)."""
    if row.leaving:
        reason = _("Left the bank (imported from %(file)s)", file=filename)
    else:
        reason = _("Roles changed (imported from %(file)s)", file=filename)
    return reason[:dependents.REASON_MAX]
