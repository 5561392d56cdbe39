"""Serial numbers (PREFIX-YEAR-NNNNNN, e.g. RMQ-2026-000042) and
verification codes.

The sequence is one counter row per (prefix, year), moved on by a single
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` in the transaction that
inserts the certificate. On PostgreSQL the statement locks the counter row
until that transaction ends, so a second issue waits for the first and reads
its number; on SQLite the issuing transaction holds the write lock already
(``transaction(immediate=True)``). A rolled-back issue rolls its number back:
no gaps, no duplicates."""
from __future__ import annotations

import secrets

from sqlalchemy.dialects import postgresql, sqlite

from lms.certificates.models import SerialCounter
from lms.extensions import db


def next_serial(prefix: str, year: int) -> str:
    """The next serial for ``prefix`` in ``year``; joins the caller's transaction."""
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    table = SerialCounter.__table__
    statement = (insert(table).values(prefix=prefix, year=year, last=1)
                 .on_conflict_do_update(index_elements=[table.c.prefix, table.c.year],
                                        set_={"last": table.c.last + 1})
                 .returning(table.c.last))
    number = db.session.execute(statement).scalar_one()
    return format_serial(prefix, year, number)


def format_serial(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:06d}"


def new_verify_code() -> str:
    """32 URL-safe characters from 24 random bytes (192 bits): unguessable."""
    return secrets.token_urlsafe(24)
