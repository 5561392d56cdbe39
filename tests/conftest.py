"""Test fixtures: one migrated database per run, emptied after every test;
factories for people; a client that signs requests with a valid CSRF token;
a clock you can move.

The database comes from TEST_DATABASE_URL (a PostgreSQL URL in CI's second
run); without it, a SQLite file in a temporary folder. With pytest-xdist each
worker gets its own database.
"""
from __future__ import annotations

import contextvars
import os
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lms import clock as lms_clock
from lms import create_app
from lms.extensions import db

TEST_PASSWORD = "Correct-Horse-42"
_TMP = Path(tempfile.mkdtemp(prefix="lms-tests-"))


def _worker_suffix() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return f"_{worker}" if worker else ""


def _without_waiting_for_the_disk(url: str) -> str:
    """A PostgreSQL test database whose connections do not wait at each commit
    for the WAL to reach the disk (``synchronous_commit=off``, a setting of the
    session: nothing in the server changes). What the tests see is the same —
    every commit is visible to every connection at once; only a crash of the
    server could lose the last commits of a throwaway database. SQLite's test
    databases already commit without an fsync (WAL, ``synchronous=NORMAL``).
    A commit otherwise waits ~10 ms on this shared disk, and a test commits
    at every factory call and request."""
    parsed = make_url(url)
    if "options" in parsed.query:
        return url
    return parsed.update_query_dict({"options": "-c synchronous_commit=off"}).render_as_string(hide_password=False)


def _database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{_TMP / ('test' + _worker_suffix() + '.sqlite3')}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    url = _without_waiting_for_the_disk(url)
    if _worker_suffix():
        parsed = make_url(url)
        name = parsed.database + _worker_suffix()
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = parsed.set(database=name).render_as_string(hide_password=False)
    return url


DATABASE_URL = _database_url()
BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
    "RATELIMIT_ENABLED": False,
    "SERVER_NAME": "localhost",
    # Many tests move the clock (past time limits, by days) without a request in
    # between; the idle limit (30 minutes as deployed) is tested in tests/test_sessions.py.
    "SESSION_IDLE_MINUTES": 365 * 24 * 60,
    # ... and by weeks: the 12-hour lifetime from sign-in is tested in tests/test_session_lifetime.py.
    "PERMANENT_SESSION_LIFETIME": 365 * 24 * 3600,
    "AUDIT_KEY": "test-audit-key",
    # The audit head lives outside the database; emptied with it after every test.
    "AUDIT_HEAD_FILE": str(_TMP / f"audit_head{_worker_suffix()}.json"),
}


def _memoise_url_builders() -> None:
    """Every test makes its own app, and werkzeug compiles two Python functions
    per route for each (url_for's builders): ~40 % of a small test's time. The
    builder is a function of the rule's text alone (the rule itself is passed
    in when it runs), so the test process compiles each once. Rules with
    defaults (whose values are folded into the code) are compiled as before."""
    from werkzeug.routing.rules import Rule

    original = Rule._compile_builder
    if getattr(original, "lms_memoised", False):
        return
    compiled: dict[tuple, object] = {}

    def _compile_builder(self, append_unknown=True):
        if self.defaults:
            return original(self, append_unknown)
        key = (self.rule, tuple(self._trace), append_unknown)
        builder = compiled.get(key)
        if builder is None:
            builder = compiled[key] = original(self, append_unknown)
        return builder

    _compile_builder.lms_memoised = True
    Rule._compile_builder = _compile_builder


_memoise_url_builders()


def _memoise_rule_parsing() -> None:
    """The other half of each app's routing cost: werkzeug parses every rule's
    text with regular expressions when the rule is added (~half of a test's
    ``create_app``). What the parse leaves on the rule — its parts, its trace,
    its arguments and one converter per variable — depends on the rule's text
    and the map's converter classes only, so the test process parses each text
    once and replays the result on later rules, each with converters of its
    own (copies bound to its map)."""
    import copy

    from werkzeug.routing.rules import Rule

    original = Rule._parse_rule
    if getattr(original, "lms_memoised", False):
        return
    parsed: dict[tuple, tuple] = {}

    def _parse_rule(self, rule):
        key = (rule, tuple(self.map.converters.items()))  # the converter classes by name, as added
        kept = parsed.get(key)
        if kept is None:
            trace_start = len(self._trace)
            parts = list(original(self, rule))
            trace = list(self._trace[trace_start:])
            variables = [name for is_variable, name in trace if is_variable]
            kept = parsed[key] = (parts, trace, {name: self._converters[name] for name in variables})
            return iter(parts)
        parts, trace, converters = kept
        self._trace.extend(trace)
        for name, converter in converters.items():
            mine = copy.copy(converter)
            mine.map = self.map
            self._converters[name] = mine
            self.arguments.add(name)
        return iter(parts)

    _parse_rule.lms_memoised = True
    Rule._parse_rule = _parse_rule


_memoise_rule_parsing()


class _SharedBytecodeCache(BytecodeCache):
    """Jinja's compiled templates, kept in memory for every app of the test
    process (each test's app would otherwise compile every template it
    renders). A template whose source changed is compiled again (Jinja checks
    the source's checksum)."""

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self._code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CACHE = _SharedBytecodeCache()


def _light_password_hashing() -> None:
    """The tests' passwords are hashed and checked with Argon2id as deployed,
    at a light setting (one pass over 1 MiB, one lane) instead of the
    deployed one (three passes over 64 MiB, four lanes): a check took
    0.1–2 s of the shared cores (the more, the busier they were), and the
    suite makes hundreds — every sign-in through the form, and a hash for
    each of the demo's ~150 people at each load. Everything else about them
    is the product's: the same functions, hashes in the same format, the
    same rehash rule (a hash not at the current setting is rehashed at
    sign-in; the light setting of temporary passwords, 512 KiB, is not this
    one, so their rehash is still exercised), the same dummy hash for an
    unknown account."""
    from argon2 import PasswordHasher

    from lms.auth import passwords
    from lms.auth import services as auth_services

    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    passwords._hasher = hasher
    passwords.DUMMY_HASH = auth_services.DUMMY_HASH = hasher.hash("not-a-real-password-only-for-timing")


_light_password_hashing()


_SHARED_ENGINES: dict[tuple[str, str], object] = {}


def _share_postgresql_engines() -> None:
    """Every test makes its own app, and each app made its own engine, whose
    connections were closed after the test. On PostgreSQL a new connection is
    a new server process, which reads each table's catalog entries again the
    first time a query touches it: ~0.1–0.3 s a test before any work. The
    apps of a test process share one engine per database URL and engine
    options instead, and its pool keeps its connections from test to test.
    The engine holds no state of its own (lms adds no engine events on
    PostgreSQL; tests that add some remove them); each test still has its
    own session, and its tables are emptied after it. SQLite keeps an engine
    per app (its connections cost nothing and carry the app's PRAGMA events)."""
    from flask_sqlalchemy import SQLAlchemy

    original = SQLAlchemy._make_engine
    if getattr(original, "lms_shared", False):
        return

    def _make_engine(self, bind_key, options, app):
        url = make_url(options["url"]) if "url" in options else None
        if url is None or url.get_backend_name() != "postgresql":
            return original(self, bind_key, options, app)
        key = (url.render_as_string(hide_password=False),
               repr(sorted((k, repr(v)) for k, v in options.items() if k != "url")))
        engine = _SHARED_ENGINES.get(key)
        if engine is None:
            engine = _SHARED_ENGINES[key] = original(self, bind_key, options, app)
        return engine

    _make_engine.lms_shared = True
    SQLAlchemy._make_engine = _make_engine


_share_postgresql_engines()


@pytest.fixture(scope="session")
def _migrated():
    """Build the schema once, with the real migrations (as a bank would)."""
    from flask_migrate import upgrade

    app = create_app(dict(BASE_CONFIG))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            from tests.snapshots import SNAPSHOT_SCHEMA_PREFIX

            with db.engine.begin() as conn:
                leftovers = conn.scalars(text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"),
                                         {"p": SNAPSHOT_SCHEMA_PREFIX + "%"}).all()
                for schema in leftovers:  # copies left by a run that was stopped
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()
    return True


def _empty_all_tables() -> None:
    """Every table emptied, children first, and (PostgreSQL) every sequence a
    test moved put back to its start, as ``TRUNCATE … RESTART IDENTITY`` would
    leave them. PostgreSQL's TRUNCATE makes new files for every table and
    index (~1–2 s per test for ~40 tables on a busy disk); a DELETE of a few
    rows, sent as one statement list in one round trip, costs milliseconds."""
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.exec_driver_sql("; ".join(f'DELETE FROM "{t}"' for t in tables))
            conn.exec_driver_sql(
                "SELECT setval((quote_ident(schemaname) || '.' || quote_ident(sequencename))::regclass, start_value, false) "
                "FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL")
        else:
            for t in tables:
                conn.execute(text(f'DELETE FROM "{t}"'))


class CSRFClient(FlaskClient):
    """Sends a valid CSRF token header with every state-changing request, as the
    page's htmx handler and forms do. Use ``csrf=False`` to leave it out.

    Each request runs in an application context of its own, as in production:
    its own ``g``, its own database session. The test's session is committed
    first, so nothing the test set up is hidden from the request and the test
    holds no lock while the request runs; objects reload after it."""

    def open(self, *args, **kwargs):
        csrf = kwargs.pop("csrf", True)
        method = kwargs.get("method", "GET").upper()
        if csrf and method not in ("GET", "HEAD", "OPTIONS"):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        db.session.commit()

        def in_own_app_context():
            _cv_app.set(None)
            response = FlaskClient.open(self, *args, **kwargs)
            if response.is_streamed:  # a streamed download: its rows are made in the request's context,
                response.make_sequence()  # as the server reads them, before the context ends
            return response

        return contextvars.copy_context().run(in_own_app_context)

    def csrf_token(self) -> str:
        app = self.application
        with self.session_transaction() as sess:
            raw = sess.setdefault("csrf_token", "test-csrf-raw-token")
        serializer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)


@pytest.fixture
def app(_migrated):
    app = create_app(dict(BASE_CONFIG))
    app.test_client_class = CSRFClient
    app.jinja_env.bytecode_cache = _TEMPLATE_CACHE
    with app.app_context():
        yield app
        leave_database_empty()
    lms_clock.reset()


def leave_database_empty() -> None:
    """What a test's app leaves behind: no session, empty tables, no audit
    head, no pooled connections (PostgreSQL: the shared engine's pool keeps its
    idle connections for the next test, see _share_postgresql_engines)."""
    db.session.remove()
    _empty_all_tables()
    Path(BASE_CONFIG["AUDIT_HEAD_FILE"]).unlink(missing_ok=True)
    for engine in db.engines.values():
        if engine not in _SHARED_ENGINES.values():
            engine.dispose()


# --- the demo organisation, loaded once per worker ---------------------------

DEMO_PASSWORD = "demo-pass-2024"
_DEMO_COPIES: dict[tuple, tuple] = {}


def load_demo_copy(password: str = DEMO_PASSWORD):
    """``lms.demo.load_demo(password)`` on the test's empty database, from a copy.

    The first call on a worker runs the real load (~35 s) and keeps a copy of
    the database it leaves (tests/snapshots.py); a later call with the same
    clock (frozen at the same instant, or running on the same bank day), the
    same app.config and demo hooks gets that copy: the same demo, its own to
    change. Anything else (a database that is not empty, a different clock or
    config) runs the real load. Returns what load_demo returns.

    The password only becomes the demo people's password hashes (every one of
    them is created with it, and nothing else keeps it), so a copy serves any
    password: the hashes are set to one of the password asked for.

    A running clock: the demo's attempts, check-ins and grading are stamped
    relative to the moment it was loaded (an hour ago, 40 minutes ago ...), so
    a copy restored minutes later would show an older demo than a load would.
    The test's clock is put back to the moment the copy's load ended instead
    (``clock.advance`` by minus the time since; the clock keeps running from
    there): it sees exactly what a load finishing just now would leave. The
    product's only reader of real time beside ``lms.clock`` is the exam page's
    countdown, which corrects for the browser clock's skew from the server's."""
    from flask import current_app

    from lms.demo import load_demo
    from tests import snapshots

    if not snapshots.database_is_empty():
        return load_demo(password)
    frozen = lms_clock._frozen
    clock_key = ("frozen", frozen) if frozen is not None else ("running", lms_clock.today(), lms_clock._offset)
    config = repr(sorted(current_app.config.items(), key=lambda item: item[0]))
    hooks = tuple((order, fn.__module__, fn.__qualname__)
                  for order, fn in current_app.extensions.get("lms.demo_hooks", []))
    key = (bool(password), clock_key, config, hooks)
    kept = _DEMO_COPIES.get(key)
    if kept is not None and frozen is None and lms_clock.local_date(kept[3]) != lms_clock.today():
        kept = None  # the load ended on the bank's previous day
    if kept is not None:
        snapshot, accounts, kept_password, ready_at = kept
        snapshots.restore(snapshot)
        if password != kept_password:
            from sqlalchemy import update

            from lms.org.models import User

            db.session.execute(update(User).where(User.password_hash != "").values(password_hash=_hash(password)))
            db.session.commit()
        if frozen is None:
            lms_clock.advance(ready_at - lms_clock.now())
        return list(accounts)
    accounts = load_demo(password)
    if lms_clock._frozen == frozen:  # the load put the clock back as it found it
        ready_at = lms_clock.now()
        snapshot = snapshots.take(_TMP)
        if snapshot is not None:
            _DEMO_COPIES[key] = (snapshot, accounts, password, ready_at)
            if frozen is None:
                lms_clock.advance(ready_at - lms_clock.now())  # the copy took a moment
    return accounts


@pytest.fixture(scope="session", autouse=True)
def _drop_database_copies():
    yield
    from tests import snapshots

    snapshots.drop_templates()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


MIDNIGHT_MARGIN_MINUTES = 15


def clear_of_midnight(margin_minutes: int = MIDNIGHT_MARGIN_MINUTES) -> bool:
    """Move the running clock past the bank's midnight (00:00 in Shanghai is
    16:00 UTC) when fewer than ``margin_minutes`` are left in the bank's day:
    a test that reads today's date more than once (a pairing ended "today"
    by a request and compared with today after it, a demo built on one day
    and read on the next) would straddle two days. The clock keeps running
    from the next day's first second; the ``app`` fixture resets it. A frozen
    clock is left alone. Returns whether it moved."""
    if lms_clock._frozen is not None:
        return False
    left = lms_clock.day_start(lms_clock.today() + timedelta(days=1)) - lms_clock.now()
    if left >= timedelta(minutes=margin_minutes):
        return False
    lms_clock.advance(left + timedelta(seconds=1))
    return True


@pytest.fixture(autouse=True)
def _clear_of_midnight(request):
    """Every test (but those marked ``real_clock``) starts at least
    ``MIDNIGHT_MARGIN_MINUTES`` before the bank's midnight."""
    moved = request.node.get_closest_marker("real_clock") is None and clear_of_midnight()
    yield
    if moved:
        lms_clock.reset()


@pytest.fixture
def clock():
    """The application clock, frozen at a known instant; move it with advance()."""
    from datetime import datetime

    lms_clock.freeze(datetime(2026, 3, 2, 1, 0, 0))  # Monday 09:00 in Shanghai
    yield lms_clock
    lms_clock.reset()


_HASH_CACHE: dict[str, str] = {}


def _hash(password: str) -> str:
    from lms.auth.passwords import hash_password

    if password not in _HASH_CACHE:
        _HASH_CACHE[password] = hash_password(password)
    return _HASH_CACHE[password]


@pytest.fixture
def make_branch(app):
    from lms.org.models import Branch

    def make(code="B01", name=None, parent=None):
        branch = Branch(code=code, name=name or f"支行{code}", parent=parent)
        db.session.add(branch)
        db.session.commit()
        return branch

    return make


@pytest.fixture
def make_user(app):
    """make_user(roles=("learner",), employee_no=None, ...) → a committed User."""
    from datetime import date

    from lms.org.models import PositionRecord, User, UserRole

    counter = {"n": 0}

    def make(roles=("learner",), employee_no=None, name=None, branch=None, password=TEST_PASSWORD,
             position=None, position_start=None, active=True, locale="zh_CN"):
        counter["n"] += 1
        user = User(employee_no=employee_no or f"T{counter['n']:04d}", name=name or f"测试{counter['n']}",
                    branch=branch, password_hash=_hash(password), active=active, locale=locale)
        user.role_rows = [UserRole(role=r) for r in roles]
        if position:
            user.positions = [PositionRecord(position=position, start_date=position_start or date(2024, 1, 1))]
        db.session.add(user)
        db.session.commit()
        return user

    return make


def sign_in(client, user) -> None:
    """Sign in without the password round trip (Flask-Login's session keys)."""
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True


@pytest.fixture
def login(client):
    def do(user):
        sign_in(client, user)
        return client

    return do


# --- content factories: rows as publish would leave them, without files ------

# The course folders the content tests publish (tests/content/fixtures/<name>).
COURSE_FIXTURES = Path(__file__).parent / "content" / "fixtures"


@pytest.fixture
def course_folder(app, tmp_path):
    """``course_folder("aml")``: a copy of the fixture course folder, in place
    as the app's content folder (CONTENT_DIR); its path, for the test to edit."""

    def place(name: str) -> Path:
        root = tmp_path / "content"
        shutil.copytree(COURSE_FIXTURES / name, root)
        app.config["CONTENT_DIR"] = str(root)
        return root

    return place


@pytest.fixture
def make_course(app):
    from lms.content.models import Course

    def make(slug="products", title="对公与对私产品", track="products"):
        course = Course(slug=slug, title=title, track=track, summary="")
        db.session.add(course)
        db.session.commit()
        return course

    return make


@pytest.fixture
def make_question(app):
    """make_question("single", data=..., slug=..., tags=[...]) → a Question with
    one current version. Default data per type is a small valid question."""
    import json

    from lms.content.models import Question, QuestionTag, QuestionVersion
    from lms.content.rendering import render_markdown

    defaults = {
        "single": {"options": [{"key": "A", "text": "1 万元"}, {"key": "B", "text": "5 万元"},
                               {"key": "C", "text": "10 万元"}], "correct": ["B"]},
        "multiple": {"options": [{"key": "A", "text": "流动比率"}, {"key": "B", "text": "速动比率"},
                                 {"key": "C", "text": "存款余额"}, {"key": "D", "text": "资产负债率"}],
                     "correct": ["A", "B", "D"]},
        "truefalse": {"correct": True},
        "fill": {"blanks": [["次级", "次级类"], ["可疑"]]},
        "numeric": {"answer": 62.5, "tolerance": 0.5, "unit": "%"},
        "essay": {"rubric": "说明贷前调查的三个要点。"},
        "case": {"parts": [
            {"id": "a", "type": "single", "stem": "流动比率约为？", "points": 2,
             "data": {"options": [{"key": "A", "text": "0.8"}, {"key": "B", "text": "1.2"}], "correct": ["B"]},
             "explanation": "流动资产 ÷ 流动负债。"},
            {"id": "b", "type": "numeric", "stem": "资产负债率（%）？", "points": 3,
             "data": {"answer": 62.5, "tolerance": 0.5, "unit": "%"}, "explanation": "负债 ÷ 资产。"},
        ]},
    }
    counter = {"n": 0}

    def make(qtype="single", *, slug=None, stem=None, data=None, points=None, difficulty="medium",
             tags=("个人存款",), explanation="解析文字", course=None):
        counter["n"] += 1
        data = data if data is not None else defaults[qtype]
        if points is None:
            points = sum(p["points"] for p in data["parts"]) if qtype == "case" else 1.0
        stem = stem or (f"第{counter['n']}题：" + ("贷款五级分类为正常、关注、{{1}}、{{2}}、损失。" if qtype == "fill" else "题干"))
        question = Question(slug=slug or f"q-{counter['n']:04d}", course=course, bank="test.md")
        db.session.add(question)
        db.session.flush()
        version = QuestionVersion(question_id=question.id, version=1, type=qtype, stem_md=stem,
                                  stem_html=str(render_markdown(stem)), data_json=json.dumps(data, ensure_ascii=False),
                                  points=points, difficulty=difficulty, explanation_md=explanation,
                                  explanation_html=str(render_markdown(explanation)), content_hash=f"h{counter['n']}")
        version.tag_rows = [QuestionTag(tag=t) for t in tags]
        db.session.add(version)
        db.session.flush()
        question.current_version_id = version.id
        db.session.commit()
        return question

    return make


@pytest.fixture
def make_exam(app):
    import json

    from lms.content.models import Exam

    counter = {"n": 0}

    def make(draw=None, *, slug=None, title="第1周测验", course=None, **settings):
        """An exam; open to all learners unless ``open_to_all=False`` (tests
        of who may take an exam put it in a programme's week themselves)."""
        counter["n"] += 1
        settings.setdefault("open_to_all", True)
        exam = Exam(slug=slug or f"exam-{counter['n']}", title=title, course=course,
                    draw_json=json.dumps(draw or [], ensure_ascii=False), **settings)
        db.session.add(exam)
        db.session.commit()
        return exam

    return make


# Fixtures of pytest-playwright: a test that asks for one drives Chromium.
BROWSER_FIXTURES = frozenset({"page", "context", "browser", "browser_context_args"})


# The tests that start from a demo copy of one kind (load_demo_copy's key: a
# frozen clock or a running one; the live server's config), by file or test.
# ``--dist loadgroup`` (test.sh) runs each group on one worker, so the suite
# pays each kind's real load (~35 s of CPU) once, not once per worker that
# happens to get one of its tests.
DEMO_GROUPS = {
    "demo-frozen": ("tests/test_every_page.py", "tests/test_no_raw_codes.py", "tests/org/test_demo.py",
                    "tests/mentoring/test_pairing_demo.py", "tests/test_done_when_certificates.py"),
    "demo-running": ("tests/certificates/test_demo.py", "tests/mentoring/test_demo.py",
                     "tests/org/test_branch_scope_sweep.py", "tests/programmes/test_record_counts_agree.py",
                     "tests/notify/test_demo_story.py",
                     "tests/reports/test_quarterly_reports.py::test_the_demo_overdue_list_names_the_missed_quarter"),
    "demo-live-server": ("tests/browser/test_smoke.py", "tests/browser/test_mentoring_walk.py",
                         "tests/browser/test_shared_pc.py"),
}


def _demo_group(nodeid: str) -> str | None:
    for group, places in DEMO_GROUPS.items():
        if any(nodeid == place or nodeid.startswith(place + "::") for place in places):
            return group
    return None


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups off the items
def pytest_collection_modifyitems(config, items):
    """Every test that drives Chromium carries the ``browser`` marker
    (pytest.ini), wherever it lives, so that ``-m "not browser"`` runs the
    fast suite and ``-m browser`` only the browser tests. Each test of
    DEMO_GROUPS carries its ``xdist_group``."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
        group = _demo_group(item.nodeid)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
