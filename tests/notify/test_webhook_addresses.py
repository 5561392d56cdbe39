"""A webhook never reaches this server, a cloud's metadata service or, unless listed, the bank's
private networks (server-side request forgery): the address a name resolves to is checked, and
the connection is made to that checked address. A refused send is recorded in the delivery log,
not raised; switching a channel on whose webhook is refused says why, naming the variable."""
from __future__ import annotations

import ipaddress

import pytest

from lms.extensions import db
from lms.notify import settings, webhook_address
from lms.notify.models import Delivery
from tests.conftest import sign_in
from tests.notify.conftest import ROBOT_ADDRESS, ROBOT_HOST, ROBOT_KEY
from tests.notify.test_channels import _alert, _send

REFUSED = [
    ("http://127.0.0.1:{port}/send?key={key}", {}, "127.0.0.1, a loopback address"),
    ("http://[::1]:{port}/send?key={key}", {}, "::1, a loopback address"),
    ("http://[::ffff:127.0.0.1]:{port}/send?key={key}", {}, "::ffff:127.0.0.1, a loopback address"),
    ("http://169.254.169.254/latest/meta-data/?key={key}", {}, "169.254.169.254, a link-local address"),
    ("http://0.0.0.0:{port}/send?key={key}", {}, "0.0.0.0, an unspecified address"),
    ("http://224.0.0.1:{port}/send?key={key}", {}, "224.0.0.1, a multicast address"),
    ("http://metadata.evil.example/send?key={key}", {"metadata.evil.example": ["169.254.169.254"]},
     "169.254.169.254, a link-local address"),
    ("http://both.evil.example:{port}/send?key={key}", {"both.evil.example": ["93.184.215.14", "127.0.0.1"]},
     "127.0.0.1, a loopback address"),
    ("http://10.99.0.5:{port}/send?key={key}", {}, "10.99.0.5, a private address outside the networks listed"),
    ("http://[fd00::5]:{port}/send?key={key}", {}, "fd00::5, a private address outside the networks listed"),
    ("http://192.168.1.10:{port}/send?key={key}", {}, "192.168.1.10, a private address outside the networks"),
]


@pytest.mark.parametrize("url, names, said", REFUSED, ids=[r[2].split(",")[0] for r in REFUSED])
def test_a_send_to_a_refused_address_connects_nowhere_and_is_in_the_delivery_log(
        app, client, runner, clock, make_user, make_branch, robot, webhook_dns, enable_channel, url, names, said):
    webhook_dns.names.update(names)
    app.config["NOTIFY_WECOM_WEBHOOK"] = url.format(port=robot.server_port, key=ROBOT_KEY)
    admin = make_user(("admin",))
    enable_channel("wecom", ["learner_failed_twice"])
    _alert(make_user, make_branch)
    result = _send(runner)
    assert result.exit_code == 1 and "to retry 1" in result.output  # recorded, the command goes on
    assert webhook_dns.connected == [] and robot.posts == []
    delivery = Delivery.query.one()
    assert f"is {said}" in delivery.last_error and "refused, nothing was sent" in delivery.last_error
    assert ROBOT_KEY not in delivery.last_error
    sign_in(client, admin)
    assert said in client.get("/system/notifications/deliveries").text


def test_the_connection_goes_to_the_address_checked_not_to_a_second_lookup(
        app, runner, clock, make_user, make_branch, robot, webhook_dns, enable_channel):
    """DNS rebinding: a public address for the check, 127.0.0.1 for any later lookup."""
    webhook_dns.names["rebind.evil.example"] = [["93.184.215.14"], ["127.0.0.1"], ["127.0.0.1"]]
    app.config["NOTIFY_WECOM_WEBHOOK"] = f"http://rebind.evil.example:{robot.server_port}/send?key={ROBOT_KEY}"
    make_user(("admin",))
    enable_channel("wecom", ["learner_failed_twice"])
    _alert(make_user, make_branch)
    assert "sent 1" in _send(runner).output
    assert webhook_dns.resolved == ["rebind.evil.example"]
    assert webhook_dns.connected == [("93.184.215.14", robot.server_port)] and len(robot.posts) == 1


def test_a_private_gateway_is_posted_to_only_when_its_network_is_listed(
        app, runner, clock, make_user, make_branch, robot, webhook_dns, enable_channel):
    app.config["NOTIFY_WECOM_WEBHOOK"] = robot.url(f"/send?key={ROBOT_KEY}")
    app.config["NOTIFY_WEBHOOK_ALLOW_NETWORKS"] = "172.16.0.0/12, 192.168.0.0/16"
    make_user(("admin",))
    enable_channel("wecom", ["learner_failed_twice"])
    _alert(make_user, make_branch)
    assert "to retry 1" in _send(runner).output and webhook_dns.connected == []
    assert f"{ROBOT_ADDRESS}, a private address" in Delivery.query.one().last_error
    app.config["NOTIFY_WEBHOOK_ALLOW_NETWORKS"] = "172.16.0.0/12 10.20.30.0/24"
    clock.advance(Delivery.query.one().next_attempt_at - clock.now())
    assert "sent 1" in _send(runner).output
    assert webhook_dns.connected == [(ROBOT_ADDRESS, robot.server_port)] and len(robot.posts) == 1


@pytest.mark.parametrize("address, allowed, kind", [
    ("127.0.0.2", "127.0.0.0/8", "loopback"),  # listed, and still refused
    ("169.254.169.254", "169.254.0.0/16", "link-local"),
    ("fe80::1", "", "link-local"),
    ("2002:7f00:1::", "", "loopback"),  # 6to4 carrying 127.0.0.1
    ("ff02::1", "", "multicast"),
    ("240.0.0.1", "", "reserved"),
    ("172.20.1.1", "", "private"),
    ("172.20.1.1", "172.16.0.0/12", None),
    ("fd12::1", "fc00::/7", None),
    ("100.64.0.1", "", "private"),  # shared address space (carrier NAT)
    ("93.184.215.14", "", None),
])
def test_which_addresses_are_refused(address, allowed, kind):
    assert webhook_address.refused_kind(ipaddress.ip_address(address),
                                        webhook_address.allowed_networks(allowed)) == kind


def test_switching_on_a_robot_whose_webhook_is_refused_says_why_and_saves_nothing(app, client, make_user,
                                                                                  webhook_dns):
    webhook_dns.names["meta.evil.example"] = ["169.254.169.254"]
    app.config["NOTIFY_WECOM_WEBHOOK"] = f"http://meta.evil.example/cgi-bin/webhook/send?key={ROBOT_KEY}"
    sign_in(client, make_user(("admin",)))
    answer = client.post("/system/notifications/wecom", data={"wecom-enabled": "y",
                                                                "wecom-kinds": ["learner_failed_twice"]})
    assert answer.status_code == 400
    assert ("LMS_WECOM_WEBHOOK 指向 169.254.169.254，这是链路本地地址（例如云平台的元数据服务）：不会向该地址发送 webhook。"
            in answer.text)
    assert ROBOT_KEY not in answer.text
    db.session.expire_all()
    assert not settings.channel_setting("wecom").enabled
    # Switched off, it saves: nothing will be sent.
    assert client.post("/system/notifications/wecom", data={"wecom-kinds": ["learner_failed_twice"]}
                       ).status_code == 302


def test_a_bad_allow_list_is_named_when_the_channel_is_switched_on(app, client, make_user, webhook_dns):
    app.config["NOTIFY_DINGTALK_WEBHOOK"] = f"http://{ROBOT_HOST}/robot/send?access_token=t0ken-123"
    app.config["NOTIFY_WEBHOOK_ALLOW_NETWORKS"] = "10.20.0.0/16, 10.30.0.0/33"
    sign_in(client, make_user(("admin",)))
    answer = client.post("/system/notifications/dingtalk", data={"dingtalk-enabled": "y",
                                                                  "dingtalk-kinds": ["learner_failed_twice"]})
    assert answer.status_code == 400 and "LMS_WEBHOOK_ALLOW_NETWORKS 中的“10.30.0.0/33”不是网段" in answer.text
    assert not settings.channel_setting("dingtalk").enabled
