"""Personal data across branches, swept by data rather than by route: a
branch manager (天元支行 and its sub-branches) learns nothing of the people of
another branch through any path they can open — the pages and their search
boxes, the htmx fragments, every export, the person pages (404), the home
panels and the notifications. Searching another branch's person by name must
not reveal their 工号, nor by 工号 their name (the page echoes what was typed,
so each search checks the other half)."""
from __future__ import annotations

import re

from sqlalchemy import select

from lms.extensions import db
from lms.org.models import User
from tests.conftest import load_demo_copy, sign_in

HX = {"HX-Request": "true"}

PAGES = ["/", "/me", "/notifications/", "/reports/roster", "/reports/totals", "/reports/overdue",
         "/reports/rankings", "/mentoring/admin/", "/mentoring/admin/mentors", "/mentoring/admin/unpaired",
         "/certificates/", "/certificates/expiring", "/eligibility/", "/eligibility/monitor"]
SEARCHABLE = ["/reports/roster", "/mentoring/admin/", "/mentoring/admin/mentors", "/mentoring/admin/unpaired",
              "/certificates/", "/certificates/expiring", "/eligibility/", "/eligibility/monitor", "/reports/overdue"]
EXPORTS = ["/reports/export/roster.csv", "/reports/export/overdue.csv", "/certificates/export.csv",
           "/certificates/expiring/export.csv", "/eligibility/export.csv", "/eligibility/monitor.csv",
           "/mentoring/admin/export/pairings.csv", "/mentoring/admin/export/mentors.csv",
           "/mentoring/admin/export/unpaired.csv"]


def _names(text: str, people) -> list[str]:
    return [f"{p.employee_no} {p.name}" for p in people
            if p.name in text or re.search(rf"(?<![\w-]){re.escape(p.employee_no)}(?![\w-])", text)]


def test_a_branch_manager_learns_nothing_of_another_branch_on_any_path(app, client):
    load_demo_copy()
    manager = db.session.scalar(select(User).where(User.employee_no == "manager"))
    mine = set(manager.branch.subtree_ids())
    others = [u for u in db.session.scalars(select(User))
              if u.branch_id is not None and u.branch_id not in mine and not u.has_role("admin", "hr", "trainer")]
    assert len(others) > 10
    sign_in(client, manager)
    for url in PAGES + EXPORTS:
        for headers in ({}, HX):
            response = client.get(url, headers=headers)
            assert response.status_code in (200, 404), url
            text = response.get_data().decode("utf-8", "replace")
            assert not _names(text, others), f"{url} {headers}: {_names(text, others)[:3]}"
    for person in others[:3]:  # someone of 芦淞支行 etc., by name and by 工号
        for url in SEARCHABLE:
            by_name = client.get(url, query_string={"q": person.name}).text
            assert not re.search(rf"(?<![\w-]){re.escape(person.employee_no)}(?![\w-])", by_name), (url, person.name)
            by_no = client.get(url, query_string={"q": person.employee_no}).text
            assert person.name not in by_no, (url, person.employee_no)
        for url in (f"/reports/people/{person.id}", f"/eligibility/people/{person.id}",
                    f"/programmes/people/{person.id}"):
            assert client.get(url).status_code == 404, url
