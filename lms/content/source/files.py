"""Reading the content folder without trusting it.

A symbolic link inside ``content/`` could point anywhere on the server
(``/etc/passwd``, ``instance/secret_key``), so nothing here follows one: the
folder is walked with ``os.walk`` (which never descends into a linked folder),
every entry is checked with ``lstat``, and files are opened with
``O_NOFOLLOW`` and must be regular files. Links are reported as problems by
the parser; they are never read.

Only *assets* are published and served: images and documents that a lesson,
course introduction or question links to (content/FORMAT.md). Question banks,
spreadsheets and any other file lying in a course folder are never stored.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from flask import current_app, has_app_context

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
DOCUMENT_SUFFIXES = (".pdf", ".docx")
ASSET_SUFFIXES = IMAGE_SUFFIXES + DOCUMENT_SUFFIXES
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class NotARegularFile(OSError):
    """The path is a symbolic link, a folder, a device... anything but a file."""


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


def is_plain_file(path: Path) -> bool:
    """A regular file that is not a symbolic link."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


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
    """The bytes of a regular file, never through a symbolic link (the last
    component is opened with O_NOFOLLOW; the folders above it are walked
    without following links by ``walk``)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotARegularFile(str(path))
        chunks = []
        while chunk := os.read(fd, 1024 * 1024):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def walk(folder: Path) -> tuple[list[Path], list[Path]]:
    """(regular files, symbolic links and other non-files) under ``folder``,
    hidden names left out, sorted. Linked folders are listed, never entered."""
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
