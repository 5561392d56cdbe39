"""The main menu: each domain's entries, shown to the roles that may use them."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    roles: tuple[str, ...]  # empty: every signed-in user


# Later domains append their entries here.
NAV: list[NavItem] = [
    NavItem("main.home", _l("Home"), ()),
    NavItem("content.courses", _l("Courses"), ()),
    NavItem("content.console_home", _l("Content console"), ("trainer",)),
    NavItem("notebook.index", _l("Wrong-answer notebook"), ("learner",)),
    NavItem("grading.queue", _l("Essay grading"), ("trainer",)),
    NavItem("analysis.index", _l("Exam analysis"), ("trainer",)),
    NavItem("programme_admin.index", _l("Programmes"), ("hr", "trainer")),
    NavItem("reports.roster", _l("Roster"), ("trainer", "hr", "branch_manager")),
    NavItem("reports.rankings", _l("Rankings"), ("trainer", "hr", "branch_manager")),
    NavItem("eligibility.register", _l("Eligibility"), ("hr", "branch_manager")),
    NavItem("org.people", _l("People"), ("hr",)),
    NavItem("org.branches", _l("Branches"), ("hr",)),
    NavItem("audit.events", _l("Audit log"), ("hr",)),
    NavItem("notify_admin.channels_page", _l("Notification channels"), ("admin",)),
]


def nav_items(user) -> list[tuple[str, object]]:
    return [(url_for(item.endpoint), item.label) for item in NAV if not item.roles or user.has_role(*item.roles)]
