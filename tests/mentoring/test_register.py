"""HR's pairings register and pages: filters (live with htmx), the mentors'
load, people without a mentor, downloads honouring the filters (formula-safe),
the branch manager's scope, pairing through the form, the person page section."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from lms.extensions import db
from lms.mentoring import pairing as rules
from lms.mentoring.models import Pairing
from tests.conftest import sign_in
from tests.mentoring.pairing_world import make_world
from tests.test_labels import visible_text

START, END = date(2026, 3, 2), date(2026, 9, 1)


@pytest.fixture
def w(app, clock, make_user, make_branch):
    world = make_world(make_user, make_branch)
    with app.test_request_context(), force_locale("en"):
        world.p1 = rules.pair(world.mentor, world.learners[0], START, END, "=HYPERLINK(\"x\")", actor=world.hr)
        world.p2 = rules.pair(world.mentor, world.learners[1], START, END, actor=world.hr)
        world.p3 = rules.pair(world.mentor2, world.learners[4], START, END, actor=world.hr)  # 芦淞支行
        old = rules.pair(world.mentor2, world.learners[5], date(2026, 1, 5), END, actor=world.hr)
        rules.end(old, "徒弟调岗", actor=world.hr)
        world.ended = old
    db.session.commit()
    return world


def names(html: str) -> set[str]:
    return {n for n in ("学员1", "学员2", "学员5", "学员6", "学员3", "学员4", "学员7") if n in visible_text(html)}


def test_filters_by_branch_mentor_and_state(client, w):
    sign_in(client, w.hr)
    assert names(client.get("/mentoring/admin/").text) == {"学员1", "学员2", "学员5", "学员6"}
    assert names(client.get(f"/mentoring/admin/?branch={w.tianyuan.id}").text) == {"学员1", "学员2"}
    assert names(client.get(f"/mentoring/admin/?branch={w.city.id}").text) == {"学员1", "学员2", "学员5", "学员6"}
    assert names(client.get(f"/mentoring/admin/?mentor={w.mentor2.id}").text) == {"学员5", "学员6"}
    assert names(client.get("/mentoring/admin/?state=ended").text) == {"学员6"}
    assert names(client.get("/mentoring/admin/?q=L002").text) == {"学员2"}
    partial = client.get("/mentoring/admin/?state=active", headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith('<div id="register-table"') and "<html" not in partial.text
    assert "HX-Request" in partial.headers["Vary"]


def test_the_mentors_load_and_the_people_without_a_mentor(client, w):
    sign_in(client, w.hr)
    load = visible_text(client.get("/mentoring/admin/mentors").text)
    assert "王师傅" in load and "张三" in load and "has 14 of 24 months" in load
    html = client.get("/mentoring/admin/mentors").text
    row = html.split(f'id="mentor-{w.mentor.id}"')[1].split("</tr>")[0]
    assert "<td>2</td>" in row.replace(" ", "") or ">2<" in row
    unpaired = visible_text(client.get("/mentoring/admin/unpaired").text.split('id="register-table"')[1])
    # 学员3, 4, 6 (ended), 7 have no active mentor; mentors and HR are not listed.
    assert re.findall(r"\b(?:L|M|hr)\d+", unpaired) == ["L003", "L004", "L006", "L007"]
    assert "Without a mentor: active people with the learner role" in unpaired


def test_downloads_follow_the_filters_and_are_formula_safe(client, w):
    from openpyxl import load_workbook

    sign_in(client, w.hr)
    body = client.get(f"/mentoring/admin/export/pairings.csv?branch={w.tianyuan.id}").data.decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert len(lines) == 3 and "学员1" in body and "学员5" not in body
    assert "'=HYPERLINK" in body
    book = load_workbook(io.BytesIO(client.get("/mentoring/admin/export/pairings.xlsx?state=ended").data))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "学员6" and "徒弟调岗" in rows[1]
    book = load_workbook(io.BytesIO(client.get(f"/mentoring/admin/export/pairings.xlsx?branch={w.tianyuan.id}").data))
    goals = [r[-1] for r in book.active.iter_rows(values_only=True)]
    assert "=HYPERLINK(\"x\")" in goals and all(c.data_type != "f" for c in book.active["K"])
    mentors = client.get("/mentoring/admin/export/mentors.csv").data.decode("utf-8-sig")
    assert "王师傅" in mentors and "刘师傅" in mentors
    unpaired = client.get(f"/mentoring/admin/export/unpaired.csv?branch={w.lusong.id}").data.decode("utf-8-sig")
    assert "学员6" in unpaired and "学员3" not in unpaired


def test_a_branch_manager_reads_their_branches_only_and_changes_nothing(client, w):
    sign_in(client, w.manager)  # 天元支行
    assert names(client.get("/mentoring/admin/").text) == {"学员1", "学员2"}
    assert client.get(f"/mentoring/admin/pairings/{w.p1.id}").status_code == 200
    assert client.get(f"/mentoring/admin/pairings/{w.p3.id}").status_code == 404
    assert client.get(f"/mentoring/admin/?branch={w.lusong.id}").status_code == 404
    assert "学员5" not in client.get("/mentoring/admin/export/pairings.csv").data.decode("utf-8-sig")
    assert client.post(f"/mentoring/admin/pairings/{w.p1.id}/end", data={"end-reason": "x"}).status_code == 403
    assert client.get("/mentoring/admin/pair").status_code == 403


@pytest.mark.parametrize("who", ["mentor", "mentor2", "learner"])
def test_mentors_and_learners_open_no_pairing_of_anyone(client, w, who):
    user = w.learners[0] if who == "learner" else getattr(w, who)
    sign_in(client, user)
    for pairing in (w.p1, w.p2, w.p3, w.ended):
        assert client.get(f"/mentoring/admin/pairings/{pairing.id}").status_code == 403
    assert client.get("/mentoring/admin/").status_code == 403


def test_hr_pairs_through_the_form_and_sees_the_refusal_in_words(client, w):
    sign_in(client, w.hr)
    page = client.get(f"/mentoring/admin/pair?apprentice=L003")
    assert 'value="L003"' in page.text
    refused = client.post("/mentoring/admin/pair", data={"mentor_no": "M003", "apprentice_no": "L003",
                                                         "start_date": "2026-03-02", "planned_end_date": "2026-09-01"})
    assert refused.status_code == 200 and "张三 (M003) has 14 of 24 months at Senior RM or above." in refused.text
    unknown = client.post("/mentoring/admin/pair", data={"mentor_no": "NOPE", "apprentice_no": "L003",
                                                         "start_date": "2026-03-02", "planned_end_date": "2026-09-01"})
    assert "No one has the employee number “NOPE”." in unknown.text.replace("&#34;", "“", 1).replace("&#34;", "”", 1) \
        or "NOPE" in unknown.text
    made = client.post("/mentoring/admin/pair", data={"mentor_no": "M001", "apprentice_no": "L003",
                                                      "start_date": "2026-03-02", "planned_end_date": "2026-09-01",
                                                      "goals": "熟悉对公业务"})
    assert made.status_code == 302
    pairing = db.session.scalar(select(Pairing).where(Pairing.apprentice_id == w.learners[2].id))
    detail = visible_text(client.get(made.headers["Location"]).text)
    assert "熟悉对公业务" in detail and "paired a mentor and an apprentice: 王师傅 → 学员3" in detail
    full = client.post("/mentoring/admin/pair", data={"mentor_no": "M001", "apprentice_no": "L004",
                                                      "start_date": "2026-03-02", "planned_end_date": "2026-09-01"})
    assert "王师傅 (M001) already has 3 apprentices (capacity 3)." in full.text
    # Change the mentor, then end; the history shows both.
    changed = client.post(f"/mentoring/admin/pairings/{pairing.id}/change",
                          data={"change-mentor_no": "M002", "change-reason": "师傅调岗"})
    assert changed.status_code == 302
    new_page = visible_text(client.get(changed.headers["Location"]).text)
    assert "王师傅" in new_page and "刘师傅" in new_page and "师傅调岗" in new_page
    new_id = int(changed.headers["Location"].rstrip("/").split("/")[-1])
    ended = client.post(f"/mentoring/admin/pairings/{new_id}/end", data={"end-reason": ""})
    assert ended.status_code == 200 and db.session.get(Pairing, new_id).is_active


def test_the_person_page_shows_mentors_and_apprentices(client, w):
    sign_in(client, w.hr)
    apprentice = client.get(f"/org/people/{w.learners[5].id}").text
    assert f"/mentoring/admin/pairings/{w.ended.id}" in apprentice and "徒弟调岗" in apprentice
    assert "Pair with a mentor" in apprentice
    mentor = visible_text(client.get(f"/org/people/{w.mentor.id}").text)
    assert "Mentor: 2 active apprentices of 3." in mentor and "学员1 (L001)" in mentor


def test_each_tab_of_the_register_has_its_own_page_title(client, w):
    """The register's three tabs share one heading; the browser tab (and the history a user goes
    back through) names which one is open, as the tab links do."""
    sign_in(client, w.hr)
    titles = [re.search(r"<title>(.*?)</title>", client.get(path).text).group(1)
              for path in ("/mentoring/admin/", "/mentoring/admin/mentors", "/mentoring/admin/unpaired")]
    assert titles == ["Mentoring pairings · RM Academy", "Mentors' load · Mentoring pairings · RM Academy",
                      "Without a mentor · Mentoring pairings · RM Academy"]


def test_the_text_search_takes_percent_and_underscore_as_typed(client, w):
    sign_in(client, w.hr)
    assert names(client.get("/mentoring/admin/?q=L001").text) == {"学员1"}
    assert names(client.get("/mentoring/admin/", query_string={"q": "L_01"}).text) == set()  # no 工号 holds "L_01"
    assert names(client.get("/mentoring/admin/", query_string={"q": "%"}).text) == set()
