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
