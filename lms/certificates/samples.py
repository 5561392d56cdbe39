"""A certificate that is not stored: the administrator's preview of the
design, and the benches' subject."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from flask_babel import gettext as _

from lms import clock
from lms.certificates.pdf import render_certificate


def sample_certificate(**overrides) -> SimpleNamespace:
    """An unsaved certificate-like object with everything the PDF prints."""
    today = clock.today()
    values = {
        "serial": "RMQ-%d-000000" % today.year,
        "verify_code": "sample-" + "0" * 36,
        "issued_on": today,
        "expires_on": date(today.year + 2, today.month, min(today.day, 28)),
        "holder_name": "欧阳喆堃",
        "holder_employee_no": "000000",
        "holder_branch": "天元支行",
        "certification": SimpleNamespace(title=_("Sample certificate")),
        "by_hr_decision": False,
    }
    values.update(overrides)
    return SimpleNamespace(**values)


def sample_certificate_pdf() -> bytes:
    return render_certificate(sample_certificate())
