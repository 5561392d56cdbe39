"""The audit log: append-only events, each chained to the one before by a hash."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from lms.audit.anchor import keyed_hash
from lms.extensions import db

GENESIS = "0" * 64


# The object column's length. An id longer than that (a question bank's path: its name may have 80
# characters) is kept whole in the details under FULL_OBJECT_ID and cut with "…" in the column
# (``lms.audit.services.record_many``): PostgreSQL refused the row, and with it the action it records.
OBJECT_ID_MAX = 64
FULL_OBJECT_ID = "object_id"

PAYLOAD_COLUMNS = ("seq", "at", "actor_id", "actor_label", "action", "object_type", "object_id", "details",
                   "prev_hash")


def payload_text(event: dict) -> str:
    """The canonical text an event's hash covers, from its columns (``details`` as
    stored: JSON text); an event's row need not be an ``AuditEvent`` to be hashed."""
    return json.dumps(
        {
            "seq": event["seq"],
            "at": event["at"].isoformat(timespec="microseconds"),
            "actor_id": event["actor_id"],
            "actor_label": event["actor_label"],
            "action": event["action"],
            "object_type": event["object_type"],
            "object_id": event["object_id"],
            "details": json.loads(event["details"]),
            "prev_hash": event["prev_hash"],
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Gap-free sequence assigned under a lock; a missing number is a deleted event.
    seq: Mapped[int] = mapped_column(unique=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    actor_label: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(64), default="")
    object_id: Mapped[str] = mapped_column(String(OBJECT_ID_MAX), default="")
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    def payload(self) -> str:
        """The canonical text the hash covers."""
        return payload_text({column: getattr(self, column) for column in PAYLOAD_COLUMNS})

    def compute_hash(self) -> str:
        """HMAC-SHA256 of the payload with the audit key (``lms.audit.anchor``)."""
        return keyed_hash(self.payload())

    @property
    def details_dict(self) -> dict:
        return json.loads(self.details)


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(*_args):
    raise AppendOnlyError("audit events are append-only")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(*_args):
    raise AppendOnlyError("audit events are append-only")
