"""Every route × every role → the status a user of that role gets.

A route without a row fails ``test_every_route_has_a_row``: adding a route means
deciding, here, who may use it."""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import SimpleNamespace

import pytest

import tests.access as access_pkg
from tests.access import ROLES
from tests.conftest import sign_in

MODULES = [importlib.import_module(f"tests.access.{m.name}") for m in pkgutil.iter_modules(access_pkg.__path__)]
ROWS = {}
for _module in MODULES:
    for key, row in _module.ROWS.items():
        assert key not in ROWS, f"{key} has two rows"
        ROWS[key] = row


# The world is built once per worker and copied for every test (tests/snapshots.py):
# each test gets a fresh copy — database, audit head and content folder — and
# may change it freely. The world's clock runs (attempts started, check-ins held
# "now"), so a copy serves for WORLD_COPY_SECONDS at most, then a new one is built.
WORLD_COPY_SECONDS = 120
_WORLD_COPY: dict = {}


@pytest.fixture
def world(app, make_user, make_branch):
    from lms import clock

    kept = _WORLD_COPY.get("world")
    if kept is None or kept["day"] != clock.today() or \
            (clock.now() - kept["taken"]).total_seconds() > WORLD_COPY_SECONDS:
        if kept is not None:
            from tests import snapshots

            snapshots.discard(kept["snapshot"])
        kept = _WORLD_COPY["world"] = _build_and_keep(app, make_user, make_branch)
    return _copy_of(app, kept)


def _build_and_keep(app, make_user, make_branch) -> dict:
    from lms import clock
    from tests import snapshots
    from tests.conftest import _TMP

    config_before = dict(app.config)
    taken = clock.now()
    w = _build_world(make_user, make_branch)
    changed = {k: v for k, v in app.config.items() if k not in config_before or config_before[k] != v}
    content = Path(w.content_root)
    state = {k: _identities(v) for k, v in vars(w).items()}
    snapshot = snapshots.take(_TMP)
    assert snapshot is not None, "the access matrix's world could not be copied"
    return {"snapshot": snapshot, "state": state, "config": changed, "content": content,
            "day": clock.today(), "taken": taken}


def _identities(value):
    """ORM objects by (class, primary key), so that a copy loads them from its own database."""
    from sqlalchemy import inspect

    if hasattr(value, "_sa_instance_state"):
        return _Identity(type(value), inspect(value).identity)
    if isinstance(value, (list, tuple)):
        return type(value)(_identities(v) for v in value)
    return value


class _Identity(tuple):
    def __new__(cls, model, key):
        return super().__new__(cls, (model, key))


def _objects(value):
    from lms.extensions import db

    if isinstance(value, _Identity):
        return db.session.get(value[0], value[1])
    if isinstance(value, (list, tuple)):
        return type(value)(_objects(v) for v in value)
    return value


def _load_together(values) -> list:
    """The world's objects, one query per model instead of one per object
    (~40 round trips a test): they wait in the session, where ``_objects``
    finds them without going to the database."""
    from sqlalchemy import inspect, select

    from lms.extensions import db

    wanted: dict[type, set] = {}

    def collect(value):
        if isinstance(value, _Identity):
            wanted.setdefault(value[0], set()).add(value[1])
        elif isinstance(value, (list, tuple)):
            for v in value:
                collect(v)

    for value in values:
        collect(value)
    loaded = []
    for model, keys in wanted.items():
        primary_key = inspect(model).primary_key
        if len(primary_key) == 1:
            loaded += db.session.scalars(select(model).where(primary_key[0].in_([k[0] for k in keys]))).all()
    return loaded


def _copy_of(app, kept) -> SimpleNamespace:
    import shutil
    import tempfile

    from tests import snapshots

    snapshots.restore(kept["snapshot"])
    content = Path(tempfile.mkdtemp(prefix="lms-access-content-"))
    shutil.copytree(kept["content"], content, dirs_exist_ok=True)
    for key, value in kept["config"].items():
        app.config[key] = str(content) if value == str(kept["content"]) else value
    loaded = _load_together(kept["state"].values())  # held until each is found by _objects
    w = SimpleNamespace(**{k: _objects(v) for k, v in kept["state"].items()})
    w.content_root = content
    del loaded
    return w


def _build_world(make_user, make_branch) -> SimpleNamespace:
    branch = make_branch("W01", "矩阵支行")
    w = SimpleNamespace(branch=branch)
    w.learner = make_user(("learner",), employee_no="m-learner", branch=branch)
    w.other_learner = make_user(("learner",), employee_no="m-other", branch=branch)
    w.mentor = make_user(("mentor", "learner"), employee_no="m-mentor", branch=branch)
    w.trainer = make_user(("trainer",), employee_no="m-trainer", branch=branch)
    w.hr = make_user(("hr",), employee_no="m-hr", branch=branch)
    w.admin = make_user(("admin",), employee_no="m-admin", branch=branch)
    w.grader_learner = make_user(("trainer", "learner"), employee_no="m-grader", branch=branch)
    w.branch_manager = make_user(("branch_manager",), employee_no="m-manager", branch=branch)
    w.own_mentor = make_user(("mentor", "learner"), employee_no="m-own-mentor", branch=branch)
    w.former_mentor = make_user(("mentor", "learner"), employee_no="m-former-mentor", branch=branch)
    w.pairing, w.former_pairing, w.other_pairing = _pairings(w)
    for module in MODULES:
        if hasattr(module, "setup"):
            module.setup(w)
    return w


def _pairings(w):
    """The learner's mentor, a former mentor of the learner, and ``mentor``
    paired with someone else (tests/access/__init__.py)."""
    from datetime import timedelta

    from lms import clock
    from lms.extensions import db
    from lms.mentoring.models import Pairing, PairingState

    start = clock.today() - timedelta(days=120)
    former = Pairing(mentor_id=w.former_mentor.id, apprentice_id=w.learner.id, state=PairingState.ENDED,
                     start_date=start, ended_on=start + timedelta(days=30), end_reason="矩阵: 师傅调岗")
    current = Pairing(mentor_id=w.own_mentor.id, apprentice_id=w.learner.id, start_date=start + timedelta(days=31))
    other = Pairing(mentor_id=w.mentor.id, apprentice_id=w.other_learner.id, start_date=start)
    db.session.add_all([former, current, other])
    db.session.commit()
    return current, former, other


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method


def test_every_route_has_a_row(app):
    missing = sorted(set(_routes(app)) - set(ROWS))
    assert not missing, f"routes without a row in tests/access/: {missing}"
    stale = sorted(set(ROWS) - set(_routes(app)))
    assert not stale, f"rows for routes that no longer exist: {stale}"


def _status(client, world, key, role) -> tuple[int, int, str]:
    row = ROWS[key]
    if role != "anonymous":
        sign_in(client, getattr(world, role))
    url = row.url(world)
    data = row.data(world) if row.data else None
    response = client.open(url, method=key[1], data=data, headers=row.headers)
    return response.status_code, row.expect[role], url


READS = sorted(key for key in ROWS if key[1] == "GET")
WRITES = sorted(key for key in ROWS if key[1] != "GET")


@pytest.mark.parametrize("key", READS, ids=lambda k: f"{k[1]} {k[0]}")
def test_read_access(app, world, key):
    """A GET changes nothing, so one world serves every role (each on a
    client of its own); every role whose status differs is listed."""
    wrong = []
    for role in ROLES:
        got, expected, url = _status(app.test_client(), world, key, role)
        if got != expected:
            wrong.append(f"{role} GET {url}: got {got}, expected {expected}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("key", WRITES, ids=lambda k: f"{k[1]} {k[0]}")
@pytest.mark.parametrize("role", ROLES)
def test_write_access(app, client, world, key, role):
    """A write may change the world: a new one for every role."""
    got, expected, url = _status(client, world, key, role)
    assert got == expected, f"{role} {key[1]} {url}: got {got}, expected {expected}"
