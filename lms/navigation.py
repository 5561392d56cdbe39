"""The main menu: each domain's entries, shown to the roles that may use them."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l

from lms.mentoring.access import has_pairing


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    roles: tuple[str, ...]  # empty: every signed-in user
    when: Callable[[object], bool] | None = None  # and only for the users this says (a small query)


def _had_mentor(user) -> bool:
    return has_pairing(user)


# Later domains append their entries here.
NAV: list[NavItem] = [
    NavItem("main.home", _l("Home"), ()),
    NavItem("content.courses", _l("Courses"), ()),
    NavItem("content.console_home", _l("Content console"), ("trainer",)),
    NavItem("notebook.index", _l("Wrong-answer notebook"), ("learner",)),
    NavItem("mentoring.desk_page", _l("Mentor's desk"), ("mentor",)),
    NavItem("mentoring.me", _l("My mentor"), ("learner",), when=_had_mentor),
    NavItem("certificates.mine", _l("My certificates"), ("learner",)),
    NavItem("grading.queue", _l("Essay grading"), ("trainer",)),
    NavItem("analysis.index", _l("Exam analysis"), ("trainer",)),
    NavItem("programme_admin.index", _l("Programmes"), ("hr", "trainer")),
    NavItem("reports.roster", _l("Roster"), ("trainer", "hr", "branch_manager")),
    NavItem("reports.rankings", _l("Rankings"), ("trainer", "hr", "branch_manager")),
    NavItem("credentials.certifications", _l("Certifications and rules"), ("hr", "trainer")),
    NavItem("mentoring_admin.index", _l("Mentoring pairings"), ("hr", "branch_manager")),
    NavItem("certificates.register", _l("Certificate register"), ("hr", "branch_manager")),
    NavItem("eligibility.register", _l("Eligibility register"), ("hr", "branch_manager")),
    NavItem("org.people", _l("People"), ("hr",)),
    NavItem("org.branches", _l("Branches"), ("hr",)),
    NavItem("audit.events", _l("Audit log"), ("hr",)),
    NavItem("notify_admin.channels_page", _l("Notification channels"), ("admin",)),
    NavItem("certificate_pdf.issuer", _l("Certificate issuer"), ("admin",)),
]


def nav_items(user) -> list[tuple[str, object]]:
    return [(url_for(item.endpoint), item.label) for item in NAV
            if (not item.roles or user.has_role(*item.roles)) and (item.when is None or item.when(user))]
