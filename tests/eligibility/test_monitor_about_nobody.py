"""The 持证上岗 monitor says "everyone holds what their post requires" only about someone: with no
rule requiring a certificate it says none is set up and where; with a rule but nobody in such a
post (a new branch) it says nobody is in one — on HR's home page, the branch manager's and the
monitor's own page."""
from __future__ import annotations

from lms.extensions import db
from tests.conftest import sign_in
from tests.test_labels import visible_text

ALL_GOOD = "客户经理岗位人员均持有岗位要求的有效证书。"
NO_RULE = "尚无要求持证的客户经理岗位"
NOBODY = "这里还没有人担任要求持证的客户经理岗位。"


def _panel(client) -> str:
    home = client.get("/").text
    return visible_text(home.split('id="certified-to-work-panel"', 1)[1].split("</section>", 1)[0])


def test_no_rule_requires_a_certificate_yet(client, make_user, make_branch):
    branch = make_branch("ZZ0101", "天元支行")
    make_user(("learner",), employee_no="r01", branch=branch, position="rm_junior")
    sign_in(client, make_user(("hr",), employee_no="hr01", branch=branch))
    panel = _panel(client)
    assert NO_RULE in panel and "准入规则" in panel and ALL_GOOD not in panel
    home = client.get("/").text
    assert 'href="/eligibility-rules"' in home.split('id="certified-to-work-panel"', 1)[1].split("</section>", 1)[0]
    page = visible_text(client.get("/eligibility/monitor").text)
    assert NO_RULE in page and ALL_GOOD not in page


def test_a_branch_with_nobody_in_a_post_that_requires_one(client, world, make_user, give_certificate):
    sign_in(client, world.manager)  # 天元支行: a teller and a principal RM, nobody in the rule's rm_junior
    assert NOBODY in _panel(client) and ALL_GOOD not in _panel(client)
    assert NOBODY in visible_text(client.get("/eligibility/monitor").text)

    certified = make_user(("learner",), employee_no="r01", name="甲持证", branch=world.tianyuan, position="rm_junior")
    give_certificate(certified, world.rmq)
    assert ALL_GOOD in _panel(client) and NOBODY not in _panel(client)
    assert ALL_GOOD in visible_text(client.get("/eligibility/monitor").text)
    sign_in(client, world.hr)
    assert ALL_GOOD in _panel(client)


def test_in_english_too(client, world, make_user):
    world.hr.locale = "en"
    db.session.commit()
    sign_in(client, world.hr)
    panel = _panel(client)
    assert "Nobody here is in an RM post that requires a certificate yet." in panel
    assert "Everyone" not in panel
