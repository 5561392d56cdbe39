"""The certificate register opened as Excel opens it: 工号 keep their leading
zeros, dates are date cells, the file has a Chinese name (RFC 5987)."""
from __future__ import annotations

import csv
import io

import openpyxl

from lms.certificates import issuing
from tests.conftest import sign_in
from tests.reports.test_exports_as_excel_opens import _download_name


def test_certificate_register_export_has_date_cells_and_text_employee_numbers(client, clock, make_user,
                                                                             make_certification, fast_pdf):
    hr = make_user(("hr",), employee_no="hr01")
    holder = make_user(("learner",), employee_no="007001", name="令狐·冲")
    rmq = make_certification()
    certificate = issuing.issue(holder, rmq, actor=hr, reason="换发")
    sign_in(client, hr)
    answer = client.get("/certificates/export.xlsx")
    name, fallback = _download_name(answer)
    assert name == "证书台账-2026-03-02.xlsx" and fallback == "certificates-2026-03-02.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(answer.data)).active
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert row["工号"].value == "007001" and row["工号"].data_type == "s"
    assert row["颁发日期"].is_date and row["颁发日期"].value.date() == certificate.issued_on
    csv_rows = list(csv.reader(io.StringIO(client.get("/certificates/export.csv").data.decode("utf-8-sig"))))
    assert csv_rows[1][2] == "\t007001" and csv_rows[1][5] == certificate.issued_on.isoformat()


def test_the_register_download_is_read_a_chunk_at_a_time_in_the_pages_order(client, clock, make_user,
                                                                          make_certification, make_branch,
                                                                          fast_pdf, monkeypatch):
    """The register's download held every certificate of the bank with its holder, branch and
    certification at once (bench/hr_downloads.py: 24,000 at 20,000 people). It reads them a chunk
    at a time as the file is written: every certificate in the page's order (newest first), a
    branch manager's branches only, a formula-like reason still text."""
    from datetime import datetime, timedelta

    from lms.certificates import queries, revoking

    monkeypatch.setattr(queries, "EXPORT_CHUNK", 2)  # seven certificates: four chunks, the last one short
    hr = make_user(("hr",), employee_no="hr01")
    tianyuan, lusong = make_branch("ZZ0101", "天元支行"), make_branch("ZZ0102", "芦淞支行")
    rmq = make_certification()
    serials = []
    for i in range(7):
        clock.freeze(datetime(2026, 3, 2, 2, 0) + timedelta(days=i))
        holder = make_user(("learner",), employee_no=f"E{i:03d}", branch=(tianyuan, lusong)[i % 2])
        serials.append(issuing.issue(holder, rmq, actor=hr, reason="考试通过").serial)
    revoking.revoke(db_certificate(serials[0]).id, actor=hr, reason="=HYPERLINK(\"x\")")
    sign_in(client, hr)
    rows = list(csv.reader(io.StringIO(client.get("/certificates/export.csv").data.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == serials[::-1]
    assert rows[-1][9] == "'=HYPERLINK(\"x\")"
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/certificates/export.xlsx").data)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == serials[::-1]
    last = list(sheet.iter_rows(min_row=8, values_only=True))[0]
    assert last[9] == "=HYPERLINK(\"x\")" and sheet.cell(8, 10).data_type == "s"

    sign_in(client, make_user(("branch_manager",), employee_no="m01", branch=lusong))
    rows = list(csv.reader(io.StringIO(client.get("/certificates/export.csv").data.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == serials[5::-2]  # E005, E003, E001: 芦淞支行's
    for fmt in ("csv", "xlsx"):  # another branch, asked by its id: refused before the file starts
        other = client.get(f"/certificates/export.{fmt}?branch={tianyuan.id}")
        assert other.status_code == 404 and "Content-Disposition" not in other.headers


def db_certificate(serial):
    from sqlalchemy import select

    from lms.certificates.models import Certificate
    from lms.extensions import db

    return db.session.scalar(select(Certificate).where(Certificate.serial == serial))
