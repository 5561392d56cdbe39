"""Which rows and columns of an uploaded workbook Excel does not show.

openpyxl's read-only mode (the only one that reads a big sheet without holding
it all in memory) does not say whether a row or a column is hidden, so an
import read a row HR had hidden — by hand, by a filter or in a collapsed group
— like any other: invisible data imported silently. This reads it from the
sheet's XML in the zip, streaming (``xml.parsers.expat``, nothing kept but the
numbers of the hidden rows that hold something and the hidden column ranges),
after ``lms.xlsx_safety`` has bounded what the zip may inflate to.

What Excel writes:
- ``<row r="5" hidden="1">``: a row hidden by hand, filtered out by an
  autofilter or folded in a collapsed group (``r`` may be left out: the row
  after the previous one);
- ``<sheetFormatPr zeroHeight="1">``: rows are hidden unless they say
  otherwise ("hide every row below the data"): a row is then visible only
  with ``hidden="0"`` or a height of its own (``customHeight="1" ht="15"``);
- ``<col min="2" max="3" hidden="1">``: columns B to C hidden.
"""
from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field
from xml.parsers import expat

from flask_babel import get_locale

_TRUE = ("1", "true")
_FALSE = ("0", "false")
# A row that holds something: a value, an inline string or a formula.
_CONTENT = {"v", "is", "f"}
_CHUNK = 1 << 20


@dataclass
class Hidden:
    """A sheet's hidden rows that hold something (numbers as Excel shows them)
    and its hidden columns (1 = A)."""

    rows: set[int] = field(default_factory=set)
    column_ranges: list[tuple[int, int]] = field(default_factory=list)

    def column(self, number: int) -> bool:
        return any(low <= number <= high for low, high in self.column_ranges)

    def __bool__(self) -> bool:
        return bool(self.rows or self.column_ranges)


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


def _parse(stream, start) -> None:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.ParseFile(stream)


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the path of its XML in the zip (workbook.xml and its relationships)."""
    names: list[tuple[str, str]] = []
    targets: dict[str, str] = {}

    def workbook(name, attrs):
        if _local(name) == "sheet":
            rel = next((v for k, v in attrs.items() if _local(k) == "id"), None)
            if rel is not None and "name" in attrs:
                names.append((attrs["name"], rel))

    def relationships(name, attrs):
        if _local(name) == "Relationship" and "Id" in attrs and "Target" in attrs:
            targets[attrs["Id"]] = attrs["Target"]

    try:
        with archive.open("xl/workbook.xml") as stream:
            _parse(stream, workbook)
        with archive.open("xl/_rels/workbook.xml.rels") as stream:
            _parse(stream, relationships)
    except (KeyError, expat.ExpatError):
        return {}
    paths = {}
    for sheet, rel in names:
        target = targets.get(rel)
        if target:
            paths[sheet] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join("xl", target))
    return paths


def _mentions_hiding(archive: zipfile.ZipFile, path: str) -> bool:
    """A quick pass over the raw XML: most sheets hide nothing."""
    tail = b""
    with archive.open(path) as stream:
        while chunk := stream.read(_CHUNK):
            if b"hidden" in tail + chunk or b"zeroHeight" in tail + chunk:
                return True
            tail = chunk[-16:]
    return False


def _hidden_of(archive: zipfile.ZipFile, path: str) -> Hidden:
    hidden = Hidden()
    state = {"row": 0, "hidden": False, "all_hidden": False}

    def start(name, attrs):
        tag = _local(name)
        if tag in _CONTENT:
            if state["hidden"]:
                hidden.rows.add(state["row"])
        elif tag == "row":
            number = attrs.get("r")
            state["row"] = int(number) if number and number.isdigit() else state["row"] + 1
            flag = attrs.get("hidden", "").lower()
            if flag in _TRUE:
                state["hidden"] = True
            elif flag in _FALSE or not state["all_hidden"]:
                state["hidden"] = False
            else:  # rows hidden by default: visible only with a height of its own
                height = attrs.get("ht", "")
                state["hidden"] = not (attrs.get("customHeight", "").lower() in _TRUE
                                       and height.replace(".", "", 1).isdigit() and float(height) > 0)
        elif tag == "sheetFormatPr":
            state["all_hidden"] = attrs.get("zeroHeight", "").lower() in _TRUE
        elif tag == "col" and attrs.get("hidden", "").lower() in _TRUE:
            low, high = attrs.get("min", ""), attrs.get("max", "")
            if low.isdigit() and high.isdigit():
                hidden.column_ranges.append((int(low), int(high)))

    with archive.open(path) as stream:
        _parse(stream, start)
    return hidden


def hidden_cells(data: bytes) -> dict[str, Hidden]:
    """Sheet name → its hidden rows (holding something) and columns; only the
    sheets that hide any. Call it after ``lms.xlsx_safety.unpacked_problem``.
    A file that is not a readable workbook hides nothing here (its reader says
    what is wrong with it)."""
    out: dict[str, Hidden] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = set(archive.namelist())
            for sheet, path in _sheet_paths(archive).items():
                if path in members and _mentions_hiding(archive, path):
                    hidden = _hidden_of(archive, path)
                    if hidden:
                        out[sheet] = hidden
    except (zipfile.BadZipFile, OSError, ValueError, expat.ExpatError):
        return {}
    return out


def numbers_text(numbers) -> str:
    """Row numbers as a reader scans them: 5–7, 12 (in the page's language: 5–7、12)."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    locale = get_locale()
    separator = "、" if locale is None or locale.language == "zh" else ", "
    return separator.join(str(low) if low == high else f"{low}–{high}" for low, high in runs)
