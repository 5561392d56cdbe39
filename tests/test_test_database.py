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


def test_a_copy_restored_gives_back_its_rows_and_ids_where_they_stood(app, make_branch, make_user):
    """tests/snapshots.py, as load_demo_copy and the access matrix use it: a
    restored copy has the rows it was taken with, not the ones added since, and
    its next ids follow the copy's (PostgreSQL: rows copied within the
    database, sequences put back)."""
    from tests import snapshots
    from tests.conftest import _TMP

    first = make_branch("B01")
    make_user(branch=first)
    snapshot = snapshots.take(_TMP)
    make_branch("B02")
    make_user(employee_no="later")
    snapshots.restore(snapshot)
    assert db.session.scalars(select(Branch.code)).all() == ["B01"]
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert (make_branch("B03").id, make_user(employee_no="after").id) == (2, 2)
    snapshots.restore(snapshot)  # a copy serves again and again
    assert db.session.scalars(select(Branch.code)).all() == ["B01"]
    snapshots.discard(snapshot)


@pytest.mark.parametrize("turn", ["first", "second"])
def test_each_apps_routes_build_and_match_their_ids(app, turn):
    """Every test's app parses its routes from the test process's memo
    (conftest._memoise_rule_parsing); each app's converters are its own and an
    id beyond an INTEGER column is still refused by the one it matches with."""
    from flask import url_for

    from lms import create_app
    from tests.conftest import BASE_CONFIG

    other = create_app(dict(BASE_CONFIG))
    for each in (app, other):
        with each.test_request_context():
            address = url_for("org.person", user_id=42)
        adapter = each.url_map.bind("localhost")
        assert adapter.match(address) == ("org.person", {"user_id": 42})
        rule = next(each.url_map.iter_rules("org.person"))
        assert all(converter.map is each.url_map for converter in rule._converters.values())
    from werkzeug.exceptions import NotFound

    with pytest.raises(NotFound):
        app.url_map.bind("localhost").match(address.replace("42", str(2**31)))


@pytest.mark.real_clock  # it sets the machine's time itself: not moved past midnight by the fixture
def test_a_demo_copy_serves_later_tests_as_a_load_just_now_would(app, monkeypatch):
    """conftest.load_demo_copy with the clock running: a copy restored twenty
    minutes after its load shows the demo a load ending now would leave (the
    test's clock at the moment the copy's load ended, so 'an hour ago' in the
    demo is still an hour ago), and with another password the demo people sign
    in with that one; neither loads the demo again."""
    from datetime import datetime, timedelta

    import lms.clock
    import tests.conftest as conftest
    from lms.auth.passwords import check_password, hash_password

    class RealTime(datetime):  # the machine's clock, moved by the test
        at = datetime(2026, 3, 2, 4, 0)  # 12:00 in Shanghai

        @classmethod
        def now(cls, tz=None):
            return cls.at.replace(tzinfo=tz)

    monkeypatch.setattr(lms.clock, "datetime", RealTime)
    monkeypatch.setattr(conftest, "_DEMO_COPIES", {})
    loads = []

    def load_demo(password):
        loads.append(password)
        db.session.add(Branch(code="B01", name=lms.clock.now().isoformat()))  # stamped with the load's moment
        db.session.add(User(employee_no="demo", name="演示", password_hash=hash_password(password)))
        RealTime.at += timedelta(seconds=35)  # a load takes a while
        db.session.commit()
        return [("demo", "演示", ("learner",))]

    monkeypatch.setattr("lms.demo.load_demo", load_demo)
    assert conftest.load_demo_copy("first-Pass-1") == [("demo", "演示", ("learner",))]
    loaded_at = datetime.fromisoformat(db.session.scalar(select(Branch.name)))
    assert lms.clock.now() == loaded_at + timedelta(seconds=35)
    conftest.leave_database_empty()
    lms.clock.reset()

    RealTime.at += timedelta(minutes=20)  # a later test on the same worker
    assert conftest.load_demo_copy("second-Pass-2") == [("demo", "演示", ("learner",))]
    assert loads == ["first-Pass-1"]
    assert db.session.scalar(select(Branch.name)) == loaded_at.isoformat()
    assert lms.clock.now() == loaded_at + timedelta(seconds=35)
    RealTime.at += timedelta(seconds=5)
    assert lms.clock.now() == loaded_at + timedelta(seconds=40)  # and runs on from there
    user = db.session.scalar(select(User))
    assert check_password(user.password_hash, "second-Pass-2")
    assert not check_password(user.password_hash, "first-Pass-1")


def test_every_demo_group_names_tests_that_start_from_the_demo():
    """conftest.DEMO_GROUPS (one worker per kind of demo copy under ``--dist
    loadgroup``): a file renamed or a test moved would leave its group
    silently; each place is a test file that loads a demo copy, or a test of
    one that does."""
    from pathlib import Path

    from tests.conftest import DEMO_GROUPS

    root = Path(__file__).resolve().parent.parent
    wrong = []
    for group, places in DEMO_GROUPS.items():
        for place in places:
            path, _, test = place.partition("::")
            source = (root / path).read_text(encoding="utf-8") if (root / path).is_file() else ""
            if "load_demo_copy(" not in source or (test and f"def {test}(" not in source):
                wrong.append(f"{group}: {place}")
    assert not wrong, "DEMO_GROUPS names places that load no demo copy: " + ", ".join(wrong)
