"""Files a command writes for the person who runs it alone: the initial
passwords of imported people, a question bank with its answer keys.

The path is the operator's, often somewhere shared such as ``/tmp``, so it is
not trusted: a symbolic link there (to ``/etc/passwd``, to the database file),
a hard link, a named pipe or a file another account owns is refused, not
written through; the file is made readable by its owner only (0600) before a
byte is written, never after. ``claim`` is called before the command changes
anything, so that a refused path refuses the whole command.
"""
from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path


class Refused(OSError):
    """The path is not a plain file of ours that only we may read."""


def claim(path: Path) -> int:
    """An open descriptor on ``path`` (created if missing), mode 0600, or
    Refused / OSError with the reason."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        if os.path.islink(path):
            raise Refused(f"{path} is a symbolic link; give the name of a new file") from exc
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"{path} is not a plain file")
        if info.st_uid != os.geteuid():
            raise Refused(f"{path} belongs to another account; give the name of a new file")
        if info.st_nlink != 1:
            raise Refused(f"{path} has other names (a hard link); give the name of a new file")
        os.fchmod(fd, 0o600)
    except BaseException:
        os.close(fd)
        raise
    return fd


def write(fd: int, path: Path, data: bytes) -> None:
    """``data`` as the whole file; on a failure (a full disk) the file is
    removed, never left half-written, and the OSError raised. Closes ``fd``."""
    try:
        os.ftruncate(fd, 0)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    finally:
        os.close(fd)


def write_new(path: Path, data: bytes) -> None:
    """``claim`` and ``write`` in one step."""
    write(claim(path), path, data)
