"""The 持证上岗 monitor: RMs in post without a valid certificate their post
requires, by branch, with the reason; on HR's and branch managers' home pages."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

from lms.eligibility import monitor
from tests.conftest import sign_in


def _rms(world, make_user, give_certificate):
    certified = make_user(("learner",), employee_no="r01", name="甲持证", branch=world.tianyuan,
                          position="rm_junior")
    give_certificate(certified, world.rmq)
    lapsed = make_user(("learner",), employee_no="r02", name="乙过期", branch=world.tianyuan, position="rm_junior")
    give_certificate(lapsed, world.rmq, issued_on=date(2024, 1, 1), expires_on=date(2026, 1, 31))
    revoked = make_user(("learner",), employee_no="r03", name="丙吊销", branch=world.lusong, position="rm_junior")
    give_certificate(revoked, world.rmq, revoked_at=datetime(2026, 2, 10, 8))
    none = make_user(("learner",), employee_no="r04", name="丁无证", branch=world.lusong, position="rm_junior")
    teller = make_user(("learner",), employee_no="r05", name="戊柜员", branch=world.lusong, position="teller")
    return certified, lapsed, revoked, none, teller


def test_the_monitor_lists_rms_without_a_valid_certificate_by_branch_with_the_reason(
        world, english, make_user, give_certificate):
    _rms(world, make_user, give_certificate)
    result = monitor.build(None)
    by_branch = {g.branch.code: {p.employee_no: p.reasons for p in g.people} for g in result.groups}
    assert by_branch == {
        "ZZ0101": {"r02": ("客户经理上岗资格 expired 2026-01-31",)},
        "ZZ0102": {"r03": ("客户经理上岗资格 revoked 2026-02-10",), "r04": ("no 客户经理上岗资格",)},
    }
    assert result.total == 3
    # The home panel counts the same people in one aggregate statement.
    assert [(b.code, n) for b, n in monitor.alarm(None).counts] == [("ZZ0101", 1), ("ZZ0102", 2)]
    # A branch manager sees their own branch tree only.
    assert {g.branch.code for g in monitor.build(world.tianyuan.subtree_ids()).groups} == {"ZZ0101"}


def test_the_monitor_is_on_hr_home_in_red_and_lists_in_full_with_export(world, client, make_user, give_certificate):
    _rms(world, make_user, give_certificate)
    sign_in(client, world.hr)
    home = client.get("/").get_data(as_text=True)
    assert 'id="certified-to-work-panel"' in home and 'class="card alarm"' in home
    assert home.index("certified-to-work-panel") < home.index("hr-panel")  # the alarm comes first
    page = client.get("/eligibility/monitor").get_data(as_text=True)
    assert "乙过期" in page and "丙吊销" in page and "丁无证" in page
    assert "甲持证" not in page and "戊柜员" not in page
    rows = list(csv.reader(io.StringIO(client.get("/eligibility/monitor.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert sorted(r[1] for r in rows[1:]) == ["r02", "r03", "r04"]


def test_the_branch_manager_home_shows_their_scope_and_a_clean_monitor_is_not_red(world, client, make_user,
                                                                                 give_certificate):
    certified = make_user(("learner",), employee_no="r01", name="甲持证", branch=world.tianyuan,
                          position="rm_junior")
    give_certificate(certified, world.rmq)
    sign_in(client, world.manager)
    home = client.get("/").get_data(as_text=True)
    assert 'id="certified-to-work-panel"' in home and "card alarm" not in home
    none = make_user(("learner",), employee_no="r04", name="丁无证", branch=world.tianyuan, position="rm_junior")
    assert "card alarm" in client.get("/").get_data(as_text=True)
    assert "丁无证" in client.get("/eligibility/monitor").get_data(as_text=True)


def test_revoking_the_certificate_of_an_rm_in_post_says_what_happens_next(world, client, make_user, give_certificate):
    """HR revokes for misconduct (a 警示教育 case): the holder is on the monitor at once, and the page says so
    and what HR does next; a teller's revoked certificate (a post without the rule) raises no such notice."""
    rm = make_user(("learner",), employee_no="r01", name="甲持证", branch=world.tianyuan, position="rm_junior")
    certificate = give_certificate(rm, world.rmq)
    teller = make_user(("learner",), employee_no="r05", name="戊柜员", branch=world.lusong, position="teller")
    teller_certificate = give_certificate(teller, world.rmq)
    sign_in(client, world.hr)
    page = client.post(f"/certificates/{certificate.id}/revoke", data={
        "csrf_token": client.csrf_token(), "reason": "违规销售理财产品（警示教育案例）", "seen": "valid"},
        follow_redirects=True).get_data(as_text=True)
    assert "已撤销" in page
    assert "甲持证自即日起在初级客户经理岗位上无有效的客户经理上岗资格，持证上岗监测已将其列出" in page
    assert "r01" in client.get("/eligibility/monitor").get_data(as_text=True)
    page = client.post(f"/certificates/{teller_certificate.id}/revoke", data={
        "csrf_token": client.csrf_token(), "reason": "错发", "seen": "valid"},
        follow_redirects=True).get_data(as_text=True)
    assert "持证上岗监测已将其列出" not in page


def test_hr_filters_the_monitor_to_a_branch_and_the_managers_figure_links_to_those_rows(
        world, client, make_user, give_certificate):
    """Monday morning: the branch manager's panel counts their uncertified RMs, the count opens the
    monitor filtered to that branch, and HR filtering the monitor to the same branch sees the same people."""
    _rms(world, make_user, give_certificate)
    sign_in(client, world.hr)
    page = client.get(f"/eligibility/monitor?branch={world.lusong.id}").get_data(as_text=True)
    assert "丙吊销" in page and "丁无证" in page and "乙过期" not in page
    assert f'<option value="{world.lusong.id}" selected>' in page
    rows = list(csv.reader(io.StringIO(client.get(f"/eligibility/monitor.csv?branch={world.lusong.id}")
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    assert sorted(r[1] for r in rows[1:]) == ["r03", "r04"]
    # The parent branch takes in its sub-branches.
    city = client.get(f"/eligibility/monitor?branch={world.tianyuan.parent_id}").get_data(as_text=True)
    assert all(name in city for name in ("乙过期", "丙吊销", "丁无证"))
    home = client.get("/").get_data(as_text=True)
    assert f'href="/eligibility/monitor?branch={world.lusong.id}">2</a>' in home

    sign_in(client, world.manager)
    home = client.get("/").get_data(as_text=True)
    assert f'href="/eligibility/monitor?branch={world.tianyuan.id}">1</a>' in home
    mine = client.get(f"/eligibility/monitor?branch={world.tianyuan.id}").get_data(as_text=True)
    assert "乙过期" in mine and "丙吊销" not in mine
    assert client.get(f"/eligibility/monitor?branch={world.lusong.id}").status_code == 404
    assert client.get(f"/eligibility/monitor.csv?branch={world.lusong.id}").status_code == 404
