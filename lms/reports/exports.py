"""Tables as downloads: XLSX (openpyxl's write-only workbook, so a whole
roster streams row by row) and CSV (UTF-8 with a BOM, so Excel opens Chinese
correctly). Both are formula-safe: a text that starts like a formula
(= + - @, a tab or a carriage return; in CSV also after leading spaces, and
their full-width forms ＝ ＋ － ＠) stays text — in CSV it gets a leading
apostrophe, in XLSX the cell is written as a string. Control characters a
worksheet cannot hold are left out of XLSX cells (they made the download fail).
A text-direction control (U+202E, text stored before forms refused them) is
written out as "[U+202E]" in both, as the pages show it: in Excel it would
turn the cell's text around.

Times are stored in UTC and written in the bank's zone (``lms.clock``), as
every page shows them. As Excel opens them: dates are date cells (in a Chinese format on a Chinese
page), texts are text cells (a 工号 keeps its leading zeros), the header row is
bold and frozen, and every column is as wide as its header and first rows
need. In CSV, a number-like text Excel would turn into a number (00123,
a long ID) is written after a tab, which keeps it text. ``download`` answers
the file under a name in the page's language (RFC 5987 ``filename*``, with an
ASCII name for old clients)."""
from __future__ import annotations

import csv
import functools
import io
import itertools
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import IO
from urllib.parse import quote

from flask import Response, stream_with_context
from flask_babel import get_locale, ngettext

from lms import clock
from lms.auth.session_check import SignInCheck, SignInEnded, for_this_request
from lms.control_characters import INVISIBLE, shown_direction_characters

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel also reads a CSV cell as a formula after leading spaces, and (with a
# Chinese or Japanese input method) from the full-width ＝ ＋ － ＠.
_CSV_FORMULA = re.compile("^[ \u00a0\u3000]*[=+\\-@\t\r\uff1d\uff0b\uff0d\uff20]")
# What XML 1.0 (and so a worksheet) cannot carry: control characters other than tab, newline, carriage
# return, and the non-characters U+FFFE and U+FFFF (openpyxl writes those, and Excel calls the file damaged).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# Texts Excel would read as numbers and spoil: leading zeros dropped, or more than 15 digits rounded.
_NUMBER_LIKE = re.compile(r"0\d+|\d{12,}")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIMETYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}
# A date cell's format: Chinese on a Chinese page, ISO otherwise.
DATE_FORMATS = {"zh": 'yyyy"年"m"月"d"日"', "en": "yyyy-mm-dd"}
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f\\/:*?"<>|;]+')
WIDTH_SAMPLE = 200  # the rows a column's width is fitted to
CSV_BLOCK = 1000  # the rows of a CSV sent at a time (``csv_blocks``)
FILE_BLOCK = 256 * 1024  # the bytes of an XLSX sent at a time (``_file_blocks``)
# openpyxl writes an XLSX cell by cell (~36 µs a cell, ~27 µs with lxml, on an idle core;
# the year's roster at 20,000 people, 1.1 million cells, took 57 s of CPU even with lxml:
# bench/README.md): above this many cells a worker may not finish within gunicorn's 60 s, so the
# page offers CSV or a narrower filter instead, before anyone presses (``reports.views``).
XLSX_MAX_CELLS = 300_000


def date_format() -> str:
    locale = get_locale()
    return DATE_FORMATS["zh" if locale is not None and locale.language == "zh" else "en"]


def csv_safe(value) -> object:
    """A text Excel could take for a formula gets a leading apostrophe (shown as text)."""
    if isinstance(value, str):
        return _csv_text(value)
    if isinstance(value, datetime):
        return clock.local(value).strftime("%Y-%m-%d %H:%M")  # the bank's time, as the page shows it
    return "" if value is None else value


@functools.lru_cache(maxsize=4096)
def _csv_text(value: str) -> str:
    """``csv_safe`` of a text; remembered for the texts a download repeats (a roster's million
    cells are a few hundred distinct words, a branch's name is on every one of its lines)."""
    value = shown_direction_characters(value)
    if _CSV_FORMULA.match(value):
        return "'" + value
    if _NUMBER_LIKE.fullmatch(value):
        return "\t" + value  # Excel keeps it text (a 工号 00123 stays 00123)
    return value


def csv_read_back(value: str) -> str:
    """A CSV cell as it was before ``csv_safe`` (a file downloaded to be corrected and uploaded
    again: an import's file with its problems, ``lms.imports.problems_file``): the apostrophe
    before what starts like a formula taken off, as Excel reads it. Tabs and spaces at either
    end are the reader's to strip."""
    if value.startswith("'") and _CSV_FORMULA.match(value[1:]):
        return value[1:]
    return value


def _download_memo(make):
    """``make`` of a value, its texts remembered for this one download: the overdue list repeats
    each person's 工号, name and branch on ~20 lines, 20,000 people apart (too far for
    ``_csv_text``'s cache), and the roster a few hundred cell words a million times. Freed with
    the download; other values (dates, numbers) are made each time."""
    memo: dict[str, object] = {}

    def cell(value):
        if value.__class__ is not str:
            return make(value)
        found = memo.get(value)
        if found is None:
            found = memo[value] = make(value)
        return found

    return cell


def file_name(*parts: object) -> str:
    """A download's name from its parts (title, programme, date), without what a file name cannot hold,
    nor invisible and text-direction characters ("名单\u202excod.exe" shows as "名单exe.docx")."""
    text = INVISIBLE.sub("", "-".join(str(p) for p in parts if p not in (None, "")))
    return _UNSAFE_NAME.sub("_", unicodedata.normalize("NFC", text)).strip(" ._")[:150] or "export"


def attachment(filename: str, fallback: str) -> str:
    """The Content-Disposition of a download named ``filename`` (any language,
    RFC 5987), with ``fallback`` (ASCII) for clients that do not read it."""
    ascii_name = _UNSAFE_NAME.sub("_", fallback.encode("ascii", "ignore").decode()) or "export"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download(body: bytes | IO[bytes] | Iterator[bytes], fmt: str, name: str, fallback: str) -> Response:
    """A table file as a download: ``<name>.<fmt>`` (``<fallback>.<fmt>`` for old clients).
    ``body`` is the bytes, a file (``xlsx_file``) sent a block at a time and closed after, or
    blocks of bytes made as they are sent (``csv_blocks``: the request's checks, scope and
    filters are all applied before, in the view; the rows are made inside the request's context,
    its database session open until the last block)."""
    headers = {"Content-Disposition": attachment(f"{name}.{fmt}", f"{fallback}.{fmt}")}
    if isinstance(body, bytes) or hasattr(body, "seek"):
        # Made whole in the view (an eligibility register of the whole bank takes a while): handed
        # over only while the sign-in it was asked under still holds.
        try:
            _raise_if_sign_in_ended(for_this_request())
        except SignInEnded:
            if not isinstance(body, bytes):
                body.close()
            raise
    if isinstance(body, bytes):
        return Response(body, mimetype=MIMETYPES[fmt], headers=headers)
    if not hasattr(body, "seek"):
        # The first block is made here, in the view: an error in it (the people, the first batch's
        # sums: where a database that is down or too slow fails) is the error page, before any byte.
        body = iter(body)
        first = next(body, b"")
        return Response(stream_with_context(itertools.chain((first,), body)), mimetype=MIMETYPES[fmt],
                        headers=headers)
    body.seek(0, os.SEEK_END)
    headers["Content-Length"] = str(body.tell())
    body.seek(0)
    return Response(stream_with_context(_file_blocks(body, for_this_request())), mimetype=MIMETYPES[fmt],
                    headers=headers, direct_passthrough=True)


def _raise_if_sign_in_ended(check: SignInCheck | None) -> None:
    if check is not None and (ended := check.ended()) is not None:
        raise ended


def _file_blocks(file: IO[bytes], check: SignInCheck | None) -> Iterator[bytes]:
    """A made file sent ``FILE_BLOCK`` bytes at a time, and closed after. Before each block but the
    first, the sign-in is asked again (``lms.auth.session_check``): once it has ended, the rest is
    not sent and the connection is broken off (the browser marks the download failed; the cut
    workbook does not open)."""
    try:
        block = file.read(FILE_BLOCK)
        while block:
            yield block
            block = file.read(FILE_BLOCK)
            if block:
                _raise_if_sign_in_ended(check)
    finally:
        file.close()


def to_csv(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    return b"".join(csv_blocks(headers, rows))


def csv_blocks(headers: Sequence[str], rows: Iterable[Sequence]) -> Iterator[bytes]:
    """The CSV (a BOM, the header, the rows) as blocks of ``CSV_BLOCK`` rows, each encoded as it
    is made: ``rows`` may be a generator (a year's roster), never held whole.

    An error while the rows are made after a block has been sent (the status line and the first
    rows are out: no error page can follow) ends the file with a last line saying it broke off
    after so many rows and is incomplete, then raises again: the server logs it and closes the
    connection without the end of the chunked body, so the browser marks the download failed,
    and a file kept all the same says on its last line that it is not whole. An error before
    the first block is sent is raised as it is (``download`` makes that block in the view: the
    error page).

    Before each block but the first the sign-in of the request is asked again
    (``lms.auth.session_check``, one query): once it has ended (signed out in another tab,
    deactivated, the role taken away, the sessions ended) no further row is made; the file ends with
    a last line saying so, and ``SignInEnded`` is raised, breaking the download off as an error does."""
    check = for_this_request()
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in headers])
    safe = _download_memo(csv_safe)
    n = sent = 0
    try:
        for n, row in enumerate(rows, start=1):
            writer.writerow([safe(v) for v in row])
            if n % CSV_BLOCK == 0:
                yield out.getvalue().encode("utf-8")
                sent = n
                out.seek(0)
                out.truncate()
                if check is not None and (ended := check.ended()) is not None:
                    writer.writerow([stopped_line(sent)])
                    yield out.getvalue().encode("utf-8")
                    raise ended
    except SignInEnded:
        raise
    except Exception:
        if not sent:
            raise
        out.seek(0)
        out.truncate()
        writer.writerow([broken_off_line(sent)])
        yield out.getvalue().encode("utf-8")
        raise
    yield out.getvalue().encode("utf-8")


def broken_off_line(rows: int) -> str:
    """The last line of a CSV whose making failed after ``rows`` rows were sent."""
    return ngettext("The download broke off after %(num)d row because of an error on the server: this file is "
                    "incomplete. Download it again.",
                    "The download broke off after %(num)d rows because of an error on the server: this file is "
                    "incomplete. Download it again.", rows)


def stopped_line(rows: int) -> str:
    """The last line of a CSV stopped after ``rows`` rows because the sign-in ended meanwhile."""
    return ngettext("The download was stopped after %(num)d row because your sign-in ended (signed out, "
                    "deactivated, role removed or sessions ended): this file is incomplete. Sign in again to "
                    "download it.",
                    "The download was stopped after %(num)d rows because your sign-in ended (signed out, "
                    "deactivated, role removed or sessions ended): this file is incomplete. Sign in again to "
                    "download it.", rows)


def _rows_while_signed_in(rows: Iterable[Sequence], check: SignInCheck | None) -> Iterator[Sequence]:
    """``rows``, asking the sign-in again every ``CSV_BLOCK`` rows: an XLSX is written whole before
    its first byte is sent, and a large one takes a while. ``SignInEnded`` once it has ended."""
    for n, row in enumerate(rows, start=1):
        if n % CSV_BLOCK == 0:
            _raise_if_sign_in_ended(check)
        yield row


def to_xlsx(sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence], widths: dict[int, int] | None = None
            ) -> bytes:
    with xlsx_file(sheet_title, headers, rows, widths) as out:
        return out.read()


def xlsx_file(sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence],
              widths: dict[int, int] | None = None) -> IO[bytes]:
    """The workbook in a temporary file (at its start), for ``download``. ``rows``
    may be a generator: only the first ``WIDTH_SAMPLE`` rows are held (to fit
    the columns), the rest go to openpyxl's write-only sheet, which writes
    each row out as it comes, so a year's roster never sits in memory."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    rows = _rows_while_signed_in(rows, for_this_request())
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_UNSAFE_NAME.sub(" ", sheet_title).replace("[", "(").replace("]", ")")[:31])
    rows = iter(rows)
    first = list(itertools.islice(rows, WIDTH_SAMPLE))
    for column, width in {**fitted_widths(headers, first), **(widths or {})}.items():
        sheet.column_dimensions[_letter(column)].width = width
    sheet.freeze_panes = "A2"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE7F3")
    head = []
    for h in headers:
        # A header is text, always: openpyxl takes a string that starts with = for a formula, and a
        # header may carry a name someone typed (a quarter's or a dimension's), as a cell may.
        cell = WriteOnlyCell(sheet, value=shown_direction_characters(_ILLEGAL.sub("", str(h))))
        cell.data_type = "s"
        cell.font, cell.fill = bold, fill
        head.append(cell)
    sheet.append(head)
    day_format = date_format()
    # Each text cleaned once (a cell object is made anew for each value that needs one: openpyxl's
    # write-only sheet reuses a plain cell it is given for the values after it).
    text = _download_memo(xlsx_text)
    for row in itertools.chain(first, rows):
        sheet.append([_cell(sheet, v, WriteOnlyCell, day_format, text) for v in row])
    out = tempfile.TemporaryFile()
    try:
        book.save(out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def display_width(value) -> int:
    """How many character widths a value takes in Excel (a Chinese character two)."""
    text = value.isoformat() if isinstance(value, date) else str(value)
    longest = max(text.split("\n"), key=len) if text else ""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


def fitted_widths(headers: Sequence[str], rows: Sequence[Sequence], sample: int = WIDTH_SAMPLE) -> dict[int, int]:
    """Each column as wide as its header and its first rows need (8 to 60 characters)."""
    widths = {}
    for column, header in enumerate(headers, start=1):
        cells = [row[column - 1] for row in rows[:sample] if column - 1 < len(row) and row[column - 1] is not None]
        need = max([display_width(header), *(12 if isinstance(c, date) else display_width(c) for c in cells)])
        widths[column] = min(max(need + 2, 8), 60)
    return widths


def xlsx_text(value: str) -> str:
    """A text as a worksheet can hold it and shows it: without the control characters XML cannot
    carry (a vertical tab pasted from Excel into a name, an escape in a reason: openpyxl raised,
    and the whole download failed), a text-direction control written out."""
    return shown_direction_characters(_ILLEGAL.sub("", value))


def _cell(sheet, value, cell_class, day_format="yyyy-mm-dd", text=xlsx_text):
    """``text``: ``xlsx_text``, or the download's memo of it."""
    if isinstance(value, str):
        value = text(value)
        if value.startswith(FORMULA_STARTS):
            cell = cell_class(sheet, value=value)
            cell.data_type = "s"  # never a formula
            return cell
        return value
    if isinstance(value, datetime):  # stored in UTC: the bank's time, as the page shows it
        cell = cell_class(sheet, value=clock.local(value))
        cell.number_format = day_format + " hh:mm"
        return cell
    if isinstance(value, date):
        cell = cell_class(sheet, value=value)
        cell.number_format = day_format
        return cell
    return value


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)
