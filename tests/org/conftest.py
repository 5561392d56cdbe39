import pytest

from lms.audit.models import AuditEvent
from lms.extensions import db


@pytest.fixture
def org(make_branch, make_user):
    """A city branch with two sub-branches, an HR officer and an administrator."""
    from types import SimpleNamespace

    city = make_branch("ZZ01", "株洲分行")
    tianyuan = make_branch("ZZ0101", "天元支行", parent=city)
    lusong = make_branch("ZZ0102", "芦淞支行", parent=city)
    hr = make_user(("hr",), employee_no="hr01", name="周人事", branch=city)
    admin = make_user(("admin",), employee_no="admin01", name="系统管理员", branch=city)
    return SimpleNamespace(city=city, tianyuan=tianyuan, lusong=lusong, hr=hr, admin=admin)


def events(action):
    return db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)).all()
