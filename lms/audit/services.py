"""Recording and verifying the audit log.

Every status change HR or an auditor cares about goes through ``record()``. The
event joins the caller's transaction, so it is written exactly when the change
it describes is committed, and never without it.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass

from flask import has_app_context, has_request_context
from flask_login import current_user
from sqlalchemy import event as sa_event
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from lms import clock
from lms.audit import anchor
from lms.audit.models import FULL_OBJECT_ID, GENESIS, OBJECT_ID_MAX, AuditEvent, payload_text
from lms.extensions import db

_HEAD = "audit_head"  # Session.info key: the newest event written in the transaction
_BATCH = "audit_batch"  # Session.info key: the rows of an ``appended_together`` block, written at its end

# Any constant: the key of the PostgreSQL advisory lock that serialises appends.
_PG_LOCK_KEY = 7_340_221


def lock_the_log() -> None:
    """Take the lock an append takes, now: a transaction that will audit takes
    it before any row lock, so every transaction that writes and audits locks
    in one order (PostgreSQL; on SQLite ``BEGIN IMMEDIATE`` already holds the
    database's write lock, and this does nothing)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})


def _current_actor():
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user
    return None


# Pass as ``actor`` for what the system does by itself (an automatic issue)
# inside somebody's request: no actor, not the signed-in user.
SYSTEM = object()


def record(action: str, obj=None, *, object_type: str = "", object_id: str | int = "",
           actor=None, actor_label: str | None = None, **details) -> AuditEvent:
    """Append an event to the chain in the current transaction."""
    if obj is not None:
        object_type = object_type or obj.__class__.__name__.lower()
        object_id = object_id or getattr(obj, "id", "")
    [row] = _chained(action, object_type, [(object_id, details)], actor=actor, actor_label=actor_label)
    event = AuditEvent(**row)
    if _BATCH not in db.session.info:  # in a batch the row is written at its end
        db.session.add(event)
        db.session.flush()
    return event


def record_many(action: str, object_type: str, events: list[tuple[str | int, dict]], *,
                actor=None, actor_label: str | None = None) -> None:
    """Append one event per (object id, details) to the chain in the current
    transaction, in that order: the chain's head is read once and the events
    written with one statement (a re-grade of thousands of attempts, a people
    import). They are rows, not objects of the session: building thousands of
    ``AuditEvent`` objects took longer than hashing and writing them."""
    if events:
        rows = _chained(action, object_type, events, actor=actor, actor_label=actor_label)
        if _BATCH not in db.session.info:
            db.session.execute(insert(AuditEvent), rows)


@contextmanager
def appended_together():
    """Within the block, ``record`` and ``record_many`` link their events to the
    chain in memory, and the block's end writes them all with one INSERT: the
    services a people import calls row by row read the head once and write
    once, not twice per event. Nothing inside may read the log back."""
    info = db.session.info
    if _BATCH in info:  # inside another batch: that one writes
        yield
        return
    info[_BATCH] = []
    try:
        yield
        if info[_BATCH]:
            db.session.execute(insert(AuditEvent), info[_BATCH])
    finally:
        info.pop(_BATCH, None)


def _chained(action: str, object_type: str, events: list[tuple[str | int, dict]], *,
             actor, actor_label: str | None) -> list[dict]:
    """The rows of ``events``, each linked to the one before it from the chain's
    head (read under the log's lock, or the last of the batch in progress),
    which they become in this transaction."""
    actor = None if actor is SYSTEM else actor if actor is not None else _current_actor()
    if actor_label is None:
        actor_label = f"{actor.employee_no} {actor.name}" if actor is not None else "system"
    batch = db.session.info.get(_BATCH)
    if batch:
        seq, prev_hash = batch[-1]["seq"], batch[-1]["hash"]
    else:
        lock_the_log()  # on SQLite the transaction began IMMEDIATE and already holds the write lock
        last = db.session.execute(
            select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
        ).first()
        seq, prev_hash = (last.seq, last.hash) if last else (0, GENESIS)
    rows = []
    for object_id, details in events:
        object_id = str(object_id or "")
        if len(object_id) > OBJECT_ID_MAX:  # the whole id in the details, the column's part marked as cut
            details = {**details, FULL_OBJECT_ID: object_id}
            object_id = object_id[:OBJECT_ID_MAX - 1] + "…"
        row = dict(seq=seq + 1, at=clock.now(), actor_id=actor.id if actor is not None else None,
                   actor_label=actor_label, action=action, object_type=object_type, object_id=object_id,
                   details=json.dumps(details, sort_keys=True, ensure_ascii=False, default=str), prev_hash=prev_hash)
        row["hash"] = anchor.keyed_hash(payload_text(row))
        seq, prev_hash = row["seq"], row["hash"]
        rows.append(row)
    if batch is not None:
        batch.extend(rows)
    db.session.info[_HEAD] = (seq, prev_hash, rows[-1]["at"].isoformat(timespec="seconds"))
    return rows


@sa_event.listens_for(Session, "after_commit")
def _record_head(session):
    head = session.info.pop(_HEAD, None)
    if head is not None and has_app_context():
        anchor.record_head(*head)


@sa_event.listens_for(Session, "after_rollback")
def _forget_head(session):
    session.info.pop(_HEAD, None)


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problem: str = ""
    seq: int | None = None
    head: tuple[int, str] | None = None  # (seq, hash) of the last event, for the operator to record


def verify(expect: tuple[int, str] | None = None) -> VerifyResult:
    """Walk the chain; report the first event that was altered, removed or
    inserted, an event not keyed with the audit key (a chain recomputed without
    it), and a chain shorter than, or different from, the head recorded outside
    the database (``anchor``) or the head ``expect`` an operator noted."""
    recorded = anchor.read_head()
    legacy_through = recorded.get("legacy_through", 0)
    checks = {int(recorded["seq"]): recorded["hash"]} if recorded.get("seq") else {}
    if legacy_through:
        checks[int(legacy_through)] = recorded["legacy_hash"]
    if expect:
        checks[int(expect[0])] = expect[1]
    prev_hash, expected_seq, checked, last = GENESIS, 1, 0, None
    for event in db.session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars():
        if event.seq != expected_seq:
            return VerifyResult(False, checked, f"event {expected_seq} is missing", expected_seq)
        if event.prev_hash != prev_hash:
            return VerifyResult(False, checked, f"event {event.seq} does not link to the event before it", event.seq)
        payload = event.payload()
        if event.hash != anchor.keyed_hash(payload):
            unkeyed = event.hash == anchor.plain_hash(payload)
            if not (unkeyed and event.seq <= legacy_through):
                return VerifyResult(False, checked, _unkeyed_problem(event.seq, legacy_through) if unkeyed
                                    else f"event {event.seq} was altered (or the audit key is not the one it was written with)",
                                    event.seq)
        if event.seq in checks and checks[event.seq] != event.hash:
            return VerifyResult(False, checked, f"event {event.seq} differs from the head recorded outside the "
                                "database: the chain was rewritten", event.seq)
        prev_hash, last = event.hash, (event.seq, event.hash)
        expected_seq += 1
        checked += 1
    beyond = [seq for seq in checks if seq > checked]
    if beyond:
        return VerifyResult(False, checked, f"the log ends at event {checked}, but event {max(beyond)} was recorded: "
                            f"events {checked + 1}–{max(beyond)} were removed", checked + 1, last)
    return VerifyResult(True, checked, head=last)


def _unkeyed_problem(seq: int, legacy_through: int) -> str:
    if legacy_through:
        return (f"event {seq} is hashed without the audit key, after the adopted unkeyed events (1–{legacy_through}): "
                "the chain was recomputed by someone without the key")
    return (f"event {seq} is hashed without the audit key: either the chain was recomputed by someone without the "
            "key, or it was written before the key existed — then check it once and adopt it with "
            "`flask audit adopt-legacy`")


def adopt_legacy() -> VerifyResult:
    """Accept the unkeyed events of a chain written before the audit key (they
    must link and match their plain SHA-256): records the last of them in the
    head file; from then on only keyed events may follow it."""
    prev_hash, checked, last = GENESIS, 0, None
    for event in db.session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars():
        payload = event.payload()
        if event.hash == anchor.keyed_hash(payload):
            break
        if event.seq != checked + 1 or event.prev_hash != prev_hash or event.hash != anchor.plain_hash(payload):
            return VerifyResult(False, checked, f"event {checked + 1} is missing, altered or out of the chain",
                                checked + 1)
        prev_hash, last, checked = event.hash, (event.seq, event.hash), checked + 1
    if last is not None:
        anchor.record_legacy(*last)
    return VerifyResult(True, checked, head=last)
