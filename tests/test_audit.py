from sqlalchemy import text

from lms.audit import services as audit
from lms.extensions import db


def _three_events():
    for i in range(3):
        audit.record("test.event", object_type="thing", object_id=i, actor_label="tester", n=i)
    db.session.commit()


def test_chain_of_untouched_events_verifies(app, runner):
    _three_events()
    assert audit.verify().ok
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "3 events" in result.output


def test_altered_event_is_reported(app, runner):
    _three_events()
    db.session.execute(text("UPDATE audit_event SET details = '{\"n\": 99}' WHERE seq = 2"))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "event 2 was altered" in result.output


def test_deleted_event_is_reported(app):
    _three_events()
    db.session.execute(text("DELETE FROM audit_event WHERE seq = 2"))
    db.session.commit()
    result = audit.verify()
    assert not result.ok and result.seq == 2 and "missing" in result.problem


def test_events_cannot_be_changed_through_the_orm(app):
    import pytest

    from lms.audit.models import AppendOnlyError, AuditEvent

    _three_events()
    event = db.session.query(AuditEvent).first()
    event.action = "forged"
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
