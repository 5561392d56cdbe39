"""Uploads kept between a preview and its confirmation ("stage an upload under a token").

A staging area is a folder under the instance folder (``instance/<name>/``);
each upload gets a folder of its own named by a random token, holding
``meta.json`` (who staged it, what it is) and, when given, the uploaded bytes
(``upload``). The token travels through the page to the confirmation; only
well-formed tokens are looked up, a staging that is (or whose files are) a
symbolic link is never followed, and stagings older than the area's lifetime
are swept whenever a new one is made.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
META = "meta.json"
UPLOAD = "upload"
CLAIMED = "claimed"  # made by the confirmation that applies it (StagingArea.claim)


class NotStaged(OSError):
    """The upload could not be kept (a full disk, a folder the app may not
    write); nothing of it is left. The error page says so (``lms.errors``)."""


@dataclass(frozen=True)
class Staged:
    """One staged upload: its folder, its metadata and (if any) the uploaded bytes."""

    token: str
    folder: Path
    meta: dict
    data: bytes | None


class StagingArea:
    """Stagings of one kind, kept for ``hours`` under ``instance/<name>/``."""

    def __init__(self, name: str, hours: float):
        self.name, self.hours = name, hours

    def root(self) -> Path:
        path = Path(current_app.instance_path) / self.name
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        return path

    def sweep(self) -> None:
        """Remove stagings older than the area's lifetime (links are removed, never followed)."""
        cutoff = time.time() - self.hours * 3600
        for path in self.root().iterdir():
            with contextlib.suppress(OSError):
                info = path.lstat()
                if info.st_mtime >= cutoff:
                    continue
                if stat.S_ISDIR(info.st_mode):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)

    def stage(self, meta: dict | None = None, data: bytes | None = None) -> tuple[str, Path]:
        """A new staging with a random token; returns (token, its folder).
        ``meta`` and ``data`` are written now if given (see ``write_meta``)."""
        token = secrets.token_urlsafe(24)  # 32 characters
        folder = None
        try:
            self.sweep()
            folder = self.root() / token
            folder.mkdir(mode=0o700)
            if data is not None:
                _write(folder / UPLOAD, data)
        except OSError as exc:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)  # never half an upload
            raise NotStaged(exc.errno, exc.strerror) from exc
        if meta is not None:
            self.write_meta(token, meta)
        return token, folder

    def write_meta(self, token: str, meta: dict) -> None:
        """The staging's metadata; on a failure (a full disk) the whole staging is removed (NotStaged)."""
        folder = self.folder(token)
        if folder is None:
            raise FileNotFoundError(token)
        try:
            _write(folder / META, json.dumps(meta, ensure_ascii=False).encode("utf-8"))
        except OSError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            raise NotStaged(exc.errno, exc.strerror) from exc

    def rewrite_meta(self, token: str, meta: dict) -> None:
        """The staging's metadata replaced (a new file moved over the old one, never written through it)."""
        folder = self.folder(token)
        if folder is None:
            raise FileNotFoundError(token)
        fresh = folder / f"{META}.{secrets.token_hex(8)}"
        _write(fresh, json.dumps(meta, ensure_ascii=False).encode("utf-8"))
        os.replace(fresh, folder / META)

    def folder(self, token: str | None) -> Path | None:
        """The staging's folder, or None for a malformed or unknown token or a symbolic link."""
        if not token or not TOKEN.fullmatch(token):
            return None
        path = self.root() / token
        try:
            info = path.lstat()
        except OSError:
            return None
        return path if stat.S_ISDIR(info.st_mode) else None

    def open(self, token: str | None) -> Staged | None:
        """The staged upload, or None if the token is malformed, unknown, swept, has
        no metadata yet, or any of its files is a symbolic link."""
        folder = self.folder(token)
        if folder is None:
            return None
        try:
            meta = json.loads(_read(folder / META))
            data = _read(folder / UPLOAD) if os.path.lexists(folder / UPLOAD) else None
        except (OSError, ValueError):
            return None
        if not isinstance(meta, dict):
            return None
        return Staged(token, folder, meta, data)

    def claim(self, token: str | None) -> bool:
        """Take the staging for its one confirmation: True for the first caller
        only (a file created exclusively, so also between two app processes);
        False for a second click or tab, or an unknown token."""
        folder = self.folder(token)
        if folder is None:
            return False
        try:
            _write(folder / CLAIMED, b"")
        except OSError:  # FileExistsError: claimed already
            return False
        return True

    def discard(self, token: str | None) -> None:
        folder = self.folder(token)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def _write(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _read(path: Path) -> bytes:
    # O_NOFOLLOW: a link planted in place of a staged file is refused (ELOOP), not read.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as source:
        return source.read()
