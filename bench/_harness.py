"""What the exam benchmarks share: a database with the schema, prepared
learners and an exam, gunicorn processes on 127.0.0.1, signed-in sessions and
a small keep-alive HTTP client.

Sessions are made the way Flask makes them (a cookie signed with the app's
SECRET_KEY holding the user id and a CSRF token), so the benchmarks measure
exams and not Argon2 password checks or the sign-in rate limit.

Everything the scripts create is named ``bench-<run>-…`` and nothing is
deleted, so pointing ``--database-url`` at a shared database is harmless.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
TMP = Path(tempfile.mkdtemp(prefix="lms-bench-"))
os.environ.setdefault("LMS_INSTANCE_DIR", str(TMP / "instance"))
os.environ.setdefault("LMS_BASE_URL", "http://127.0.0.1:5000")  # the app refuses to start without it
os.environ.setdefault("LMS_AUDIT_KEY", secrets.token_hex(32))  # ... and without its own audit key
sys.path.insert(0, str(ROOT))

SECRET_KEY = "bench-" + secrets.token_hex(16)
RUN = f"{int(time.time()) % 100000:05d}{secrets.randbelow(100):02d}"


def arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database-url", default=None,
                        help="SQLAlchemy URL (default: a fresh SQLite file in a temporary folder)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py)")
    parser.add_argument("--threads", type=int, default=None, help="threads per worker (default: gunicorn.conf.py)")
    parser.add_argument("--worker-class", default=None, help="gunicorn worker class (default: gunicorn.conf.py)")
    return parser


def served_as(args) -> str:
    """How the servers of this run are served: gunicorn.conf.py (the way
    run.sh serves the app) unless the arguments say otherwise."""
    import runpy

    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    worker_class = args.worker_class or conf["worker_class"]
    workers, threads = args.workers or conf["workers"], args.threads or conf["threads"]
    return f"gunicorn {worker_class} × {workers} workers" + (f" × {threads} threads" if threads > 1 else "")


def database_url(given: str | None) -> str:
    if not given:
        return f"sqlite:///{TMP / 'bench.sqlite3'}"
    if given.startswith("postgresql://"):
        return "postgresql+psycopg://" + given[len("postgresql://"):]
    return given


# --- the database -------------------------------------------------------------

class Data:
    """The app (in this process) for preparing and checking rows."""

    def __init__(self, url: str):
        from lms import create_app

        self.url = url
        # No request limits: a bench downloads a file many times a minute to time it (lms/file_limits.py).
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "RATELIMIT_ENABLED": False})

    def client(self, user_id: str):
        """The app's test client (in process) with ``user_id`` (``User.get_id()``) signed in, as login_user leaves the session."""
        client = self.app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = user_id, True
        return client

    def migrate(self) -> None:
        from flask_migrate import upgrade

        with self.app.app_context():
            upgrade()

    def exam(self, questions: int = 30, draw: int = 10, time_limit: int = 120) -> int:
        """A course of single-choice questions and an exam drawing ``draw`` of them."""
        from lms.content.models import Course, Exam, Question, QuestionTag, QuestionVersion
        from lms.extensions import db

        with self.app.app_context():
            course = Course(slug=f"bench-{RUN}", title="压测课程", track="products")
            db.session.add(course)
            db.session.flush()
            for n in range(questions):
                q = Question(slug=f"bench-{RUN}-q{n:03d}", course_id=course.id, bank="bench")
                db.session.add(q)
                db.session.flush()
                data = {"options": [{"key": k, "text": f"选项{k}"} for k in "ABCD"], "correct": ["B"]}
                v = QuestionVersion(question_id=q.id, version=1, type="single", stem_md=f"第{n}题",
                                    stem_html=f"<p>第{n}题</p>", data_json=json.dumps(data, ensure_ascii=False),
                                    points=1.0, content_hash=f"bench{n}")
                v.tag_rows = [QuestionTag(tag=f"压测{n % 5}")]
                db.session.add(v)
                db.session.flush()
                q.current_version_id = v.id
            exam = Exam(slug=f"bench-{RUN}", title="压测考试", course_id=course.id,
                        draw_json=json.dumps([{"count": draw, "type": "single"}]), time_limit_minutes=time_limit,
                        pass_mark=60.0, max_attempts=None, cooldown_minutes=0, focus_loss_limit=None, closes_at=None,
                        open_to_all=True)  # no programme: every learner may start it
            db.session.add(exam)
            db.session.commit()
            return exam.id

    def learners(self, n: int) -> list[tuple[int, int]]:
        """``n`` learners: (user id, session version)."""
        from lms.extensions import db
        from lms.org.models import User, UserRole

        with self.app.app_context():
            users = []
            for i in range(n):
                user = User(employee_no=f"bench-{RUN}-{i:04d}", name=f"压测学员{i}", password_hash="")
                user.role_rows = [UserRole(role="learner")]
                users.append(user)
            db.session.add_all(users)
            db.session.commit()
            return [(u.id, u.session_version) for u in users]

    def session(self, user: tuple[int, int]) -> Session:
        from flask.sessions import SecureCookieSessionInterface
        from itsdangerous import URLSafeTimedSerializer

        raw = secrets.token_hex(20)
        signer = SecureCookieSessionInterface().get_signing_serializer(self.app)
        # As login_user() leaves it: with the identifier of the client (address
        # and user agent; the benchmark clients send none) for session protection.
        with self.app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}):
            from flask_login.utils import _create_identifier

            identifier = _create_identifier()
        # ``_since`` (when the sign-in began, for its 12-hour limit) is set as
        # sign-in leaves it: without it every response would add it and re-sign.
        # ``_seen`` (the idle clock, lms.security): a browser takes the cookie the
        # server re-signs once a minute; wrk keeps its first cookie for the whole
        # run (about a minute), so it is dated a minute ahead, or every response
        # of the run's second half would re-sign one that no browser would send.
        seen = int(time.time()) + 60
        cookie = signer.dumps({"_user_id": f"{user[0]}:{user[1]}", "_fresh": True, "_id": identifier,
                               "csrf_token": raw, "_permanent": True, "_seen": seen,
                               "_since": int(time.time())})
        token = URLSafeTimedSerializer(SECRET_KEY, salt="wtf-csrf-token").dumps(raw)
        return Session(user_id=user[0], cookie=f"session={cookie}", csrf=token)

    def items(self, attempt_id: int) -> list[int]:
        from sqlalchemy import select

        from lms.exams.models import AttemptItem
        from lms.extensions import db

        with self.app.app_context():
            return list(db.session.scalars(select(AttemptItem.id).where(AttemptItem.attempt_id == attempt_id)
                                           .order_by(AttemptItem.position)))


    def option_values(self, attempt_id: int) -> dict[int, dict[str, str]]:
        """item id → {bank key: the value the exam page posts for it} (opaque, per attempt)."""
        from lms.exams import answers as exam_answers
        from lms.exams.models import Attempt
        from lms.extensions import db

        with self.app.app_context():
            attempt = db.session.get(Attempt, attempt_id)
            values = exam_answers.option_values(attempt)
            return {item.id: {k: values.value(f"a-{item.id}", k) for k in "ABCD"} for item in attempt.items}

    def answered_items(self, attempt_ids: list[int]) -> int:
        """How many questions of these attempts have an answer stored."""
        from sqlalchemy import func, select

        from lms.exams.models import AttemptItem
        from lms.extensions import db

        with self.app.app_context():
            return db.session.scalar(select(func.count()).select_from(AttemptItem).where(
                AttemptItem.attempt_id.in_(attempt_ids), AttemptItem.answer_json.is_not(None)))


@dataclass
class Session:
    user_id: int
    cookie: str
    csrf: str
    attempt_id: int | None = None
    items: list[int] = field(default_factory=list)
    values: dict[int, dict[str, str]] = field(default_factory=dict)  # item id -> {bank key: value on the page}

    def headers(self, htmx: bool = True) -> dict:
        h = {"Cookie": self.cookie, "X-CSRFToken": self.csrf}
        if htmx:
            h["HX-Request"] = "true"
        return h


# --- servers ----------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn on 127.0.0.1 in a process group of its own, so that it (and
    only it) can be stopped or killed with -9."""

    def __init__(self, app_spec: str, url: str, args: argparse.Namespace, port: int | None = None,
                 name: str = "app"):
        self.app_spec, self.url, self.args = app_spec, url, args
        self.port = port or free_port()
        self.name = name
        self.proc: subprocess.Popen | None = None
        self.log = TMP / f"gunicorn-{name}.log"

    def start(self) -> Server:
        # The app as deployed: rate limiting on, as run.sh leaves it.
        env = dict(os.environ, DATABASE_URL=self.url, SECRET_KEY=SECRET_KEY, PYTHONPATH=str(ROOT))
        # gunicorn.conf.py as run.sh uses it; the arguments override it.
        cmd = [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
               "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"]
        for flag, value in (("--workers", self.args.workers), ("--threads", self.args.threads),
                            ("--worker-class", self.args.worker_class)):
            if value:
                cmd += [flag, str(value)]
        cmd.append(self.app_spec)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=str(ROOT), env=env, stdout=log, stderr=log,
                                         start_new_session=True)
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn ({self.name}) exited; see {self.log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/static/css/app.css" if self.name != "bare" else "/ping")
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn ({self.name}) did not answer within {timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def kill9(self) -> None:
        """kill -9 the master and its workers (the process group this object started)."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# --- the client -------------------------------------------------------------------

class Client:
    """One keep-alive connection (one browser tab)."""

    def __init__(self, port: int, timeout: float = 30):
        self.port, self.timeout = port, timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None):
        body = urlencode(form or {}, doseq=True) if method == "POST" else None
        h = dict(headers or {})
        if body is not None:
            h["Content-Type"] = "application/x-www-form-urlencoded"
        for retry in (True, False):
            try:
                self.conn.request(method, path, body=body, headers=h)
                response = self.conn.getresponse()
                data = response.read()
                return response.status, response.getheader("Location") or "", data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed an idle keep-alive connection: reconnect once.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                if not retry:
                    raise

    def close(self):
        self.conn.close()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def start_exam(client: Client, session: Session, exam_id: int) -> int | None:
    """POST /exams/<id>/start as the learner; the attempt id from the redirect."""
    status, location, _body = client.request("POST", f"/exams/{exam_id}/start", {}, session.headers(htmx=False))
    if status != 302 or "/attempts/" not in location:
        return None
    return int(location.rstrip("/").rsplit("/", 1)[-1].split("?")[0])


class Statements:
    """Counts the SQL statements the engine runs (``before_cursor_execute``):
    read ``count`` before and after a request. The benches share this one."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args):
        self.count += 1


def dialect(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"
