"""An uploaded XLSX is a zip: checked before openpyxl reads it.

A workbook of a few hundred kilobytes can hold a sheet that inflates to
gigabytes of XML (a zip bomb); openpyxl would parse all of it, one request
taking a worker's memory and minutes of its time. The sizes a zip declares
for its members are what ``zipfile`` will inflate at most (past it the read
fails its CRC check), so their sum bounds the work before any of it starts.
"""
from __future__ import annotations

import io
import zipfile

from flask_babel import gettext as _

# Far above any real question bank or people list (a 5,000-question sheet is a few MB of XML).
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_MEMBERS = 10_000


def unpacked_problem(data: bytes) -> str | None:
    """Why this XLSX is refused before it is read (None: read it). A file
    that is not a zip at all is left to the reader, which says so."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    unpacked = sum(info.file_size for info in members)
    if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED_BYTES:
        return _("The workbook unpacks to %(mb)d MB (at most %(max)d MB): it cannot be an ordinary table. "
                 "Save the sheet again as a new Excel workbook (.xlsx).",
                 mb=unpacked // (1024 * 1024), max=MAX_UNPACKED_BYTES // (1024 * 1024))
    return None
