"""Somebody must stay able to manage administrators and grant roles: the last
active administrator keeps the role and the account, whoever asks (a page, an
import row, the command line)."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.extensions import db
from lms.org.models import User, UserRole


def other_active_admins(user: User) -> int:
    """Active administrators besides ``user``."""
    return db.session.scalar(select(func.count()).select_from(User).join(UserRole).where(
        UserRole.role == "admin", User.active.is_(True), User.id != user.id))


def last_admin_problem(user: User, roles_after: set, active_after: bool = True) -> str | None:
    """Why ``user`` cannot end with ``roles_after`` (and ``active_after``); None when they can."""
    if not user.active or "admin" not in user.roles or ("admin" in roles_after and active_after):
        return None
    if other_active_admins(user):
        return None
    return _("%(name)s is the last active administrator: make someone else an administrator first.", name=user.name)
