"""Writing a file of the curriculum from the browser (the console's editor, the
schedule's programme and exam files): atomically, through a temporary file beside
it, and put back as it was when what was written is not published."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from flask_babel import gettext as _

from lms.content.console import unwritable
from lms.content.publishing.publish import ContentProblems
from lms.content.schema import Problem
from lms.content.source import files as source_files


class EditRefused(Exception):
    """Publishing an edit was refused; ``problems`` say why, with file:line."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


def write_and_publish(real: Path, path: str, text: str, publish_it):
    """Write ``text`` to the file ``real`` (``path``, as the trainer names it), then
    ``publish_it()``. A write that fails (a full disk) changes nothing; a publish refused
    or failing puts the file back as it was (or removes it, when it is new)."""
    old = source_files.read_bytes(real) if source_files.is_plain_file(real) else None
    try:
        write_atomically(real, text.encode("utf-8"))
    except OSError as exc:  # the temporary file is gone, the file as it was
        raise EditRefused(unwritable.message(exc, path)) from None
    try:
        return publish_it()
    except ContentProblems as refused:
        restore(real, old)
        raise EditRefused(_("Nothing was published: fix the problems first."), refused.problems) from None
    except BaseException:
        restore(real, old)
        raise


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".edit-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def restore(path: Path, old: bytes | None) -> None:
    if old is None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    else:
        write_atomically(path, old)
