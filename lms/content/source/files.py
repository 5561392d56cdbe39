"""Reading the content folder without trusting it.

A symbolic link inside ``content/`` could point anywhere on the server
(``/etc/passwd``, ``instance/secret_key``), so nothing here follows one: the
folder is walked with ``os.walk`` (which never descends into a linked folder),
every entry is checked with ``lstat``, and files are opened with
``O_NOFOLLOW`` and must be regular files. A hard link is refused too: it is a
regular file with a second name, which may be ``/etc/passwd`` or the instance's
keys (on the same file system), so a file with more than one name
(``st_nlink > 1``) is never read. A named pipe, socket or device is never
opened for reading in a way that waits (``O_NONBLOCK``; a pipe with no writer
would hold the reader forever). All of them are reported as problems by the
parser, naming the file and what it is (``refusal``); they are never read.

Only *assets* are published and served: images and documents that a lesson,
course introduction or question links to (content/FORMAT.md). Question banks,
spreadsheets and any other file lying in a course folder are never stored.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import gettext as _

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
DOCUMENT_SUFFIXES = (".pdf", ".docx")
ASSET_SUFFIXES = IMAGE_SUFFIXES + DOCUMENT_SUFFIXES
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class NotARegularFile(OSError):
    """The path is a symbolic link, a folder, a device, a hard link... anything but a file with one name."""


def is_asset_name(path: str) -> bool:
    """An image or document by its name (what may be linked and served)."""
    return path.lower().endswith(ASSET_SUFFIXES)


# The first bytes of each image format a browser shows, and of those a Windows PC saves that it may not.
_SHOWN = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")
_NOT_SHOWN = ((b"BM", "BMP"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"\x01\x00\x00\x00", "EMF"),
              (b"\xd7\xcd\xc6\x9a", "WMF"))


def image_format_mismatch(name: str, data: bytes) -> str | None:
    """The format of an image whose bytes are not what its name says and that
    browsers may not show ("BMP": a Paint picture renamed 图1.png), or None."""
    if not name.lower().endswith(IMAGE_SUFFIXES):
        return None
    if data.startswith(_SHOWN) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return None
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "HEIC"
    return next((kind for magic, kind in _NOT_SHOWN if data.startswith(magic)), None)


def max_asset_bytes() -> int:
    """Assets get the limit of uploads (``LMS_MAX_UPLOAD_MB``)."""
    if has_app_context():
        return int(current_app.config.get("MAX_CONTENT_LENGTH") or DEFAULT_MAX_BYTES)
    return DEFAULT_MAX_BYTES


def is_link(path: Path) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False


def is_plain_dir(path: Path) -> bool:
    """A folder that is not a symbolic link."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _single(info: os.stat_result) -> bool:
    """A regular file with one name: not a hard link to a file elsewhere."""
    return stat.S_ISREG(info.st_mode) and info.st_nlink == 1


def is_plain_file(path: Path) -> bool:
    """A regular file that is neither a symbolic link nor a hard link."""
    try:
        return _single(os.lstat(path))
    except OSError:
        return False


def refusal(path: Path) -> str:
    """Why ``path`` is not read, in words a trainer can act on (its kind:
    symbolic link, hard link, named pipe, socket, device)."""
    try:
        info = os.lstat(path)
    except OSError:
        return _("the file cannot be read (it was removed or is not readable)")
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        return _("a symbolic link: links are never followed (put the file itself in the folder)")
    if stat.S_ISREG(mode) and info.st_nlink > 1:
        return _("a hard link (the file has %(count)d names, one of them may be anywhere on the server): only "
                 "files of the folder's own are read; put a copy of the file in the folder instead",
                 count=info.st_nlink)
    if stat.S_ISREG(mode):
        return _("the file cannot be read (it was removed or is not readable)")
    if stat.S_ISDIR(mode):
        return _("a folder where a file is expected")
    kind = _("a named pipe") if stat.S_ISFIFO(mode) else _("a socket") if stat.S_ISSOCK(mode) else _("a device")
    return _("not a file but %(kind)s: only files are read; remove it from the folder", kind=kind)


def link_on_path(root: Path, target: Path) -> Path | None:
    """The first symbolic link among ``target`` and its folders below ``root``
    (``target`` given without resolving links), or None."""
    current = root
    for part in target.relative_to(root).parts:
        current = current / part
        if is_link(current):
            return current
    return None


def read_bytes(path: Path) -> bytes:
    """The bytes of a regular file with one name, never through a symbolic
    link (the last component is opened with O_NOFOLLOW; the folders above it
    are walked without following links by ``walk``) nor a hard link, and
    never waiting on a named pipe (O_NONBLOCK). ``NotARegularFile`` otherwise:
    ``refusal`` says why."""
    if not _single(os.lstat(path)):  # a device is not even opened (opening some does something)
        raise NotARegularFile(str(path))
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if not _single(os.fstat(fd)):
            raise NotARegularFile(str(path))
        chunks = []
        while chunk := os.read(fd, 1024 * 1024):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def walk(folder: Path) -> tuple[list[Path], list[Path]]:
    """(regular files, symbolic links, hard links and other non-files) under
    ``folder``, hidden names left out, sorted. Linked folders are listed, never entered."""
    files: list[Path] = []
    odd: list[Path] = []
    for directory, subdirs, names in os.walk(folder):
        kept = []
        for name in subdirs:
            if name.startswith("."):
                continue
            if is_link(Path(directory, name)):
                odd.append(Path(directory, name))
            else:
                kept.append(name)
        subdirs[:] = kept
        for name in names:
            if name.startswith("."):
                continue
            path = Path(directory, name)
            (files if is_plain_file(path) else odd).append(path)
    return sorted(files), sorted(odd)
