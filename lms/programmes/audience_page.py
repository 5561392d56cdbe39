"""The audience page's list, a page at a time: a bank's programme for every RM holds
20,000 people, which HR pages through, searches by name, 工号 or branch name and narrows by branch,
position and why (in by the rule, added by HR, removed by HR) as on the roster. The
counts at the top are always the whole audience's (within the viewer's branches), not
the filter's."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from lms.content.models import Programme
from lms.extensions import db
from lms.org.models import Branch
from lms.programmes.audience import ADDED, BY_RULE, REMOVED
from lms.programmes.audience_admin import AudienceRow, audience_rows
from lms.text_search import matches

PAGE_SIZE = 50  # the roster's
IN = "in"  # the "why" filter's "in the audience" (by the rule or added by HR)
WHYS = (IN, BY_RULE, ADDED, REMOVED)


@dataclass
class AudienceFilter:
    """What the list is narrowed to; every field optional. ``branch_ids`` is the chosen
    branch's subtree (already checked against the viewer's branches)."""
    q: str = ""
    branch_ids: list[int] | None = None
    position: str = ""
    why: str = ""  # "" (everyone listed) or one of ``WHYS``

    def keep(self, row: AudienceRow, branch_names: dict[int, str]) -> bool:
        """``branch_names``: {branch id: name}, for a search that names the branch (天元支行), as on the roster."""
        user = row.user
        if self.branch_ids is not None and user.branch_id not in self.branch_ids:
            return False
        if self.position:
            current = user.current_position
            if current is None or current.position != self.position:
                return False
        if self.why and not (row.why == self.why or self.why == IN and row.why != REMOVED):
            return False
        if self.q:
            return matches(self.q, names=(user.name, branch_names.get(user.branch_id, "")), codes=(user.employee_no,))
        return True


@dataclass
class Counts:
    """The whole audience's (within the viewer's branches), whatever the filter."""
    by_rule: int = 0
    added: int = 0
    removed: int = 0

    @property
    def members(self) -> int:
        return self.by_rule + self.added


@dataclass
class AudiencePage:
    rows: list[AudienceRow]  # this page's
    counts: Counts
    total: int  # the rows the filter keeps, on every page
    page: int = 1
    pages: int = 1


def audience_page(programme: Programme, scope: list[int] | None, flt: AudienceFilter, page: int = 1) -> AudiencePage:
    """``scope``: the branch ids whose people the viewer sees (``None``: the whole bank)."""
    allowed = None if scope is None else set(scope)
    everyone = [r for r in audience_rows(programme) if allowed is None or r.user.branch_id in allowed]
    counts = Counts()
    for r in everyone:
        if r.why == BY_RULE:
            counts.by_rule += 1
        elif r.why == ADDED:
            counts.added += 1
        else:
            counts.removed += 1
    branch_names = dict(db.session.execute(select(Branch.id, Branch.name)).tuples().all()) if flt.q else {}
    matching = [r for r in everyone if flt.keep(r, branch_names)]
    pages = max(1, -(-len(matching) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    return AudiencePage(rows=matching[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], counts=counts,
                        total=len(matching), page=page, pages=pages)
