"""Notifications: every signed-in user has their own (another's is 404);
the channels and deliveries page is the administrator's."""
from lms.extensions import db
from lms.notify.models import Notification
from tests.access import Row, expect, only, signed_in


def setup(world):
    notification = Notification(recipient_id=world.learner.id, kind="graded", subject="attempt:1",
                                params_json='{"exam": "第1周测验", "percent": 80, "passed": true}')
    db.session.add(notification)
    db.session.commit()
    world.notification = notification


ROWS = {
    ("notify.bell", "GET"): Row(lambda w: "/notifications/bell", signed_in()),
    ("notify.index", "GET"): Row(lambda w: "/notifications/", signed_in()),
    ("notify.read", "POST"): Row(lambda w: f"/notifications/{w.notification.id}/read",
                                 expect(404, anonymous=302, learner=302)),
    ("notify.read_all", "POST"): Row(lambda w: "/notifications/read-all", signed_in(302)),
    ("notify_admin.channels_page", "GET"): Row(lambda w: "/system/notifications/", only("admin")),
    ("notify_admin.save_channel", "POST"): Row(lambda w: "/system/notifications/wecom", only("admin", ok=302),
                                               data=lambda w: {"wecom-enabled": "y",
                                                               "wecom-kinds": ["learner_failed_twice"]}),
    ("notify_admin.deliveries", "GET"): Row(lambda w: "/system/notifications/deliveries", only("admin")),
}
