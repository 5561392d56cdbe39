"""A time in a download is the bank's, as the page shows it: stored in UTC,
written in China time in CSV and in XLSX (a date stays the date it is)."""
from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from lms.reports import exports

CASES = [
    (datetime(2026, 3, 31, 15, 59), "2026-03-31 23:59", datetime(2026, 3, 31, 23, 59)),
    (datetime(2026, 3, 31, 16, 0), "2026-04-01 00:00", datetime(2026, 4, 1, 0, 0)),
    (datetime(2026, 12, 31, 16, 5), "2027-01-01 00:05", datetime(2027, 1, 1, 0, 5)),
]


@pytest.mark.parametrize("stored, text, cell", CASES)
def test_csv_and_xlsx_times_are_china_time(app, stored, text, cell):
    with app.test_request_context():
        body = exports.to_csv(["时间", "日期"], [[stored, date(2026, 3, 31)]]).decode("utf-8-sig")
        assert body.splitlines()[1] == f"{text},2026-03-31"
        sheet = load_workbook(io.BytesIO(exports.to_xlsx("t", ["时间", "日期"], [[stored, date(2026, 3, 31)]]))).active
        assert sheet["A2"].value == cell
        assert sheet["B2"].value == datetime(2026, 3, 31)  # openpyxl reads a date cell back as midnight
