"""How long a trainer waits when a corrected key re-grades a question many
learners sat: one true/false question of a five-question exam (pass mark 90),
sat by ``--attempts`` learners (default 2,000), half of whom answered it as the
wrong key said. The key is corrected and

    plan      `flask content plan`: which submitted attempts change, whose pass/fail flips
    publish   `flask content publish --regrade --reason …`: the plan again, the new version,
              and every changed attempt re-graded (answers, result, 错题本, audit event),
              then what follows the commit (the learners' notices, the certificates)
    regrade   the re-grade inside that publish alone (``lms.exams.regrade.apply``)
    after     what follows that publish's commit alone (``after_commit``: notices, certificates)

then, on a second copy of the same data, the whole publish as a trainer does
it in the console (the editor's two requests):

    review    "审阅改动": the edited bank checked and planned (``editor.review``)
    confirm   "发布" with 重新评分 and a reason (``editor.publish_edit``): the check, the
              plan, the new version, the re-grade, the commit and what follows it
    whole     review + confirm

are timed (wall seconds and this process's CPU seconds, which move less with
the shared machine's load), with the SQL statements each runs (an event
listener on the engine). Every attempt changes and every one flips (100 % ↔ 80 %).

    python bench/regrade.py [--attempts 2000] [--database-url URL]

Without ``--database-url``: a temporary SQLite file. A PostgreSQL database is
emptied first (its public schema is dropped): its name must contain "bench".
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUESTIONS = 5
KEY_BEFORE, KEY_AFTER = "answer: 错", "answer: 对"


def write_course(root: Path, name: str = "rg") -> Path:
    """The course bench-``name`` (its bank: questions ``name``-001…) with the
    wrong key of ``name``-001; returns the bank file."""
    course = root / "courses" / f"bench-{name}"
    (course / "questions").mkdir(parents=True)
    (course / "course.md").write_text(f"---\nid: bench-{name}\ntitle: 贷后管理\ntrack: credit\n"
                                      "summary: 更正答案的基准。\n---\n", encoding="utf-8")
    bank = []
    for n in range(1, QUESTIONS + 1):
        answer = KEY_BEFORE if n == 1 else "answer: 对"
        bank.append(f"## {name}-{n:03d}\ntype: truefalse\n{answer}\ntags: 逾期催收\n\n第 {n} 题：逾期贷款的处理规定。\n")
    (course / "questions" / "basics.md").write_text("\n".join(bank), encoding="utf-8")
    (root / "exams").mkdir(exist_ok=True)
    ids = ", ".join(f"{name}-{n:03d}" for n in range(1, QUESTIONS + 1))
    (root / "exams" / f"{name}-week.yaml").write_text(
        f"id: exam-{name}-week\ntitle: 贷后管理周测\ncourse: bench-{name}\npass_mark: 90\nreview: after_submit\n"
        f"draw:\n  - {{questions: [{ids}]}}\n", encoding="utf-8")
    return course / "questions" / "basics.md"


def sit(attempts: int, name: str = "rg") -> None:
    """``attempts`` learners, each with one finalised attempt of exam-``name``-week;
    the odd ones answered ``name``-001 错 (right under the wrong key: 100 %,
    passed), the even ones 对 (80 %, failed; ``name``-001 in their 错题本)."""
    from sqlalchemy import insert, select

    from lms.content.models import Exam, Question
    from lms.exams.models import Attempt, AttemptItem, NotebookEntry
    from lms.extensions import db
    from lms.org.models import User, UserRole

    now = datetime(2026, 11, 30, 2, 0)
    db.session.execute(insert(User), [{"employee_no": f"bench-{name}-{i:05d}", "name": f"学员{i}", "password_hash": "",
                                       "created_at": now} for i in range(attempts)])
    users = list(db.session.scalars(select(User.id).where(User.employee_no.like(f"bench-{name}-%"))
                                    .order_by(User.id)))
    db.session.execute(insert(UserRole), [{"user_id": uid, "role": "learner"} for uid in users])
    exam = db.session.scalar(select(Exam).where(Exam.slug == f"exam-{name}-week"))
    versions = dict(db.session.execute(select(Question.slug, Question.current_version_id)).all())
    rows = []
    for i, uid in enumerate(users):
        right = i % 2 == 1
        rows.append({"exam_id": exam.id, "user_id": uid, "number": 1, "seed": i, "state": "finalised",
                     "started_at": now, "deadline": now + timedelta(minutes=30), "submitted_at": now,
                     "finalised_at": now, "end_reason": "submitted", "score": 5.0 if right else 4.0,
                     "max_score": 5.0, "percent": 100.0 if right else 80.0, "passed": right, "pass_mark": 90.0,
                     "partial_credit": False})
    db.session.execute(insert(Attempt), rows)
    attempt_ids = list(db.session.scalars(select(Attempt.id).where(Attempt.exam_id == exam.id).order_by(Attempt.id)))
    items, notes = [], []
    for i, (aid, uid) in enumerate(zip(attempt_ids, users)):
        right = i % 2 == 1
        for n in range(1, QUESTIONS + 1):
            answer = (n != 1) or (not right)  # rg-001: 错 (False) for the odd ones
            ok = n != 1 or right
            items.append({"attempt_id": aid, "position": n, "question_version_id": versions[f"{name}-{n:03d}"],
                          "option_order_json": "null", "points": 1.0, "answer_json": json.dumps(answer),
                          "saved_at": now, "awarded": 1.0 if ok else 0.0, "correct": ok,
                          "grade_json": json.dumps({"fraction": 1.0 if ok else 0.0})})
        if not right:
            notes.append({"user_id": uid, "question_id": None, "version_id": versions[f"{name}-001"],
                          "first_wrong_at": now, "last_wrong_at": now, "times_wrong": 1})
    for start in range(0, len(items), 5000):
        db.session.execute(insert(AttemptItem), items[start:start + 5000])
    q1 = db.session.scalar(select(Question.id).where(Question.slug == f"{name}-001"))
    if notes:
        db.session.execute(insert(NotebookEntry), [{**n, "question_id": q1} for n in notes])
    db.session.commit()


class AfterCommit:
    """Time spent in the callbacks that run after a commit (the outermost
    ``run_committed_callbacks`` only: a subscriber's own transaction runs inside it)."""

    def __init__(self, statements):
        import lms.database as database

        self.database, self.real, self.statements = database, database.run_committed_callbacks, statements
        self.seconds, self.cpu, self.count, self.depth = 0.0, 0.0, 0, 0
        database.run_committed_callbacks = self._run

    def _run(self):
        self.depth += 1
        t0, c0, s0 = time.perf_counter(), time.process_time(), self.statements.count
        try:
            self.real()
        finally:
            self.depth -= 1
            if self.depth == 0:
                self.seconds += time.perf_counter() - t0
                self.cpu += time.process_time() - c0
                self.count += self.statements.count - s0

    def stop(self):
        self.database.run_committed_callbacks = self.real


def check_outcome(attempts: int) -> None:
    from sqlalchemy import func, select

    from lms.audit.models import AuditEvent
    from lms.exams.models import Attempt
    from lms.extensions import db
    from lms.notify.models import Notification

    passed = db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.passed.is_(True)))
    events = db.session.scalar(select(func.count()).select_from(AuditEvent)
                               .where(AuditEvent.action == "attempt.regraded"))
    notices = db.session.scalar(select(func.count()).select_from(Notification).where(Notification.kind == "regraded"))
    assert passed == attempts - attempts // 2 and events == attempts and notices == attempts, (passed, events, notices)
    db.session.remove()


def reset(app, url: str, root: Path, attempts: int) -> None:
    """An empty database again, the wrong key published and ``attempts`` sat under it."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from lms.content.publishing.publish import publish
    from lms.content.source.parser import parse_folder
    from lms.extensions import db

    db.session.remove()
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        db.engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(url[len("sqlite:///"):] + suffix).unlink(missing_ok=True)
    upgrade()
    publish(parse_folder(root), None, "bench")
    sit(attempts)
    db.session.remove()


def console(app, root: Path, statements, attempts: int) -> dict:
    """The trainer's two requests in the console editor: review, then publish with 重新评分."""
    from lms.content.console import editor
    from lms.exams import regrade
    from lms.extensions import db

    path = "courses/bench-rg/questions/basics.md"
    figures = {}
    with app.test_request_context("/console/review"):
        file = editor.open_file(path)
        corrected = file.text.replace(KEY_BEFORE, KEY_AFTER, 1)
        statements.count, t0, c0 = 0, time.perf_counter(), time.process_time()
        review = editor.review(path, corrected)
        figures["review"] = (time.perf_counter() - t0, time.process_time() - c0, statements.count)
        assert not review.problems and len(review.plan._work["regrade"]) == attempts
    db.session.remove()
    with app.test_request_context("/console/publish"):
        after = AfterCommit(statements)
        statements.count, t0, c0 = 0, time.perf_counter(), time.process_time()
        result = editor.publish_edit(path, corrected, file.hash, None,
                                     regrade.Decision(regrade.REGRADE, "基准：更正答案"))
        figures["confirm"] = (time.perf_counter() - t0, time.process_time() - c0, statements.count)
        figures["  after"] = (after.seconds, after.cpu, after.count)
        after.stop()
        assert result.regraded == attempts, result.regraded
    db.session.remove()
    check_outcome(attempts)
    figures["whole"] = tuple(a + b for a, b in zip(figures["review"], figures["confirm"]))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attempts", type=int, default=2000)
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lms-bench-regrade-"))
    url = args.database_url or f"sqlite:///{work / 'bench.sqlite3'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("postgresql") and "bench" not in url.rsplit("/", 1)[-1]:
        print("refusing: the PostgreSQL database name must contain 'bench' (it is emptied first)")
        return 2
    os.environ.setdefault("LMS_INSTANCE_DIR", str(work / "instance"))
    os.environ.setdefault("LMS_BASE_URL", "http://127.0.0.1:5000")  # the app refuses to start without it

    from flask_migrate import upgrade
    from sqlalchemy import text

    from lms import create_app
    from lms.content.publishing.publish import plan, publish
    from lms.content.source.parser import parse_folder
    from lms.exams import regrade
    from lms.extensions import db

    root = work / "content"
    bank = write_course(root)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CONTENT_DIR": str(root)})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        publish(parse_folder(root), None, "bench")
        sit(args.attempts)
        bank.write_text(bank.read_text(encoding="utf-8").replace(KEY_BEFORE, KEY_AFTER, 1), encoding="utf-8")
        # The benches' one counter; _harness is read here, after this script set its own
        # instance folder (its defaults would win at the top).
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from _harness import Statements

        statements = Statements(db.engine)
        figures = {}

        db.session.remove()
        statements.count, t0, c0 = 0, time.perf_counter(), time.process_time()
        planned = plan(parse_folder(root))
        figures["plan"] = (time.perf_counter() - t0, time.process_time() - c0, statements.count)
        changes = planned._work["regrade"]
        assert len(changes) == args.attempts, len(changes)
        db.session.rollback()
        db.session.remove()

        timed_apply = {}
        real_apply = regrade.apply

        def apply(*a, **kw):
            before, c0, s0 = time.perf_counter(), time.process_time(), statements.count
            done = real_apply(*a, **kw)
            timed_apply["regrade"] = (time.perf_counter() - before, time.process_time() - c0, statements.count - s0)
            return done

        regrade.apply = apply
        after = AfterCommit(statements)
        statements.count, t0, c0 = 0, time.perf_counter(), time.process_time()
        result = publish(parse_folder(root), None, "bench", decision=regrade.Decision(regrade.REGRADE, "基准：更正答案"))
        figures["publish"] = (time.perf_counter() - t0, time.process_time() - c0, statements.count)
        figures.update(timed_apply)
        figures["after"] = (after.seconds, after.cpu, after.count)
        after.stop()
        regrade.apply = real_apply
        assert result.regraded == args.attempts, result.regraded
        db.session.remove()
        check_outcome(args.attempts)

        # The console, on the data as it was: the key back to the wrong one and every attempt as sat.
        bank.write_text(bank.read_text(encoding="utf-8").replace(KEY_AFTER, KEY_BEFORE, 1), encoding="utf-8")
        reset(app, url, root, args.attempts)
        figures.update(console(app, root, statements, args.attempts))
    with app.app_context():
        print(f"database: {db.engine.dialect.name}; {args.attempts} submitted attempts of a 5-question exam, "
              f"all re-graded ({args.attempts // 2} flip to pass, {args.attempts - args.attempts // 2} to fail)")
    print()
    print(f"{'figure':<10}{'seconds':>9}{'CPU s':>8}{'statements':>12}")
    for name, (seconds, cpu, count) in figures.items():
        print(f"{name:<10}{seconds:>9.2f}{cpu:>8.2f}{count:>12}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
