"""The bank's branches (分行 and their 支行): creating and renaming them (each
recorded in the audit log), the tree, the choices a form offers, and how many
active people each has."""
from __future__ import annotations

import unicodedata

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lms.audit import services as audit
from lms.database import transaction
from lms.extensions import db
from lms.org.models import Branch, User
from lms.org.services import OrgError


@transaction(immediate=True)
def create_branch(code: str, name: str, parent: Branch | None = None) -> Branch:
    code, name = code.strip(), name.strip()
    if (same := _code_taken(code)) is not None:
        if same.code == code:
            raise OrgError(_("Branch code %(code)s exists already.", code=code))
        raise OrgError(_("Branch code %(code)s differs from %(existing)s, the code of %(name)s, only in upper and "
                         "lower case: the two would be taken for one (the people import reads a code either way). "
                         "Choose another code.", code=code, existing=same.code, name=same.name))
    if (taken := _name_taken(name)) is not None:
        raise OrgError(_("A branch named %(name)s exists already.", name=taken))
    branch = Branch(code=code, name=name, parent=parent)
    db.session.add(branch)
    db.session.flush()
    audit.record("branch.created", branch, code=code, name=name, parent=parent.code if parent else None)
    return branch


@transaction(immediate=True)
def rename_branch(branch: Branch, name: str) -> bool:
    name = name.strip()
    if name == branch.name:
        return False
    if (taken := _name_taken(name, besides=branch.id)) is not None:
        raise OrgError(_("A branch named %(name)s exists already.", name=taken))
    before, branch.name = branch.name, name
    db.session.flush()
    audit.record("branch.renamed", branch, code=branch.code, before=before, after=name)
    return True


def _code_taken(code: str) -> Branch | None:
    """The branch whose code is ``code`` but for upper and lower case (ZZ01 beside zz01), or None."""
    return db.session.scalar(select(Branch).where(func.lower(Branch.code) == code.lower()).limit(1))


def _name_key(name: str) -> str:
    """A branch's name as a reader tells it apart: full-width letters and compatibility forms (the
    Kangxi radical ⾏ for 行) as what they look like (NFKC), spaces and upper or lower case aside."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _name_taken(name: str, besides: int | None = None) -> str | None:
    """The existing branch name that reads as ``name`` (``_name_key``), or None: two branches that look
    the same would be one on every filter, register and import (a bank has a few hundred)."""
    key = _name_key(name)
    return next((existing for branch_id, existing in db.session.execute(select(Branch.id, Branch.name))
                 if branch_id != besides and _name_key(existing) == key), None)


def branch_tree() -> list[Branch]:
    """The top-level branches (分行); their ``children`` are the sub-branches."""
    # Every level's children in one statement (not one per branch: a bank has sixty and more).
    return db.session.scalars(select(Branch).where(Branch.parent_id.is_(None)).order_by(Branch.code)
                              .options(selectinload(Branch.children, recursion_depth=-1))).all()


def branch_choices() -> list[tuple[int, str]]:
    """Every branch, in tree order, labelled with its place in the tree."""
    out: list[tuple[int, str]] = []

    def walk(branch: Branch, depth: int):
        out.append((branch.id, "\u3000" * depth + f"{branch.name} ({branch.code})"))
        for child in branch.children:
            walk(child, depth + 1)

    for root in branch_tree():
        walk(root, 0)
    return out


def headcount_by_branch() -> dict[int, int]:
    rows = db.session.execute(
        select(User.branch_id, func.count()).where(User.active.is_(True)).group_by(User.branch_id)
    ).all()
    return {branch_id: n for branch_id, n in rows if branch_id is not None}
