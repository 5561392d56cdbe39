"""Outbound channels: the 企业微信 and 钉钉 robots (钉钉's signature checked
by the local robot server), e-mail through a local SMTP sink; retries with
back-off on a 500 and on a refused connection, giving up after the last;
errors recorded without secrets; nothing sent twice."""
from __future__ import annotations

from datetime import timedelta

import pytest

from lms.extensions import db
from lms.notify import sending, services
from lms.notify.models import Delivery
from tests.notify.conftest import DINGTALK_SECRET, ROBOT_HOST, ROBOT_KEY


def _alert(make_user, make_branch, *, manager_email=None, manager_locale="zh_CN"):
    branch = make_branch("ZZ01", "天元支行")
    learner = make_user(("learner",), name="李学员", employee_no="E3001", branch=branch)
    manager = make_user(("branch_manager",), name="赵行长", branch=branch, locale=manager_locale)
    manager.email = manager_email
    db.session.commit()
    params = {"learner": learner.name, "employee_no": learner.employee_no, "branch": branch.name,
              "learner_id": learner.id, "exam": "第3周测验", "exam_id": 1}
    return manager, services.notify(manager, "learner_failed_twice", f"user:{learner.id}:exam:1", params)


def _send(runner):
    return runner.invoke(args=["notify", "send"])


def test_dingtalk_posts_are_signed_and_wecom_posts_are_plain_json(app, runner, clock, make_user, make_branch,
                                                                  robot, enable_channel):
    app.config["NOTIFY_WECOM_WEBHOOK"] = robot.url(f"/cgi-bin/webhook/send?key={ROBOT_KEY}")
    app.config["NOTIFY_DINGTALK_WEBHOOK"] = robot.url("/robot/send?access_token=dt-token-123456")
    app.config["NOTIFY_DINGTALK_SECRET"] = DINGTALK_SECRET
    make_user(("admin",))
    enable_channel("wecom", ["learner_failed_twice"])
    enable_channel("dingtalk", ["learner_failed_twice"])
    _alert(make_user, make_branch)
    result = _send(runner)
    assert result.exit_code == 0 and "sent 2" in result.output
    by_path = {post.path: post for post in robot.posts}
    wecom, dingtalk = by_path["/cgi-bin/webhook/send"], by_path["/robot/send"]
    assert wecom.query == {"key": ROBOT_KEY} and wecom.content_type.startswith("application/json")
    assert wecom.json == {"msgtype": "text", "text": {"content": "【客户经理学院】学员两次未通过考试\n"
                                                                 "李学员（E3001，天元支行）第3周测验已两次未通过。"}}
    assert dingtalk.query["access_token"] == "dt-token-123456" and dingtalk.sign_ok is True
    assert dingtalk.json["msgtype"] == "text" and "李学员" in dingtalk.json["text"]["content"]


def test_a_wrong_dingtalk_signature_is_a_failure_that_is_retried(app, runner, clock, make_user, make_branch,
                                                                 robot, enable_channel):
    app.config["NOTIFY_DINGTALK_WEBHOOK"] = robot.url("/robot/send?access_token=dt-token-123456")
    app.config["NOTIFY_DINGTALK_SECRET"] = "not-the-robots-secret"
    make_user(("admin",))
    enable_channel("dingtalk", ["learner_failed_twice"])
    _alert(make_user, make_branch)
    result = _send(runner)
    assert result.exit_code == 1 and "to retry 1" in result.output
    delivery = Delivery.query.one()
    assert delivery.state == "pending" and delivery.attempts == 1
    assert "errcode 310000: sign not match" in delivery.last_error
    assert "not-the-robots-secret" not in delivery.last_error and "dt-token-123456" not in delivery.last_error


def test_a_500_is_retried_with_back_off_then_sent(app, runner, clock, make_user, make_branch, robot, enable_channel):
    app.config["NOTIFY_WECOM_WEBHOOK"] = robot.url(f"/cgi-bin/webhook/send?key={ROBOT_KEY}")
    make_user(("admin",))
    enable_channel("wecom", ["learner_failed_twice"])
    _alert(make_user, make_branch)
    robot.answers.append((500, {"errmsg": "busy"}))
    result = _send(runner)
    assert result.exit_code == 1 and "to retry 1" in result.output
    assert ROBOT_KEY not in result.output
    delivery = Delivery.query.one()
    assert delivery.state == "pending" and delivery.attempts == 1 and "500" in delivery.last_error
    assert ROBOT_KEY not in delivery.last_error
    assert delivery.next_attempt_at == clock.now() + timedelta(minutes=1)
    # Not due yet: nothing is sent.
    clock.advance(timedelta(seconds=30))
    assert "sent 0, to retry 0" in _send(runner).output and len(robot.posts) == 1
    clock.advance(timedelta(seconds=30))
    assert "sent 1" in _send(runner).output and len(robot.posts) == 2
    db.session.refresh(delivery)
    assert delivery.state == "sent" and delivery.attempts == 2 and delivery.sent_at == clock.now()


def test_a_refused_connection_backs_off_and_gives_up_after_the_last_attempt(app, runner, clock, make_user,
                                                                            make_branch, closed_port,
                                                                            enable_channel, webhook_dns):
    app.config["NOTIFY_WECOM_WEBHOOK"] = f"http://{ROBOT_HOST}:{closed_port}/cgi-bin/webhook/send?key={ROBOT_KEY}"
    make_user(("admin",))
    enable_channel("wecom", ["learner_failed_twice"])
    _alert(make_user, make_branch)
    waits = []
    for attempt in range(1, sending.MAX_ATTEMPTS + 1):
        result = _send(runner)
        assert result.exit_code == 1
        delivery = db.session.get(Delivery, Delivery.query.one().id, populate_existing=True)
        assert delivery.attempts == attempt and "refused" in delivery.last_error.lower()
        assert ROBOT_KEY not in delivery.last_error
        if attempt < sending.MAX_ATTEMPTS:
            assert delivery.state == "pending"
            waits.append(delivery.next_attempt_at - clock.now())
            clock.advance(delivery.next_attempt_at - clock.now())
    assert delivery.state == "failed" and "failed 1" in result.output
    assert [w.total_seconds() / 60 for w in waits] == [1, 5, 25, 125, 360]
    clock.advance(timedelta(days=1))
    assert "sent 0, to retry 0, failed 0" in _send(runner).output


def test_e_mail_goes_to_the_recipient_in_their_language(app, runner, clock, make_user, make_branch, smtp_sink,
                                                        enable_channel):
    app.config.update(NOTIFY_SMTP_HOST="127.0.0.1", NOTIFY_SMTP_PORT=smtp_sink.server_address[1],
                      NOTIFY_SMTP_SECURITY="none", NOTIFY_SMTP_FROM="academy@bank.example",
                      BASE_URL="https://academy.bank.example")
    admin = make_user(("admin",))
    admin.email = None
    db.session.commit()
    enable_channel("email", ["learner_failed_twice"], actor=admin)
    manager, notification = _alert(make_user, make_branch, manager_email="zhao@bank.example", manager_locale="en")
    result = _send(runner)
    assert result.exit_code == 0 and "sent 1" in result.output, result.output
    [mail] = smtp_sink.messages
    assert mail.recipients == ["zhao@bank.example"] and "academy@bank.example" in mail.sender
    from email import message_from_bytes, policy

    parsed = message_from_bytes(mail.data, policy=policy.default)
    assert parsed["Subject"] == "[RM Academy] A learner failed an exam twice"
    body = parsed.get_content()
    assert "李学员 (E3001, 天元支行) has failed 第3周测验 twice." in body
    # A branch manager has no page of the person yet: no link in the message.
    assert "https://academy.bank.example" not in body


def test_no_address_no_e_mail_and_channels_off_queue_nothing(app, clock, make_user, make_branch, smtp_sink,
                                                             enable_channel):
    app.config.update(NOTIFY_SMTP_HOST="127.0.0.1", NOTIFY_SMTP_PORT=smtp_sink.server_address[1],
                      NOTIFY_SMTP_SECURITY="none", NOTIFY_SMTP_FROM="academy@bank.example")
    make_user(("admin",))
    _alert(make_user, make_branch, manager_email="zhao@bank.example")
    assert Delivery.query.count() == 0  # e-mail not switched on
    enable_channel("email", ["learner_failed_twice"])
    branch = make_branch("ZZ02", "荷塘支行")
    learner = make_user(("learner",), branch=branch)
    no_address = make_user(("branch_manager",), branch=branch)
    services.notify(no_address, "learner_failed_twice", f"user:{learner.id}:exam:1", {"learner": learner.name})
    assert Delivery.query.count() == 0


def test_a_robot_that_answers_with_a_redirect_is_not_followed(app, runner, clock, make_user, make_branch, robot,
                                                              enable_channel):
    """urllib followed a 302 from the webhook's host with a GET to wherever it pointed (an address inside the
    bank): now the delivery fails, saying so, without the address or the key, and nothing else is asked."""
    app.config["NOTIFY_WECOM_WEBHOOK"] = robot.url(f"/cgi-bin/webhook/send?key={ROBOT_KEY}")
    make_user(("admin",))
    enable_channel("wecom", ["learner_failed_twice"])
    _alert(make_user, make_branch)
    robot.answers.append((302, {}, {"Location": robot.url("/internal/admin?drop=all")}))
    result = _send(runner)
    assert result.exit_code == 1 and "to retry 1" in result.output
    assert robot.gets == [] and len(robot.posts) == 1
    delivery = Delivery.query.one()
    assert "answered with a redirect (HTTP 302), which is not followed" in delivery.last_error
    assert ROBOT_KEY not in delivery.last_error and "internal" not in delivery.last_error


def test_a_webhook_that_is_not_http_is_refused(app):
    from lms.notify.channels import ChannelError, Message, WeComChannel

    with pytest.raises(ChannelError, match="not an http or https address"):
        WeComChannel("file:///etc/passwd").send(Message("主题", "正文"))
