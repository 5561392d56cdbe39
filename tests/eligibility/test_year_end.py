"""Year end in Shanghai: a certificate valid "until 2026-12-31" is valid all of
that day in China time; the next morning its holder, if not renewed, is on the
持证上岗 monitor, and they and their branch manager are told it has expired."""
from __future__ import annotations

from datetime import date, datetime

from lms.certificates import expiry
from tests.conftest import sign_in


def _year_end(world, make_user, give_certificate):
    lapsing = make_user(("learner",), employee_no="r01", name="甲持证", branch=world.tianyuan, position="rm_junior")
    give_certificate(lapsing, world.rmq, issued_on=date(2025, 12, 31), expires_on=date(2026, 12, 31))
    renewed = make_user(("learner",), employee_no="r02", name="乙换证", branch=world.tianyuan, position="rm_junior")
    give_certificate(renewed, world.rmq, issued_on=date(2025, 12, 31), expires_on=date(2026, 12, 31))
    give_certificate(renewed, world.rmq, issued_on=date(2027, 1, 1), expires_on=date(2028, 1, 1))
    return lapsing, renewed


def test_an_rm_whose_certificate_lapses_at_midnight_is_told_and_so_is_the_branch_manager(
        world, clock, client, make_user, give_certificate):
    lapsing, _renewed = _year_end(world, make_user, give_certificate)
    clock.freeze(datetime(2026, 12, 31, 15, 59, 59))  # 23:59:59 on 31 December in Shanghai: still valid
    counted = expiry.send_expiry_notices()
    assert (counted.expired_holders, counted.expired_managers) == (0, 0)

    clock.freeze(datetime(2027, 1, 1, 0, 30))  # 08:30 on 1 January in Shanghai
    counted = expiry.send_expiry_notices()
    assert (counted.expired_holders, counted.expired_managers) == (1, 1)  # 乙 holds the new one: nothing
    again = expiry.send_expiry_notices()
    assert (again.expired_holders, again.expired_managers) == (0, 0)

    sign_in(client, world.manager)
    told = client.get("/notifications/").text
    assert "甲持证（r01，天元支行）：客户经理上岗资格 (RMQ-2025-000001) 已于 2026-12-31 过期，且未续期。" in told
    assert "乙换证（r02，天元支行）：客户经理上岗资格 (RMQ-2025-000002) 已于" not in told
    monitor = client.get(f"/eligibility/monitor?branch={world.tianyuan.id}").text
    assert "客户经理上岗资格已于 2026-12-31 过期" in monitor and "乙换证" not in monitor
    sign_in(client, lapsing)
    assert "您的“客户经理上岗资格”证书 (RMQ-2025-000001) 已于 2026-12-31 过期，且未续期。" in client.get(
        "/notifications/").text


def test_the_scan_command_says_how_many_were_told_of_an_expiry(world, clock, runner, make_user, give_certificate):
    _year_end(world, make_user, give_certificate)
    clock.freeze(datetime(2027, 1, 1, 0, 30))
    result = runner.invoke(args=["certificates", "scan"])
    assert result.exit_code == 0 and "已过期且未续期的通知：1 条发给持证人，1 条发给机构负责人。" in result.output, result.output


def test_a_move_on_1_january_is_recorded_that_day_not_on_31_december(world, clock, client):
    """Recorded on 31 December for 1 January, the open record made 李学员 an RM at once: on the
    monitor and the register on 31 December while still a teller. It is refused until the day,
    which is 1 January in Shanghai from 16:00 UTC on 31 December."""
    sign_in(client, world.hr)
    url = f"/org/people/{world.teller.id}/position"
    move = {"position": "rm_junior", "start_date": "2027-01-01", "override_reason": "年度调岗（总行批准）"}
    clock.freeze(datetime(2026, 12, 31, 2, 0))  # 10:00 on 31 December in Shanghai
    early = client.post(url, data=move, headers={"HX-Request": "true"}).text
    assert "起始日期：岗位变动须在生效当天登记，不能提前登记（今天是 2026-12-31）。" in early
    assert "李学员" not in client.get("/eligibility/monitor").text
    assert "柜员" in client.get(f"/org/people/{world.teller.id}").text.split("岗位履历", 1)[1].split("</table>", 1)[0]

    clock.freeze(datetime(2026, 12, 31, 16, 30))  # 00:30 on 1 January in Shanghai
    assert client.post(url, data=move).status_code == 302
    monitor = client.get("/eligibility/monitor").text
    assert "李学员" in monitor and "无客户经理上岗资格" in monitor


def test_on_31_december_the_expiring_list_says_it_is_the_last_day_and_every_page_agrees(
        world, clock, client, make_user, give_certificate):
    """23:30 on 31 December in Shanghai (15:30 UTC): 甲's certificate "valid until 2026-12-31" is valid on
    every page, and HR's list says today is its last day ("0" days left read as expired); at 00:30 every
    page says expired."""
    lapsing, _renewed = _year_end(world, make_user, give_certificate)
    clock.freeze(datetime(2026, 12, 31, 15, 30))
    sign_in(client, world.hr)
    row = client.get("/certificates/expiring?within=30").text.split('<tr id="certificate-', 2)[1]
    assert "甲持证" in row and "今天是有效期最后一天" in row
    assert "此证书有效" in client.get(f"/verify/{_code(lapsing)}").text
    assert "甲持证" not in client.get("/eligibility/monitor").text
    clock.freeze(datetime(2026, 12, 31, 16, 30))
    assert "甲持证" not in client.get("/certificates/expiring?within=30").text
    assert "此证书已于 2026-12-31 过期" in client.get(f"/verify/{_code(lapsing)}").text
    assert "甲持证" in client.get("/eligibility/monitor").text


def _code(person) -> str:
    from lms.certificates.models import Certificate
    from lms.extensions import db

    return db.session.query(Certificate).filter_by(user_id=person.id).one().verify_code
