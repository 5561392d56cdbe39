"""The audience page at a bank's size: a page of 50 at a time as on the roster, a search by name or
工号, filters by branch, position and why, counts that stay the whole audience's, and HR's changes
returning to the page and filter they were made from."""
from __future__ import annotations

import re

import pytest

from lms.extensions import db
from lms.org.models import PositionRecord, User
from lms.programmes.models import ProgrammeMember
from tests.conftest import sign_in
from tests.programmes.helpers import programme


@pytest.fixture
def mixed(make_user, make_branch, make_question, make_exam, clock):
    """57 RMs of 东城支行 and 3 of 西城支行 the rule covers (R002 removed by HR), a teller of 东城
    added by HR and one of 西城 outside the audience."""
    from datetime import date

    east, west = make_branch("E01", "东城支行"), make_branch("W01", "西城支行")
    exam = make_exam([{"questions": [make_question("single").slug]}], open_to_all=False)
    p = programme([exam], audience={"positions": ["rm_junior"]})
    people = [User(employee_no=f"R{n:03d}", name=f"客户经理{n}", branch=east if n <= 57 else west, password_hash="",
                   positions=[PositionRecord(position="rm_junior", start_date=date(2024, 1, 1))])
              for n in range(1, 61)]
    people += [User(employee_no=f"T{n:03d}", name=name, branch=branch, password_hash="",
                    positions=[PositionRecord(position="teller", start_date=date(2024, 1, 1))])
               for n, name, branch in ((1, "柜员甲", east), (2, "柜员乙", west))]
    db.session.add_all(people)
    db.session.flush()
    hr = make_user(("hr",), employee_no="H001", name="人事", locale="zh_CN")
    db.session.add_all([
        ProgrammeMember(programme_id=p.id, user_id=people[1].id, added=False, reason="长期病假", since=date(2026, 3, 2),
                        changed_by_id=hr.id),
        ProgrammeMember(programme_id=p.id, user_id=people[60].id, added=True, reason="转岗前参训", since=date(2026, 3, 2),
                        changed_by_id=hr.id)])
    db.session.commit()
    return p, hr, east, west


def _shown(page: str) -> list[str]:
    return re.findall(r'<tr id="audience-([A-Z0-9]+)"', page)


def _counts(page: str) -> str:
    return re.sub(r"\s+", " ", page.split('id="audience-counts">')[1].split("</small>")[0]).strip()


def test_the_list_pages_searches_and_filters_with_the_whole_audiences_counts(client, mixed):
    p, hr, east, west = mixed
    sign_in(client, hr)
    url = f"/programmes/{p.id}/audience"
    first = client.get(url).text
    # 61 people: 60 in the audience (in 工号 order), then the one HR removed.
    assert len(_shown(first)) == 50 and _shown(first)[:3] == ["R001", "R003", "R004"]
    assert "第 1 页，共 2 页" in first
    second = client.get(f"{url}?page=2").text
    assert _shown(second) == [f"R{n:03d}" for n in range(52, 61)] + ["T001", "R002"]
    whole = "培训对象 60 人（按规则：59，HR 添加：1） · HR 移出：1"
    for query, rows in [("q=R05", [f"R{n:03d}" for n in range(50, 60)]),
                        ("q=柜员", ["T001"]),
                        (f"branch={west.id}", ["R058", "R059", "R060"]),
                        ("q=西城", ["R058", "R059", "R060"]),  # the branch typed into the search box
                        ("position=teller", ["T001"]),
                        ("why=removed", ["R002"]),
                        ("why=added", ["T001"]),
                        (f"why=rule&branch={east.id}&q=R00", ["R001"] + [f"R{n:03d}" for n in range(3, 10)]),
                        ("q=nobody", [])]:
        page = client.get(f"{url}?{query}").text
        assert _shown(page) == rows, query
        assert _counts(page) == whole, query
        assert f"符合条件 {len(rows)} 人" in page
    assert len(_shown(client.get(f"{url}?why=in&page=2").text)) == 10
    # The pager keeps the filter; htmx asks for the list alone.
    partial = client.get(f"{url}?why=in", headers={"HX-Request": "true"}).text
    assert 'id="audience-rule"' not in partial and f"{url}?page=2&amp;why=in" in partial


def test_a_change_on_page_two_with_a_filter_returns_there(client, mixed):
    p, hr, east, _west = mixed
    sign_in(client, hr)
    query = f"branch={east.id}&why=rule&page=2"
    url = f"/programmes/{p.id}/audience"
    page = client.get(f"{url}?{query}").text
    # The forms carry the list's page and filter back; filtering or paging in place (htmx) updates them.
    assert page.count(f'name="back" id="audience-back-') == 2 and f'value="branch={east.id}&amp;why=rule&amp;page=2"' in page
    swapped = client.get(f"{url}?{query}", headers={"HX-Request": "true"}).text
    assert swapped.count(f'value="branch={east.id}&amp;why=rule&amp;page=2" hx-swap-oob="true"') == 2
    response = client.post(f"{url}/remove", data={"remove-employee_no": "R055", "remove-reason": "调岗",
                                                  "back": query})
    assert response.status_code == 302
    assert response.headers["Location"] == f"{url}?branch={east.id}&why=rule&page=2"
    after = client.get(response.headers["Location"]).text
    assert "已将客户经理55移出培训对象。" in after
    assert _shown(after) == ["R052", "R053", "R054", "R056", "R057"] and "第 2 页，共 2 页" in after
    assert _counts(after) == "培训对象 59 人（按规则：58，HR 添加：1） · HR 移出：2"
    # Refused input keeps the page and filter too, and changes nothing.
    refused = client.post(f"{url}/add", data={"add-employee_no": "R056", "add-reason": "重复", "back": query})
    assert refused.status_code == 400 and _shown(refused.text) == ["R052", "R053", "R054", "R056", "R057"]
    assert "客户经理56已在培训对象中。" in refused.text and _counts(refused.text).endswith("HR 移出：2")
    # A return to a branch that does not exist is refused like the page's own filter.
    assert client.post(f"{url}/add", data={"add-employee_no": "T002", "add-reason": "参训",
                                           "back": "branch=99999"}).status_code == 404
    assert "柜员乙" not in client.get(f"{url}?why=added").text


def test_english(client, mixed):
    p, _hr, _east, west = mixed
    hr = User.query.filter_by(employee_no="H001").one()
    hr.locale = "en"
    db.session.commit()
    sign_in(client, hr)
    page = client.get(f"/programmes/{p.id}/audience?branch={west.id}").text
    assert _counts(page) == "60 people in the audience (by the rule: 59, added by HR: 1) · removed by HR: 1"
    assert "3 people match" in page and "name, employee number or branch" in page
    one = client.get(f"/programmes/{p.id}/audience?position=teller").text
    assert "1 person matches" in one
    assert "Page 1 of 2" in client.get(f"/programmes/{p.id}/audience").text
