"""The branch manager's home shows 尚无师傅: the people of their branch and its
sub-branches who take a mentor and have none, as the register's tab counts
them, linked to that list. "Everyone has a mentor" only when someone there
takes a mentor; otherwise the panel says what is true."""
from __future__ import annotations

import re
from datetime import date

from lms.extensions import db
from lms.mentoring.models import Pairing
from tests.conftest import sign_in
from tests.mentoring.pairing_world import make_world


def _panel(client) -> str:
    return client.get("/").text.split('id="unpaired-panel"')[1].split("</section>")[0]


def _figure(panel: str) -> int | None:
    found = re.search(r'<a href="/mentoring/admin/unpaired">(\d+)</a>', panel)
    return int(found.group(1)) if found else None


def test_the_figure_counts_the_managers_branches_only_and_links_to_the_list(app, client, clock, make_user,
                                                                              make_branch):
    w = make_world(make_user, make_branch)
    w.manager.locale = "zh_CN"
    db.session.commit()
    sign_in(client, w.manager)
    panel = _panel(client)
    assert "尚无师傅" in panel and _figure(panel) == 4  # 天元支行's four learners; 芦淞支行's three are not theirs
    listed = client.get("/mentoring/admin/unpaired").text
    assert "共 4 人" in listed and "学员5" not in listed
    db.session.add(Pairing(mentor_id=w.mentor.id, apprentice_id=w.learners[0].id, start_date=date(2026, 3, 1)))
    db.session.commit()
    assert _figure(_panel(client)) == 3
    for learner in w.learners[1:4]:
        db.session.add(Pairing(mentor_id=w.mentor.id, apprentice_id=learner.id, start_date=date(2026, 3, 1)))
    db.session.commit()
    panel = _panel(client)
    assert _figure(panel) is None and "人人都有师傅" in panel

    sign_in(client, w.hr)  # HR reads the whole bank's list on the register; the panel is the manager's
    assert 'id="unpaired-panel"' not in client.get("/").text


def test_no_claim_about_a_branch_without_people_or_without_anyone_who_takes_a_mentor(app, client, clock,
                                                                                      make_user, make_branch):
    w = make_world(make_user, make_branch)
    empty = make_branch("ZZ0103", "石峰支行", parent=w.city)
    seniors = make_branch("ZZ0104", "荷塘支行", parent=w.city)
    make_user(("mentor", "learner"), branch=seniors, position="rm_senior", position_start=date(2020, 1, 1))
    for branch, expected in ((empty, "Nobody else works in your branches yet."),
                             (seniors, "Nobody here is in a post that takes a mentor yet")):
        manager = make_user(("branch_manager",), branch=branch, locale="en")
        sign_in(client, manager)
        panel = _panel(client)
        assert expected in panel and "Everyone has a mentor" not in panel and _figure(panel) is None
