"""The administrator's channel page: channels switched on with their kinds
(audited), the environment's settings shown masked (never a secret), the
deliveries and their failures."""
from __future__ import annotations

from lms.audit.models import AuditEvent
from lms.notify import settings
from tests.conftest import sign_in
from tests.notify.conftest import DINGTALK_SECRET


def test_secrets_are_shown_masked_and_choices_are_saved_and_audited(app, client, clock, make_user):
    app.config.update(NOTIFY_WECOM_WEBHOOK="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wecom-secret-key",
                      NOTIFY_DINGTALK_WEBHOOK="https://oapi.dingtalk.com/robot/send?access_token=dt-secret-token",
                      NOTIFY_DINGTALK_SECRET=DINGTALK_SECRET, NOTIFY_SMTP_HOST="smtp.bank.example",
                      NOTIFY_SMTP_FROM="academy@bank.example", NOTIFY_SMTP_USER="academy",
                      NOTIFY_SMTP_PASSWORD="smtp-password-42")
    admin = make_user(("admin",))
    sign_in(client, admin)
    page = client.get("/system/notifications/")
    assert page.status_code == 200
    for secret in ("wecom-secret-key", "dt-secret-token", DINGTALK_SECRET, "smtp-password-42"):
        assert secret not in page.text
    assert "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****" in page.text
    assert "smtp.bank.example" in page.text and "已配置" in page.text
    assert not settings.channel_setting("wecom").enabled
    response = client.post("/system/notifications/wecom", data={
        "wecom-enabled": "y", "wecom-kinds": ["learner_failed_twice", "learner_overdue"]})
    assert response.status_code == 302
    assert settings.channel_setting("wecom").enabled
    assert settings.channel_setting("wecom").kinds == ["learner_failed_twice", "learner_overdue"]
    assert settings.active_channels("learner_overdue") == ["wecom"] and settings.active_channels("graded") == []
    [event] = AuditEvent.query.filter_by(action="notify.channel_changed").all()
    assert event.details_dict["after"] == {"enabled": True, "kinds": ["learner_failed_twice", "learner_overdue"]}
    # Saving the same again changes nothing and records nothing.
    client.post("/system/notifications/wecom", data={
        "wecom-enabled": "y", "wecom-kinds": ["learner_failed_twice", "learner_overdue"]})
    assert AuditEvent.query.filter_by(action="notify.channel_changed").count() == 1


def test_an_unknown_kind_is_refused_and_nothing_changes(client, clock, make_user):
    sign_in(client, make_user(("admin",)))
    response = client.post("/system/notifications/email", data={"email-enabled": "y", "email-kinds": ["bogus"]})
    assert response.status_code == 400 and "email-kinds" in response.text
    assert not settings.channel_setting("email").enabled
    assert client.post("/system/notifications/fax", data={}).status_code == 404


def test_a_channel_switched_on_without_its_environment_sends_nothing(app, clock, make_user):
    admin = make_user(("admin",))
    settings.save_channel("dingtalk", True, ["learner_failed_twice"], actor=admin)
    assert settings.active_channels("learner_failed_twice") == []


def test_e_mail_switched_on_for_every_kind_is_saved_on_every_database(app, client, clock, make_user):
    """The page offers e-mail with every kind ticked; saved as one setting of 280
    characters, PostgreSQL refused it (the column holds 200) and the administrator
    got a server error: e-mail could not be switched on as offered."""
    from lms.notify.kinds import KINDS

    app.config.update(NOTIFY_SMTP_HOST="smtp.bank.example", NOTIFY_SMTP_FROM="academy@bank.example")
    sign_in(client, make_user(("admin",)))
    response = client.post("/system/notifications/email", data={"email-enabled": "y", "email-kinds": list(KINDS)})
    assert response.status_code == 302
    assert settings.channel_setting("email").enabled and settings.channel_setting("email").kinds == list(KINDS)
    assert settings.active_channels("certificate_name_unprintable") == ["email"]
    # Fewer kinds later: what is left of the longer value is gone too.
    client.post("/system/notifications/email", data={"email-enabled": "y", "email-kinds": ["graded"]})
    assert settings.channel_setting("email").kinds == ["graded"]
    client.post("/system/notifications/email", data={"email-enabled": "y", "email-kinds": list(KINDS)[::-1]})
    assert settings.channel_setting("email").kinds == list(KINDS)
