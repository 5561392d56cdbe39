"""The test database itself (tests/conftest.py): each test starts on empty
tables whose ids count from 1 again, whatever the test before it left, and on
PostgreSQL its connections commit without waiting for the disk."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from lms.extensions import db
from lms.org.models import Branch, User


@pytest.mark.parametrize("turn", ["first", "second", "third"])
def test_every_test_starts_on_empty_tables_with_ids_from_one(app, make_branch, make_user, turn):
    """Run in a row on one worker, the second and third turns start where the
    first left: rows in two tables, and a sequence moved by a rolled-back insert."""
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert db.session.scalar(select(func.count()).select_from(Branch)) == 0
    branch = make_branch("B01")
    user = make_user(branch=branch)
    assert (branch.id, user.id) == (1, 1)
    db.session.add(Branch(code="B02", name="回滚的支行"))
    db.session.flush()
    db.session.rollback()  # the sequence has moved on; the next test's ids start at 1 all the same


def test_postgresql_test_connections_do_not_wait_for_the_disk_at_commit(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's test databases commit without an fsync already (WAL, synchronous=NORMAL)")
    assert db.session.scalar(text("SHOW synchronous_commit")) == "off"
