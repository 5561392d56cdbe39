"""The certificate register and the expiring list, downloaded as CSV while the HR officer's
sign-in ends: the rows after the next block are not sent; the file's last line says why."""
from __future__ import annotations

from datetime import date

import pytest

from lms.auth.session_check import SignInEnded
from lms.org import services as org_services
from lms.reports import exports
from tests.conftest import sign_in
from tests.streaming import Stream

STOPPED = "下载在写出 2 行后停止：您的登录已结束（已退出、账号被停用、角色被取消或会话被终止），本文件不完整。请重新登录后再下载。"


@pytest.mark.parametrize("url", ["/certificates/export.csv", "/certificates/expiring/export.csv?within=90"])
def test_a_certificate_download_stops_once_the_sign_in_ends(app, client, clock, make_user, make_certification,
                                                           make_certificate, fast_pdf, monkeypatch, url):
    monkeypatch.setattr(exports, "CSV_BLOCK", 2)
    hr, admin = make_user(("hr",), employee_no="hr"), make_user(("admin",), employee_no="admin")
    certification = make_certification()
    for _ in range(6):
        make_certificate(certification=certification, expires_on=date(2026, 4, 1))
    sign_in(client, hr)
    stream = Stream(client, url)
    assert stream.status_code == 200
    stream.read_block()
    org_services.set_roles(hr, ("learner",), actor=admin)
    rows = stream.read_rest().csv_rows()
    assert isinstance(stream.error, SignInEnded)
    assert len(rows) == 1 + 2 + 1 and rows[-1] == [STOPPED]
