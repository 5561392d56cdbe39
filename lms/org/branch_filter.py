"""The branch filter of the lists that show people by branch (the roster, the
certificate, pairing and eligibility registers, the 持证上岗 monitor, a
programme's audience): the branches a viewer may choose from, and the branch
chosen, which must lie in the viewer's scope (``lms.org.scope.branch_scope``)."""
from __future__ import annotations

from flask import abort
from sqlalchemy import select

from lms.extensions import db
from lms.ids import DB_INT_MAX
from lms.org.models import Branch


def branch_choices(scope: list[int] | None) -> list[tuple[int, str]]:
    """(id, place in the tree) of the branches in ``scope`` (every one when None), in tree order."""
    branches = db.session.scalars(select(Branch)).all()
    return sorted(((b.id, b.path()) for b in branches if scope is None or b.id in scope), key=lambda c: c[1])


def chosen_branch(branch_id: int | None, scope: list[int] | None) -> Branch | None:
    """The branch a list is filtered to (``?branch=``), None when none is chosen;
    404 for a branch that does not exist or lies outside ``scope``."""
    if not branch_id:
        return None
    branch = db.session.get(Branch, branch_id) if abs(branch_id) <= DB_INT_MAX else None
    if branch is None or (scope is not None and branch.id not in scope):
        abort(404)
    return branch


def chosen_subtree(branch_id: int | None, scope: list[int] | None) -> list[int] | None:
    """The ids of the chosen branch and its sub-branches; None when none is chosen."""
    branch = chosen_branch(branch_id, scope)
    return branch.subtree_ids() if branch else None
