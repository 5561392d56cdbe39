"""The pairings register pages its rows (it showed the first 300 and said the
download had the rest): 上一页 / 下一页 keep the filters, a changed filter
starts again at page 1, a page past the end shows the last, the download has
every matching row."""
from __future__ import annotations

import re
from datetime import date

import pytest
from flask_babel import force_locale

from lms.extensions import db
from lms.mentoring import pairing as rules
from lms.mentoring import register
from tests.conftest import sign_in
from tests.mentoring.pairing_world import make_world
from tests.test_labels import visible_text

START, END = date(2026, 3, 2), date(2026, 9, 1)


@pytest.fixture
def w(app, clock, make_user, make_branch, monkeypatch):
    monkeypatch.setattr(register, "PER_PAGE", 2)
    world = make_world(make_user, make_branch)
    with app.test_request_context(), force_locale("en"):
        rules.pair(world.mentor, world.learners[0], START, END, actor=world.hr)
        rules.pair(world.mentor, world.learners[1], START, END, actor=world.hr)
        rules.pair(world.mentor2, world.learners[4], START, END, actor=world.hr)
        old = rules.pair(world.mentor2, world.learners[5], date(2026, 1, 5), END, actor=world.hr)
        rules.end(old, "徒弟调岗", actor=world.hr)
    db.session.commit()
    return world


def rows(html: str) -> list[str]:
    return re.findall(r'<tr id="pairing-(\d+)"', html)


def test_the_register_pages_its_rows_and_the_pager_keeps_the_filters(client, w):
    sign_in(client, w.hr)
    first = client.get("/mentoring/admin/")
    assert len(rows(first.text)) == 2
    text = visible_text(first.text)
    assert "4 pairings" in text and "Page 1 of 2" in text and "Next" in text and "Previous" not in text
    second = client.get("/mentoring/admin/?page=2")
    assert len(rows(second.text)) == 2 and set(rows(second.text)).isdisjoint(rows(first.text))
    assert "Previous" in visible_text(second.text) and "Next" not in visible_text(second.text)

    active = client.get("/mentoring/admin/?state=active")
    assert len(rows(active.text)) == 2 and "3 pairings" in visible_text(active.text)
    assert 'href="/mentoring/admin/?page=2&amp;state=active"' in active.text
    last = client.get("/mentoring/admin/?page=2&state=active", headers={"HX-Request": "true"})
    assert len(rows(last.text)) == 1 and last.text.lstrip().startswith('<div id="register-table"')
    assert len(rows(client.get("/mentoring/admin/?page=99&state=active").text)) == 1  # past the end: the last page

    # The filter form does not carry the page: a new filter starts at page 1.
    assert 'name="page"' not in first.text
    # The download has every matching row, not one page.
    csv = client.get("/mentoring/admin/export/pairings.csv?state=active").get_data(as_text=True)
    assert len(csv.strip().splitlines()) == 1 + 3


def mentor_rows(html: str) -> list[str]:
    return re.findall(r'<tr id="mentor-(\d+)"', html)


def unpaired_rows(html: str) -> list[str]:
    return re.findall(r'<tr id="unpaired-(\d+)"', html)


def test_the_mentors_tab_pages_its_rows_fullest_first_and_keeps_the_branch(client, w):
    """Four mentors, two a page: the fullest first across the pages, the
    pager keeps the branch filter, past the end shows the last page, and
    the download has every mentor."""
    sign_in(client, w.hr)
    first = client.get("/mentoring/admin/mentors")
    second = client.get("/mentoring/admin/mentors?page=2")
    assert len(mentor_rows(first.text)) == 2 and len(mentor_rows(second.text)) == 2
    # 王师傅 and 刘师傅 have the apprentices: they lead on page 1; 张三 and 钱进 (none) follow.
    assert set(mentor_rows(first.text)) == {str(w.mentor.id), str(w.mentor2.id)}
    assert set(mentor_rows(second.text)) == {str(w.short.id), str(w.junior_mentor.id)}
    text = visible_text(first.text)
    assert "4 mentors" in text and "Page 1 of 2" in text and "Next" in text and "Previous" not in text
    assert "Previous" in visible_text(second.text) and "Next" not in visible_text(second.text)
    # Only the mentors on the page are checked against the rule, and they still are.
    assert "Does not meet" in second.text

    in_branch = client.get(f"/mentoring/admin/mentors?branch={w.tianyuan.id}")
    assert "3 mentors" in visible_text(in_branch.text)
    assert f'href="/mentoring/admin/mentors?page=2&amp;branch={w.tianyuan.id}"' in in_branch.text
    last = client.get(f"/mentoring/admin/mentors?page=2&branch={w.tianyuan.id}", headers={"HX-Request": "true"})
    assert len(mentor_rows(last.text)) == 1 and last.text.lstrip().startswith('<div id="register-table"')
    assert mentor_rows(client.get(f"/mentoring/admin/mentors?page=99&branch={w.tianyuan.id}").text) \
        == mentor_rows(last.text)
    assert 'name="page"' not in first.text

    csv = client.get("/mentoring/admin/export/mentors.csv").get_data(as_text=True)
    assert len(csv.strip().splitlines()) == 1 + 4


def test_the_unpaired_tab_pages_its_rows_and_keeps_the_branch(client, w):
    """Three of the seven learners are paired above: four without a mentor,
    two a page; with the branch filter, the pager keeps it; the download has
    every one."""
    sign_in(client, w.hr)
    first = client.get("/mentoring/admin/unpaired")
    second = client.get("/mentoring/admin/unpaired?page=2")
    assert len(unpaired_rows(first.text)) == 2 and len(unpaired_rows(second.text)) == 2
    assert set(unpaired_rows(first.text)).isdisjoint(unpaired_rows(second.text))
    expected = {str(u.id) for u in (w.learners[2], w.learners[3], w.learners[5], w.learners[6])}
    assert set(unpaired_rows(first.text)) | set(unpaired_rows(second.text)) == expected
    text = visible_text(first.text)
    assert "4 people" in text and "Page 1 of 2" in text and "Next" in text and "Previous" not in text

    in_branch = client.get(f"/mentoring/admin/unpaired?branch={w.lusong.id}")
    assert len(unpaired_rows(in_branch.text)) == 2 and "Page 1 of" not in visible_text(in_branch.text)
    everyone = client.get(f"/mentoring/admin/unpaired?branch={w.city.id}")
    assert f'href="/mentoring/admin/unpaired?page=2&amp;branch={w.city.id}"' in everyone.text
    past = client.get(f"/mentoring/admin/unpaired?page=99&branch={w.city.id}", headers={"HX-Request": "true"})
    assert unpaired_rows(past.text) == unpaired_rows(second.text)
    assert past.text.lstrip().startswith('<div id="register-table"')

    csv = client.get("/mentoring/admin/export/unpaired.csv").get_data(as_text=True)
    assert len(csv.strip().splitlines()) == 1 + 4
