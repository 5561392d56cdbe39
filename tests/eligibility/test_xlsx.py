"""The register's XLSX writer (lms.eligibility.xlsx): every cell as given,
whatever came before it in the column (the writer keeps each text's XML)."""
import io
from datetime import date

from openpyxl import load_workbook

from lms.eligibility.xlsx import to_xlsx


def test_cells_keep_their_values_and_types_when_texts_repeat():
    rows = [["E1", "=HYPERLINK(\"http://x\")", True, 1, None, "", "line one\nline two"],
            ["E1", "=HYPERLINK(\"http://x\")", 1, True, 2.5, "a", "line one\nline two"],
            ["E2", " padded ", False, 0, date(2026, 3, 1), "", "✓ 持证: 有效"]]
    body = to_xlsx("准入", ["no", "text", "flag", "n", "x", "maybe", "evidence"], rows, widths={7: 50}, wrapped=(7,))
    sheet = load_workbook(io.BytesIO(body)).active
    got = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert got == [["E1", "=HYPERLINK(\"http://x\")", "True", 1, None, None, "line one\nline two"],
                   ["E1", "=HYPERLINK(\"http://x\")", 1, "True", 2.5, "a", "line one\nline two"],
                   ["E2", " padded ", "False", 0, "2026-03-01", None, "✓ 持证: 有效"]]
    # A text that looks like a formula stays text (an inline string), never a formula.
    assert sheet["B2"].data_type == "s" and sheet["G2"].alignment.wrap_text
    assert [c.value for c in sheet[1]] == ["no", "text", "flag", "n", "x", "maybe", "evidence"]
