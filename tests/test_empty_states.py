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
    assert "您目前还没有参加任何培训计划" in text
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


def test_a_certificate_register_with_nothing_issued_says_how_certificates_come(client, make_user, app, tmp_path):
    (tmp_path / "content").mkdir()
    app.config["CONTENT_DIR"] = str(tmp_path / "content")
    sign_in(client, make_user(("hr",)))
    page = client.get("/certificates/")
    cell = page.text.split('id="no-certificate"')[1].split("</td>")[0]
    text = visible_text(cell)
    assert "还没有颁发任何证书。" in text and "没有符合条件" not in text
    assert "尚未发布任何资格认证" in text
    assert 'href="/certifications"' in cell and 'href="/certificates/issue"' in cell
    # A filter that finds nothing still says so.
    filtered = client.get("/certificates/?q=nobody").text
    assert "没有符合条件的证书。" in visible_text(filtered.split('id="no-certificate"')[1].split("</td>")[0])


def test_a_branch_manager_is_not_offered_to_issue_a_certificate(client, make_user, make_branch):
    sign_in(client, make_user(("branch_manager",), branch=make_branch("B01")))
    cell = client.get("/certificates/").text.split('id="no-certificate"')[1].split("</td>")[0]
    assert "还没有颁发任何证书。" in visible_text(cell) and "/certificates/issue" not in cell


def test_a_learner_is_not_told_they_hold_every_certification_when_none_is_published(client, make_user, app,
                                                                                      tmp_path):
    (tmp_path / "content").mkdir()
    app.config["CONTENT_DIR"] = str(tmp_path / "content")
    sign_in(client, make_user(("learner",)))
    text = visible_text(client.get("/certificates/mine").text.split('id="next-certificates"')[1])
    assert "尚未发布任何资格认证" in text and "您都持有" not in text
