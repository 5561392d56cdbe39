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
