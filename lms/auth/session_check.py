"""Whether the sign-in a long answer began under still holds.

Every request is checked once, when it starts (``lms.__init__``'s user loader:
the session's version, the account active; ``lms.web.roles_required``: the
role). A streamed download goes on long after that: a year's roster is made a
block of rows at a time while the browser reads it. If meanwhile the user
signs out in another tab, an administrator deactivates them, their role is
taken away, their sessions are ended (a password change or reset), or the
session's absolute lifetime (``PERMANENT_SESSION_LIFETIME``, counted from
sign-in: ``lms.security``) runs out while the file is read, the rest of the
file must not be sent. So the download asks again between its
blocks (``SignInCheck.holds``): one light query per block, never per row.

The query runs on a connection of its own, not the request's session: on
SQLite the request reads one snapshot for its whole transaction (WAL), and a
sign-out committed after the download began would never be seen there."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, has_request_context, request, session
from flask_login import current_user
from sqlalchemy import select

from lms.extensions import db
from lms.org.models import ROLE_NAMES, User, roles_admitted
from lms.security import epoch_now, session_ends_at


class SignInEnded(Exception):
    """The sign-in a download began under ended while it was being made.
    ``signed_out``: the session itself ended (sign-out, deactivation, the
    sessions ended); otherwise the account lost the role the page needs."""

    def __init__(self, signed_out: bool):
        super().__init__("the sign-in ended" if signed_out else "the role was removed")
        self.signed_out = signed_out


@dataclass(frozen=True)
class SignInCheck:
    user_id: int
    session_version: int
    roles: tuple[str, ...]  # the page's roles (``roles_required``); empty: any signed-in user
    ends_at: int | None = None  # epoch seconds (``lms.clock``) the session's absolute lifetime ends

    def ended(self, reader=None) -> SignInEnded | None:
        """Why the sign-in no longer holds, or None while it does: one query,
        on a connection of its own, or on ``reader`` (a service's session,
        reading under the lock its transaction holds)."""
        if self.ends_at is not None and epoch_now() > self.ends_at:
            return SignInEnded(signed_out=True)
        statement = select(User.active, User.session_version, ROLE_NAMES).where(User.id == self.user_id)
        if reader is not None:
            row = reader.execute(statement).first()
        else:
            with db.engine.connect() as connection:
                row = connection.execute(statement).first()
        if row is None or not row.active or row.session_version != self.session_version:
            return SignInEnded(signed_out=True)
        held = set(filter(None, (row[2] or "").split(",")))
        if self.roles and held.isdisjoint(roles_admitted(*self.roles)):
            return SignInEnded(signed_out=False)
        return None

    def holds(self) -> bool:
        return self.ended() is None


def for_this_request() -> SignInCheck | None:
    """The check of the signed-in user of the request running, with the roles
    its page requires; None outside a request or without a signed-in user
    (a command, a public page: nothing to end)."""
    if not has_request_context() or not current_user or not current_user.is_authenticated:
        return None
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return SignInCheck(current_user.id, current_user.session_version,
                       tuple(getattr(view, "required_roles", ())), session_ends_at(current_app, session))
