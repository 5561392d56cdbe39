"""What the people and branch tests share: a small organisation, the audit events
of one action, the services' language, and an XLSX workbook as the bytes HR uploads."""
import io

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


@pytest.fixture
def in_chinese(app):
    """Services called directly speak the default language, as on the web (zh_CN)."""
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("zh_CN"):
        yield


def xlsx_bytes(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
