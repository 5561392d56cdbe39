"""Empty pages say what to do: a new learner in no programme is told how one
comes (and where to read meanwhile); HR with no pairing yet gets the ways to
make one — not "No pairing matches" as if a filter hid them."""
from __future__ import annotations

from tests.conftest import sign_in
from tests.test_labels import visible_text


def test_a_new_learner_in_no_programme_is_told_what_happens_next(client, make_user):
    sign_in(client, make_user(("learner",)))
    home = client.get("/")
    text = visible_text(home.text)
    assert "你目前还没有参加任何培训计划" in text
    assert "请联系人力资源" in text and 'href="/courses"' in home.text.split('id="no-programme"')[1].split("</p>")[0]


def test_hr_with_no_pairing_yet_gets_the_ways_to_make_one(client, make_user):
    sign_in(client, make_user(("hr",)))
    page = client.get("/mentoring/admin/")
    cell = page.text.split('id="no-pairing"')[1].split("</td>")[0]
    assert "还没有结对" in visible_text(cell)
    for href in ("/mentoring/admin/pair", "/mentoring/admin/import", "/mentoring/admin/unpaired"):
        assert f'href="{href}"' in cell
    # With a filter, the same empty table says the filter found nothing.
    filtered = client.get("/mentoring/admin/?q=nobody").text
    assert "没有符合条件的结对" in visible_text(filtered.split('id="no-pairing"')[1].split("</td>")[0])
