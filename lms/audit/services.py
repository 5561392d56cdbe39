"""Recording and verifying the audit log.

Every status change HR or an auditor cares about goes through ``record()``. The
event joins the caller's transaction, so it is written exactly when the change
it describes is committed, and never without it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import select, text

from lms import clock
from lms.audit.models import GENESIS, AuditEvent
from lms.extensions import db

# Any constant: the key of the PostgreSQL advisory lock that serialises appends.
_PG_LOCK_KEY = 7_340_221


def _current_actor():
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user
    return None


def record(action: str, obj=None, *, object_type: str = "", object_id: str | int = "",
           actor=None, actor_label: str | None = None, **details) -> AuditEvent:
    """Append an event to the chain in the current transaction."""
    if obj is not None:
        object_type = object_type or obj.__class__.__name__.lower()
        object_id = object_id or getattr(obj, "id", "")
    actor = actor if actor is not None else _current_actor()
    if actor_label is None:
        actor_label = f"{actor.employee_no} {actor.name}" if actor is not None else "system"

    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    # On SQLite the transaction began IMMEDIATE and already holds the write lock.
    last = db.session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    event = AuditEvent(
        seq=(last.seq + 1) if last else 1,
        at=clock.now(),
        actor_id=actor.id if actor is not None else None,
        actor_label=actor_label,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        details=json.dumps(details, sort_keys=True, ensure_ascii=False, default=str),
        prev_hash=last.hash if last else GENESIS,
    )
    event.hash = event.compute_hash()
    db.session.add(event)
    db.session.flush()
    return event


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problem: str = ""
    seq: int | None = None


def verify() -> VerifyResult:
    """Walk the chain; report the first event that was altered, removed or inserted."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    rows = db.session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()
    for event in rows:
        if event.seq != expected_seq:
            return VerifyResult(False, checked, f"event {expected_seq} is missing", expected_seq)
        if event.prev_hash != prev_hash:
            return VerifyResult(False, checked, f"event {event.seq} does not link to the event before it", event.seq)
        if event.compute_hash() != event.hash:
            return VerifyResult(False, checked, f"event {event.seq} was altered", event.seq)
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    return VerifyResult(True, checked)
