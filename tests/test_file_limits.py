"""A signed-in user asking for made files in a loop (a register as CSV/XLSX, an evidence pack,
a sample certificate: each built on every request) is held at ``DOWNLOADS_PER_MINUTE`` a
minute, and one sending files to be checked (an import's preview) at ``UPLOADS_PER_MINUTE``,
counted per user in the database (every process together); another user is not held, and the
allowance comes back as the minute slides."""
from __future__ import annotations

import io
from datetime import timedelta

from lms.org import imports

from lms.file_limits import made_file_endpoints
from tests.conftest import sign_in


def test_made_files_in_a_loop_are_held_per_user(app, client, clock, make_user):
    app.config.update(RATELIMIT_ENABLED=True, DOWNLOADS_PER_MINUTE=3)
    hr, other = make_user(("hr",), employee_no="H1"), make_user(("hr",), employee_no="H2")
    sign_in(client, hr)
    url = "/org/people/import/template.csv"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    held = client.get(url)
    assert held.status_code == 429 and held.headers["Retry-After"] == "60"
    assert "每分钟最多可下载 3 个文件" in held.text and "attachment" not in held.headers.get("Content-Disposition", "")
    assert client.get("/org/people").status_code == 200  # pages are not held
    second = app.test_client()
    sign_in(second, other)
    assert second.get(url).status_code == 200
    clock.advance(timedelta(seconds=121))
    assert client.get(url).status_code == 200


def test_every_download_that_builds_a_file_is_counted(app):
    endpoints = made_file_endpoints(app)
    for endpoint in ("reports.export", "certificates.export", "certificates.expiring_export", "eligibility.export",
                     "eligibility.monitor_export", "mentoring_admin.export", "content_import.export",
                     "certificate_pdf.evidence_pack_pdf", "certificate_pdf.sample", "org.import_template"):
        assert endpoint in endpoints, endpoint
    assert "static" not in endpoints and "certificates.pdf" not in endpoints  # a stored file: nothing is built


def test_uploads_in_a_loop_are_held_before_the_file_is_read(app, client, clock, make_user, monkeypatch):
    app.config.update(RATELIMIT_ENABLED=True, UPLOADS_PER_MINUTE=2)
    sign_in(client, make_user(("hr",), employee_no="H1"))
    read = []
    real_plan = imports.plan_import
    monkeypatch.setattr(imports, "plan_import", lambda data, *a, **k: read.append(data) or real_plan(data, *a, **k))

    def upload():
        body = "工号,姓名,支行,岗位,入职日期,角色\n".encode()
        return client.post("/org/people/import", data={"file": (io.BytesIO(body), "people.csv")},
                           content_type="multipart/form-data")

    assert [upload().status_code for _ in range(2)] == [200, 200]
    assert len(read) == 2
    held = upload()
    assert held.status_code == 429 and held.headers["Retry-After"] == "60"
    assert "每分钟最多可上传 2 个文件" in held.text and len(read) == 2  # the file was not read
    assert client.get("/org/people/import").status_code == 200  # the page itself is not held
    clock.advance(timedelta(seconds=121))
    assert upload().status_code == 200
