"""Counting the SQL statements a page or a service reads: the tests that pin
"as many statements for 50 rows as for 5" share this."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from lms.extensions import db


@contextmanager
def counting_statements() -> Iterator[list[str]]:
    """The statements sent to the database inside the block, in order. The
    session's objects are expired first, so nothing is served from memory."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def statements_of(client, url: str) -> tuple[int, str]:
    """How many statements GET ``url`` reads, and the page (which must be a 200)."""
    with counting_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(statements), response.get_data(as_text=True)
