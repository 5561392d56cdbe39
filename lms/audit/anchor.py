"""What the database cannot rewrite: the key of the audit chain and its head.

The chain is keyed: each event's hash is an HMAC-SHA256 with ``LMS_AUDIT_KEY``
(in development, a key kept in ``instance/audit_key``, made on first use; in
production its absence stops the app at start-up: ``check_key``). Who
can write to the database but does not hold the key cannot recompute a chain
that verifies.

The head (the number of the last event and its hash) is kept in a file outside
the database (``instance/audit_head.json``, ``LMS_AUDIT_HEAD_FILE``), updated
after every commit that wrote events, so that deleting the newest events (which
leaves a chain that links) is found. ``flask audit verify`` prints the head so
that operators can record it elsewhere too.

Chains written before the key existed (plain SHA-256) are accepted up to the
event an operator adopted with ``flask audit adopt-legacy`` (recorded in the
head file); every later event must be keyed.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import stat
import tempfile
from pathlib import Path

from flask import current_app

from lms.config import ConfigError, private_folder


_FILE_KEYS: dict[str, bytes] = {}  # instance/audit_key, read once per process (a re-grade hashes 2,000 events)
KEY_FILE_MODE = 0o600


def check_key(app) -> None:
    """At start-up (``create_app``): where the environment names the database
    (``AUDIT_KEY_REQUIRED``: production's environment file, every ``flask``
    command run with it) the audit key must come from ``LMS_AUDIT_KEY``; without
    it the app does not start, saying so. A key made on the spot would key
    this process's events with a key no other process has, and the chain
    would no longer verify. Debug servers and tests may make one (``audit_key``)."""
    if app.config.get("AUDIT_KEY") or not app.config.get("AUDIT_KEY_REQUIRED") or app.debug or app.testing:
        return
    raise ConfigError(
        "LMS_AUDIT_KEY is not set. It keys the audit log's hash chain and must be the same on every process "
        "(the server and every flask command): set it in the environment file beside DATABASE_URL (README, "
        "Production). A key is made under instance/ only for a development database (no DATABASE_URL) or "
        "with FLASK_DEBUG=1.")


def _file_key(path: Path) -> bytes:
    """The development key in ``path`` (instance/audit_key), made once with
    mode 0600 in a folder kept 0700 (``lms.config.private_folder``): written
    whole to a temporary file first and then given its name, so that a second
    process starting at the same moment reads the first one's key, never half
    of it. Never read through a link; a key file others may read is tightened."""
    private_folder(path.parent)
    if not os.path.lexists(path):
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".audit_key.")  # 0600
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):  # another process made it first: theirs is the key
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd) as kept:
        info = os.fstat(kept.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{path} is not a plain file: remove it (a new key is made) or set LMS_AUDIT_KEY")
        if stat.S_IMODE(info.st_mode) & 0o077:
            os.fchmod(kept.fileno(), KEY_FILE_MODE)
        key = kept.read().strip()
    if not key:
        raise ConfigError(f"{path} is empty: remove it (a new key is made) or set LMS_AUDIT_KEY")
    return key.encode()


def audit_key() -> bytes:
    """``LMS_AUDIT_KEY``; without it (development, ``check_key``) the key in instance/audit_key."""
    key = current_app.config.get("AUDIT_KEY")
    if key:
        return key.encode() if isinstance(key, str) else key
    path = Path(current_app.instance_path) / "audit_key"
    known = _FILE_KEYS.get(str(path))
    if known is not None and path.exists():
        return known
    _FILE_KEYS[str(path)] = key = _file_key(path)
    return key


def keyed_hash(payload: str) -> str:
    return hmac.new(audit_key(), payload.encode("utf-8"), hashlib.sha256).hexdigest()


def plain_hash(payload: str) -> str:
    """The unkeyed hash of chains written before the key existed."""
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def head_path() -> Path:
    configured = current_app.config.get("AUDIT_HEAD_FILE")
    return Path(configured) if configured else Path(current_app.instance_path) / "audit_head.json"


def read_head() -> dict:
    """{"seq", "hash", "at"} of the newest recorded head, and "legacy_through" /
    "legacy_hash" once an unkeyed chain was adopted; {} when nothing is recorded."""
    try:
        return json.loads(head_path().read_text())
    except FileNotFoundError:
        return {}


def _update(change) -> None:
    path = head_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # processes take turns; the file is replaced whole
        head = read_head()
        new = change(dict(head))
        if new == head:
            return
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps(new, sort_keys=True))
            os.replace(tmp, path)
        except OSError as exc:
            # After a commit: the change is in the database and its event in the chain, which
            # `flask audit verify` checks; the old head stays whole and the next event moves it on.
            tmp.unlink(missing_ok=True)
            current_app.logger.error("the audit log's head could not be recorded in %s: %s", path, exc)


def record_head(seq: int, hash_: str, at: str) -> None:
    """After a commit: the head moves forward only (another process may have
    committed a later event first)."""
    def change(head):
        if head.get("seq", 0) < seq:
            head.update(seq=seq, hash=hash_, at=at)
        return head

    _update(change)


def record_legacy(seq: int, hash_: str) -> None:
    def change(head):
        head.update(legacy_through=seq, legacy_hash=hash_)
        if head.get("seq", 0) < seq:
            head.update(seq=seq, hash=hash_)
        return head

    _update(change)
