"""尚无师傅 (without a mentor) says "everyone has a mentor" only about someone: a branch with
nobody in a post that takes a mentor says so instead, on the register's tab (whole bank, one
branch, the branch manager's tree) and on the pairing page's list."""
from __future__ import annotations

from datetime import date

from lms.extensions import db
from lms.mentoring.models import Pairing
from tests.conftest import sign_in
from tests.test_labels import visible_text

EVERYONE = "Everyone has a mentor."
NOBODY = "Nobody here is in a post that takes a mentor yet"


def _unpaired(client, query: str = "") -> str:
    page = client.get(f"/mentoring/admin/unpaired{query}").text
    return visible_text(page.split('id="register-table"', 1)[1])


def _pair_list(client) -> str:
    page = client.get("/mentoring/admin/pair").text
    return visible_text(page.split('id="pair-apprentices"', 1)[1].split("</section>", 1)[0])


def test_a_branch_with_no_one_to_pair_says_so(client, make_user, make_branch):
    city = make_branch("ZZ01", "株洲分行")
    empty = make_branch("ZZ0101", "天元支行", parent=city)
    busy = make_branch("ZZ0102", "芦淞支行", parent=city)
    hr = make_user(("hr",), employee_no="hr01", branch=city, locale="en")
    sign_in(client, hr)
    assert NOBODY in _unpaired(client) and EVERYONE not in _unpaired(client)
    assert NOBODY in _pair_list(client) and EVERYONE not in _pair_list(client)
    assert "Teller" in _unpaired(client)  # the posts that take a mentor are named

    mentor = make_user(("mentor", "learner"), employee_no="M001", branch=busy, position="rm_senior")
    teller = make_user(("learner",), employee_no="L001", name="学员1", branch=busy, position="teller")
    assert "学员1" in _unpaired(client)
    db.session.add(Pairing(mentor_id=mentor.id, apprentice_id=teller.id, start_date=date(2026, 2, 1)))
    db.session.commit()
    assert EVERYONE in _unpaired(client) and NOBODY not in _unpaired(client)
    assert EVERYONE in _pair_list(client)
    assert NOBODY in _unpaired(client, f"?branch={empty.id}")  # the filter to the empty branch
    assert EVERYONE in _unpaired(client, f"?branch={busy.id}")

    manager = make_user(("branch_manager",), employee_no="bm01", branch=empty)
    sign_in(client, manager)
    page = client.get("/mentoring/admin/unpaired").text
    assert "这里还没有人担任需配师傅的岗位（" in page and "人人都有师傅" not in visible_text(page)
