"""A large table as an XLSX workbook, written straight as SpreadsheetML.

The register of 10,000 people is 50,000 rows × 9 columns: openpyxl, even
write-only, takes about 20 seconds of CPU over it (a Python object and a
check per cell); writing the sheet's XML directly takes about one. Every
cell is an inline string or a number, never a formula, so the file is
formula-safe by construction. One sheet, a bold header row frozen at the
top, column widths."""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

from lms.control_characters import shown_direction_characters

# Characters XML 1.0 cannot carry (control characters other than tab, newline, carriage return).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '</Types>')
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>')
# Style 1: bold on a light blue fill (the header row); style 2: wrapped text (the evidence).
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDE7F3"/></patternFill></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment wrapText="1" vertical="top"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def _column(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: str, style: int = 0) -> str:
    text = escape(shown_direction_characters(_ILLEGAL.sub("", value)))  # "[U+202E]", as lms.reports.exports
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    attr = f' s="{style}"' if style else ""
    return f'<c t="inlineStr"{attr}><is><t{space}>{text}</t></is></c>'


class _Cells(dict):
    """value → its cell's XML in one style; texts are kept, other values made each time
    (``True == 1``: a kept number could answer for a boolean)."""

    def __init__(self, style: int):
        super().__init__()
        self.style = style

    def __missing__(self, value) -> str:
        if value.__class__ is str:
            cell = self[value] = _text(value, self.style) if value else "<c/>"
            return cell
        if value is None:
            return "<c/>"
        if isinstance(value, bool):
            return _text(str(value))
        if isinstance(value, int | float):
            return f"<c><v>{value}</v></c>"
        return _text(str(value), self.style)


def to_xlsx(sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence], widths: dict[int, int] | None = None,
            wrapped: Sequence[int] = ()) -> bytes:
    """The table as XLSX bytes; ``widths`` {1-based column: width},
    ``wrapped`` the 1-based columns whose text wraps."""
    wrap = set(wrapped)
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
             'state="frozen"/></sheetView></sheetViews>']
    if widths:
        parts.append("<cols>" + "".join(f'<col min="{c}" max="{c}" width="{w}" customWidth="1"/>'
                                        for c, w in sorted(widths.items())) + "</cols>")
    parts.append("<sheetData>")
    parts.append('<row r="1">' + "".join(_text(str(h), 1) for h in headers) + "</row>")
    # The same texts come back row after row (rule titles, verdicts, branch
    # names, a person's name on each of their rows): each cell's XML is made
    # once per column style, and a row's cells are looked up by C code
    # (``map`` over the columns' caches), Python running only for a new text.
    plain, wrapping = _Cells(0), _Cells(2)
    caches = [wrapping if column in wrap else plain for column in range(1, len(headers) + 1)]
    lookup = dict.__getitem__
    parts += [f'<row r="{number}">' + "".join(map(lookup, caches, row)) + "</row>"
              for number, row in enumerate(rows, start=2)]
    parts.append("</sheetData></worksheet>")
    workbook = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                f'<sheets><sheet name="{escape(sheet_title[:31])}" sheetId="1" r:id="rId1"/></sheets></workbook>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _RELS)
        book.writestr("xl/workbook.xml", workbook)
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        book.writestr("xl/styles.xml", _STYLES)
        book.writestr("xl/worksheets/sheet1.xml", "".join(parts))
    return out.getvalue()
