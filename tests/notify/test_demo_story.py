"""Issue 11's "done when", in the demo: 李学员 (天元支行) fails this week's
exam twice; 赵行长, the branch manager, finds it under the bell, and the
企业微信 group robot (a local test server) receives the post from
``flask notify send``."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from lms import clock, questions
from lms.content.models import Exam
from lms.exams import answers as exam_answers, attempts as exam_attempts, trainer_services
from lms.extensions import db
from lms.notify import settings
from lms.notify.services import unread_count
from lms.org.models import user_by_employee_no
from tests.conftest import load_demo_copy, sign_in
from tests.notify.conftest import ROBOT_KEY


def _fail(learner, exam, rng):
    """Answer every question wrong and submit; an essay gets 0 from the trainer."""
    attempt = exam_attempts.start_attempt(learner, exam)
    for item in attempt.items:
        version = item.question_version
        exam_answers.save_answer(attempt, item, questions.get(version.type).simulated_answer(version.data, False, rng))
    attempt = exam_attempts.submit(attempt, learner)
    for item in attempt.items:
        if item.needs_grading:
            trainer_services.grade_essay(item, "0", "", user_by_employee_no("trainer"))
    db.session.refresh(attempt)
    assert attempt.state == "finalised" and attempt.passed is False
    return attempt


def test_in_the_demo_a_learner_who_fails_twice_alerts_the_branch_manager_and_the_group(app, client, runner,
                                                                                       robot):
    load_demo_copy("demo-pass-2024")
    app.config["NOTIFY_WECOM_WEBHOOK"] = robot.url(f"/cgi-bin/webhook/send?key={ROBOT_KEY}")
    settings.save_channel("wecom", True, ["learner_failed_twice"], actor=user_by_employee_no("admin"))
    learner, manager = user_by_employee_no("learner"), user_by_employee_no("manager")
    exam = db.session.scalar(select(Exam).where(Exam.slug == "exam-week-03"))
    before = unread_count(manager)  # the demo's own story may have alerted the manager already (mentoring's)
    rng = random.Random(3)
    _fail(learner, exam, rng)
    clock.advance(timedelta(minutes=exam.cooldown_minutes + 1))
    _fail(learner, exam, rng)
    sign_in(client, manager)
    assert f'class="bell-count" aria-hidden="true">{before + 1}<' in client.get("/notifications/bell", headers={"HX-Request": "true"}).text
    assert "李学员（learner，天元支行）" in client.get("/notifications/").text
    result = runner.invoke(args=["notify", "send"])
    assert result.exit_code == 0 and "sent 1" in result.output
    [post] = robot.posts
    assert post.query["key"] == ROBOT_KEY and "李学员（learner，天元支行）" in post.json["text"]["content"]
