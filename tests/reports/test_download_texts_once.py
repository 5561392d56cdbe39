"""A download cleans each distinct text once (``exports._download_memo``): the overdue list repeats
each person's 工号, name and branch on many lines. What is remembered is the text, never a cell
object: openpyxl's write-only sheet writes the values after a plain cell into that same cell, so a
formula-like text repeated on many rows must still be written as that text, as text, every time."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from lms.reports.exports import to_csv, to_xlsx


def _rows():
    for n in range(30):
        yield ["=HYPERLINK(\"http://x\")", f"客户经理{n % 3}", "+86 138", n, "名\x0b字", "已通过 90%"]


def test_an_xlsx_writes_a_repeated_formula_like_text_as_text_on_every_row(app):
    with app.test_request_context():
        sheet = load_workbook(io.BytesIO(to_xlsx("逾期", ["公式", "姓名", "电话", "序号", "名字", "状态"], _rows()))).active
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == 30
    for n, row in enumerate(rows):
        assert [c.value for c in row] == ["=HYPERLINK(\"http://x\")", f"客户经理{n % 3}", "+86 138", n, "名字",
                                          "已通过 90%"]
        assert row[0].data_type == "s" and row[2].data_type == "s"  # text, never a formula


def test_a_csv_writes_a_repeated_formula_like_text_defused_on_every_row(app):
    with app.test_request_context():
        lines = list(csv.reader(io.StringIO(to_csv(["公式", "姓名", "电话", "序号", "名字", "状态"], _rows())
                                            .decode("utf-8-sig"))))
    assert len(lines) == 31
    for n, line in enumerate(lines[1:]):
        assert line == ["'=HYPERLINK(\"http://x\")", f"客户经理{n % 3}", "'+86 138", str(n), "名\x0b字", "已通过 90%"]
