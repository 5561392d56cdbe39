"""Links in messages sent out (e-mail, robots) start with LMS_BASE_URL, never
with the host of the request during which the notification was composed."""
from __future__ import annotations

from lms.extensions import db
from lms.notify import sending, services
from lms.notify.models import Delivery


def test_a_forged_host_never_reaches_an_e_mail_link(app, make_user, make_branch):
    app.config["BASE_URL"] = "https://academy.bank.example/academy"
    branch = make_branch("ZZ01", "天元支行")
    learner = make_user(("learner",), name="李学员", employee_no="E3001", branch=branch)
    hr = make_user(("hr",), branch=branch, locale="en")
    hr.email = "hr@bank.example"
    db.session.commit()
    params = {"learner": learner.name, "employee_no": learner.employee_no, "branch": branch.name,
              "learner_id": learner.id, "exam": "第3周测验", "exam_id": 1}
    notification = services.notify(hr, "learner_failed_twice", f"user:{learner.id}:exam:1", params)
    with app.test_request_context("/", base_url="https://evil.example/"):
        message = sending.compose(Delivery(notification=notification, channel="email", target=hr.email))
    assert f"https://academy.bank.example/academy/org/people/{learner.id}" in message.text
    assert "evil.example" not in message.text
