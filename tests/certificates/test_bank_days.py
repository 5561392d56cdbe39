"""A certificate is valid through the whole of its expiry day in China time
and expired from 00:00 the next day (16:00 UTC); the day it was revoked is
the bank's day, in the register's download as on the page."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest

from lms.certificates import revoking
from lms.certificates.models import CertificateState
from tests.conftest import sign_in


@pytest.mark.parametrize("at, state", [
    (datetime(2028, 2, 29, 15, 59, 59), CertificateState.VALID),  # 29 February 23:59:59 in Shanghai
    (datetime(2028, 2, 29, 16, 0, 0), CertificateState.EXPIRED),  # 1 March 00:00:00
    (datetime(2028, 2, 29, 23, 30, 0), CertificateState.EXPIRED),  # 1 March 07:30 (29 February in UTC)
])
def test_valid_through_the_expiry_day_in_china(client, clock, make_user, make_certificate, fast_pdf, at, state):
    holder = make_user(("learner",), name="李学员")
    certificate = make_certificate(holder=holder, expires_on=date(2028, 2, 29))
    clock.freeze(at)
    assert certificate.state() == state
    sign_in(client, holder)
    page = client.get("/certificates/mine").text
    assert f'id="certificate-{certificate.id}" class="state-{state.value}"' in page


def test_the_revocation_day_in_the_download_is_the_bank_day(client, clock, make_user, make_certificate, fast_pdf):
    hr = make_user(("hr",), employee_no="HR1")
    certificate = make_certificate()
    clock.freeze(datetime(2026, 3, 31, 16, 30))  # 1 April 00:30 in Shanghai
    revoking.revoke(certificate.id, hr, "冒用他人账号")
    sign_in(client, hr)
    body = client.get("/certificates/export.csv").data.decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(body)))[:2]
    assert row[header.index("撤销日期")] == "2026-04-01"
