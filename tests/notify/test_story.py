"""The story of issue 11: a learner who fails a week's exam twice produces a
notification for the branch manager (bell, list) and, with the 企业微信 robot
switched on, a webhook delivery to a (local) group robot, sent by
``flask notify send``. Taken through HTTP as the people would."""
from __future__ import annotations

from lms.exams.models import Attempt
from lms.extensions import db
from lms.notify.models import Delivery, Notification
from tests.conftest import sign_in
from tests.exams.takers import as_posted
from tests.notify.conftest import ROBOT_KEY


def _fail_once(client, exam):
    response = client.post(f"/exams/{exam.id}/start")
    assert response.status_code == 302, response.text
    attempt = db.session.get(Attempt, int(response.headers["Location"].rstrip("/").split("/")[-1]))
    item = attempt.items[0]
    saved = client.post(f"/attempts/{attempt.id}/items/{item.id}", data=as_posted(item, {f"a-{item.id}": "A"}),
                        headers={"HX-Request": "true"})
    assert saved.status_code == 200
    assert client.post(f"/attempts/{attempt.id}/submit").status_code == 302
    db.session.refresh(attempt)
    assert attempt.state == "finalised" and attempt.passed is False
    return attempt


def test_failing_twice_alerts_the_branch_manager_and_posts_to_the_group_robot(
        app, client, runner, clock, make_user, make_branch, make_question, make_exam, robot):
    city = make_branch("ZZ", "株洲分行")
    tianyuan = make_branch("ZZ01", "天元支行", parent=city)
    learner = make_user(("learner",), name="李学员", employee_no="E3001", branch=tianyuan)
    manager = make_user(("branch_manager",), name="赵行长", employee_no="M001", branch=tianyuan)
    city_manager = make_user(("branch_manager",), name="钱分行", employee_no="M002", branch=city)
    other_branch_manager = make_user(("branch_manager",), branch=make_branch("CS", "长沙分行"))
    admin = make_user(("admin",))
    question = make_question("single")
    exam = make_exam([{"questions": [question.slug]}], title="第3周测验", pass_mark=60, cooldown_minutes=0,
                     max_attempts=None, time_limit_minutes=30)
    app.config["NOTIFY_WECOM_WEBHOOK"] = robot.url(f"/cgi-bin/webhook/send?key={ROBOT_KEY}")
    sign_in(client, admin)
    response = client.post("/system/notifications/wecom",
                           data={"wecom-enabled": "y", "wecom-kinds": ["learner_failed_twice"]})
    assert response.status_code == 302

    sign_in(client, learner)
    _fail_once(client, exam)
    assert Notification.query.filter_by(kind="learner_failed_twice").count() == 0  # once is no alarm
    _fail_once(client, exam)

    sign_in(client, manager)
    bell = client.get("/notifications/bell", headers={"HX-Request": "true"})
    assert 'class="bell-count" aria-hidden="true">1<' in bell.text
    page = client.get("/notifications/")
    assert "李学员（E3001，天元支行）第3周测验已两次未通过。" in page.text
    # The manager of the city branch above hears of it too; another branch's does not.
    assert {n.recipient_id for n in Notification.query.filter_by(kind="learner_failed_twice")} == {
        manager.id, city_manager.id}
    assert other_branch_manager.id not in {n.recipient_id for n in Notification.query}
    # Nothing went out during the requests: the group hears of it once, from the cron command.
    assert robot.posts == []
    assert Delivery.query.count() == 1
    result = runner.invoke(args=["notify", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    assert len(robot.posts) == 1
    post = robot.posts[0]
    assert post.query["key"] == ROBOT_KEY and post.json["msgtype"] == "text"
    assert "李学员（E3001，天元支行）第3周测验已两次未通过。" in post.json["text"]["content"]
    delivery = Delivery.query.one()
    db.session.refresh(delivery)
    assert delivery.state == "sent" and delivery.attempts == 1 and delivery.sent_at is not None
    # A second run sends nothing again.
    assert "sent 0" in runner.invoke(args=["notify", "send"]).output and len(robot.posts) == 1

    # A third failure makes no second alert.
    sign_in(client, learner)
    _fail_once(client, exam)
    assert Notification.query.filter_by(kind="learner_failed_twice").count() == 2
