"""An e-mail queued before the recipient's rights changed (it may wait hours
in back-off, or for the next cron run) is decided when it is sent: a branch
manager moved to another branch, a deactivated account, an address HR changed
get nothing; the delivery is failed with the reason and the run says so."""
from __future__ import annotations

import pytest

from lms.extensions import db
from lms.notify import services
from lms.notify.models import Delivery
from lms.org import services as org
from lms.org.models import User


@pytest.fixture
def queued(app, clock, make_user, make_branch, smtp_sink, enable_channel):
    """赵行长 of 天元支行 has an e-mail queued about 李学员 failing twice."""
    app.config.update(NOTIFY_SMTP_HOST="127.0.0.1", NOTIFY_SMTP_PORT=smtp_sink.server_address[1],
                      NOTIFY_SMTP_SECURITY="none", NOTIFY_SMTP_FROM="academy@bank.example")
    admin = make_user(("admin",), employee_no="A001")
    enable_channel("email", ["learner_failed_twice"], actor=admin)
    branch = make_branch("ZZ01", "天元支行")
    other = make_branch("ZZ02", "荷塘支行")
    learner = make_user(("learner",), name="李学员", employee_no="E3001", branch=branch)
    manager = make_user(("branch_manager",), name="赵行长", employee_no="M001", branch=branch)
    manager.email = "zhao@bank.example"
    db.session.commit()
    services.notify(manager, "learner_failed_twice", f"user:{learner.id}:exam:1",
                    {"learner": learner.name, "employee_no": learner.employee_no, "branch": branch.name,
                     "learner_id": learner.id, "exam": "第3周测验", "exam_id": 1})
    db.session.commit()
    assert Delivery.query.count() == 1
    return admin, manager, other


def _send(runner):
    return runner.invoke(args=["notify", "send"])


def _manager_moved(admin, manager, other):
    manager.branch_id = other.id
    db.session.commit()


def _manager_left(admin, manager, _other):
    org.deactivate(manager, "离职", actor=admin)


def _address_changed(admin, manager, _other):
    manager.email = "zhao.new@bank.example"
    db.session.commit()


@pytest.mark.parametrize("change, why", [
    (_manager_moved, "may no longer see this person"),
    (_manager_left, "account was deactivated"),
    (_address_changed, "e-mail address changed"),
], ids=["moved-branch", "deactivated", "address-changed"])
def test_a_queued_e_mail_is_not_sent_after_the_change(runner, smtp_sink, queued, change, why):
    admin, manager, other = queued
    change(admin, db.session.get(User, manager.id), other)
    result = _send(runner)
    assert result.exit_code == 0 and "sent 0, to retry 0, failed 0, withheld 1" in result.output, result.output
    assert smtp_sink.messages == []
    delivery = Delivery.query.one()
    assert delivery.state == "failed" and why in delivery.last_error
    assert "sent 0, to retry 0, failed 0" in _send(runner).output  # never tried again


def test_unchanged_it_is_sent(runner, smtp_sink, queued):
    result = _send(runner)
    assert result.exit_code == 0 and "sent 1" in result.output, result.output
    assert [m.recipients for m in smtp_sink.messages] == [["zhao@bank.example"]]


def test_the_list_of_notifications_no_longer_names_the_old_branchs_learner(client, queued):
    """The alert stays in the moved manager's list (counted, readable) but
    says only that it is about someone they can no longer see."""
    from tests.conftest import sign_in

    admin, manager, other = queued
    sign_in(client, manager)
    before = client.get("/notifications/").text
    assert "李学员" in before and "E3001" in before
    _manager_moved(admin, db.session.get(User, manager.id), other)
    after = client.get("/notifications/")
    assert after.status_code == 200 and "李学员" not in after.text and "E3001" not in after.text
    assert "一条关于您已无权查看人员的提醒" in after.text
    assert 'class="bell-count" aria-hidden="true">1<' in client.get("/notifications/bell", headers={"HX-Request": "true"}).text
    notification_id = Delivery.query.one().notification_id
    row = client.post(f"/notifications/{notification_id}/read", headers={"HX-Request": "true"})
    assert row.status_code == 200 and "李学员" not in row.text and "一条关于您已无权查看人员的提醒" in row.text


# --- group robots (企业微信, 钉钉): the post names the learner to the whole group --------


@pytest.fixture
def queued_post(app, clock, make_user, make_branch, robot, enable_channel):
    """A 企业微信 post is queued: 李学员 of 天元支行 failed an exam twice."""
    from tests.notify.conftest import ROBOT_KEY

    app.config["NOTIFY_WECOM_WEBHOOK"] = robot.url(f"/cgi-bin/webhook/send?key={ROBOT_KEY}")
    admin = make_user(("admin",), employee_no="A001")
    enable_channel("wecom", ["learner_failed_twice"], actor=admin)
    branch = make_branch("ZZ01", "天元支行")
    other = make_branch("ZZ02", "荷塘支行")
    learner = make_user(("learner",), name="李学员", employee_no="E3001", branch=branch)
    manager = make_user(("branch_manager",), name="赵行长", employee_no="M001", branch=branch)
    db.session.commit()
    services.notify(manager, "learner_failed_twice", f"user:{learner.id}:exam:1",
                    {"learner": learner.name, "employee_no": learner.employee_no, "branch": branch.name,
                     "learner_id": learner.id, "exam": "第3周测验", "exam_id": 1})
    db.session.commit()
    assert [d.channel for d in Delivery.query.all()] == ["wecom"]
    return admin, learner, other


def _learner_moved(admin, learner, other):
    learner.branch_id = other.id
    db.session.commit()


def _learner_left(admin, learner, _other):
    org.deactivate(learner, "离职", actor=admin)


def _robot_switched_off(admin, _learner, _other):
    from lms.notify import settings

    settings.save_channel("wecom", False, ["learner_failed_twice"], actor=admin)


def _kind_taken_off_the_robot(admin, _learner, _other):
    from lms.notify import settings

    settings.save_channel("wecom", True, ["learner_overdue"], actor=admin)


@pytest.mark.parametrize("change, why", [
    (_learner_moved, "moved to another branch"),
    (_learner_left, "left (account deactivated)"),
    (_robot_switched_off, "switched this channel, or this kind on it, off"),
    (_kind_taken_off_the_robot, "switched this channel, or this kind on it, off"),
], ids=["learner-moved-branch", "learner-left", "robot-switched-off", "kind-taken-off"])
def test_a_queued_group_post_naming_a_learner_is_not_posted_after_the_change(runner, robot, queued_post, change,
                                                                             why):
    admin, learner, other = queued_post
    change(db.session.get(User, admin.id), db.session.get(User, learner.id), other)
    result = _send(runner)
    assert result.exit_code == 0 and "sent 0, to retry 0, failed 0, withheld 1" in result.output, result.output
    assert robot.posts == []
    delivery = Delivery.query.one()
    assert delivery.state == "failed" and why in delivery.last_error
    assert "sent 0, to retry 0, failed 0" in _send(runner).output and robot.posts == []  # never tried again


def test_an_unchanged_group_post_is_posted(runner, robot, queued_post):
    result = _send(runner)
    assert result.exit_code == 0 and "sent 1" in result.output, result.output
    assert "李学员" in robot.posts[0].json["text"]["content"]


def test_a_queued_e_mail_is_not_sent_after_its_channel_was_switched_off(runner, smtp_sink, queued):
    from lms.notify import settings

    admin, _manager, _other = queued
    settings.save_channel("email", False, ["learner_failed_twice"], actor=db.session.get(User, admin.id))
    result = _send(runner)
    assert "sent 0, to retry 0, failed 0, withheld 1" in result.output, result.output
    assert smtp_sink.messages == []
