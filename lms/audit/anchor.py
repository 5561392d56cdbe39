"""What the database cannot rewrite: the key of the audit chain and its head.

The chain is keyed: each event's hash is an HMAC-SHA256 with ``LMS_AUDIT_KEY``
(in development, a key kept in ``instance/audit_key``, made on first use). Who
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

import fcntl
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from flask import current_app


_FILE_KEYS: dict[str, bytes] = {}  # instance/audit_key, read once per process (a re-grade hashes 2,000 events)


def audit_key() -> bytes:
    key = current_app.config.get("AUDIT_KEY")
    if key:
        return key.encode() if isinstance(key, str) else key
    path = Path(current_app.instance_path) / "audit_key"
    known = _FILE_KEYS.get(str(path))
    if known is not None and path.exists():
        return known
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    _FILE_KEYS[str(path)] = key = path.read_text().strip().encode()
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
