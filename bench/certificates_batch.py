"""500 certificates in one batch while people use the app (target: no
request blocked — the batch takes each certificate in its own short
transaction and renders its PDF outside it).

Prepares ``--people`` eligible people (an entry exam passed at 90 %, a
mentor's sign-off in force, 30 months as 高级客户经理) and a certification
asking for all three, plus a few learners with an open exam attempt; serves
the app with gunicorn (``gunicorn.conf.py``) on the same database. Then:

1. idle: for ``--seconds`` s, request threads measure ordinary requests — a
   learner's home page (``GET /``) and an autosave (``POST
   /attempts/<id>/items/<item>``) — back to back;
2. batch: the same threads measure while this process runs the batch
   (``lms.certificates.triggers.issue_batch``, exactly what ``flask
   certificates issue-batch`` runs, real PDFs included).

Prints the batch's time and rate, and for each phase the requests' count,
p50 / p95 / max (ms) and errors; then checks in the database that every
person got exactly one certificate with a stored PDF and that the serials
run 1…N without a gap.

    python bench/certificates_batch.py [--database-url URL] [--people 500] [--seconds 20] [--clients 2]
"""
from __future__ import annotations

import json
import random
import re
import statistics
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402


def prepare(data: h.Data, people: int, exam_id: int) -> tuple[int, list[int]]:
    """The certification and the ids of ``people`` who meet it."""
    from sqlalchemy import insert, select

    from lms import clock
    from lms.content.models import Certification, Exam
    from lms.exams.models import Attempt
    from lms.extensions import db
    from lms.mentoring.models import Pairing, SignOff
    from lms.org.models import PositionRecord, User, UserRole

    now = clock.now()
    with data.app.app_context():
        exam = db.session.get(Exam, exam_id)
        certification = Certification(
            slug=f"bench-{h.RUN}", title="压测上岗资格", serial_prefix=f"B{h.RUN[-4:]}", validity_months=24,
            requirements_json=json.dumps({"exams": [{"exam": exam.slug, "min_score": 80}], "signoff": True,
                                          "tenure": [{"positions": ["rm_senior"], "months": 24}]}))
        db.session.add(certification)
        mentor = User(employee_no=f"bench-{h.RUN}-mentor", name="压测师傅", password_hash="")
        db.session.add(mentor)
        db.session.flush()
        db.session.execute(insert(User), [{"employee_no": f"bench-{h.RUN}-c{i:04d}", "name": f"持证{i}",
                                           "password_hash": "", "created_at": now} for i in range(people)])
        ids = list(db.session.scalars(select(User.id).where(User.employee_no.like(f"bench-{h.RUN}-c%"))
                                      .order_by(User.id)))
        db.session.execute(insert(UserRole), [{"user_id": i, "role": "learner"} for i in ids])
        db.session.execute(insert(PositionRecord), [{"user_id": i, "position": "rm_senior",
                                                     "start_date": date(2024, 1, 1) - timedelta(days=i % 300),
                                                     "note": ""} for i in ids])
        db.session.execute(insert(Attempt), [{"exam_id": exam_id, "user_id": i, "number": 1, "seed": i,
                                              "state": "finalised", "started_at": now - timedelta(hours=2),
                                              "deadline": now, "submitted_at": now - timedelta(hours=1),
                                              "finalised_at": now - timedelta(hours=1), "end_reason": "submitted",
                                              "score": 9.0, "max_score": 10.0, "percent": 90.0, "passed": True,
                                              "focus_losses": 0} for i in ids])
        db.session.execute(insert(Pairing), [{"mentor_id": mentor.id, "apprentice_id": i, "state": "signed_off",
                                              "start_date": date(2025, 1, 1), "goals": "", "created_at": now,
                                              "end_reason": ""} for i in ids])
        pairings = dict(db.session.execute(select(Pairing.apprentice_id, Pairing.id)
                                           .where(Pairing.apprentice_id.in_(ids))).all())
        db.session.execute(insert(SignOff), [{"pairing_id": pairings[i], "apprentice_id": i, "mentor_id": mentor.id,
                                              "signed_on": date(2025, 12, 1), "signed_at": now, "scores_json": "[]",
                                              "recommendation": "ready", "comment": "", "withdraw_reason": ""}
                                             for i in ids])
        db.session.commit()
        return certification.id, ids


class Measure:
    """Request threads, each a learner with a keep-alive connection, going
    round GET / and an autosave; latencies are filed under the current phase."""

    def __init__(self, port: int, sessions: list[h.Session]):
        self.port, self.sessions = port, sessions
        self.phase = "warm-up"
        self.samples: dict[str, dict[str, list[float]]] = {}
        self.errors: dict[str, int] = {}
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def _file(self, kind: str, took: float, ok: bool) -> None:
        with self.lock:
            phase = self.samples.setdefault(self.phase, {"GET /": [], "autosave": []})
            phase[kind].append(took * 1000)
            if not ok:
                self.errors[self.phase] = self.errors.get(self.phase, 0) + 1

    def run(self, s: h.Session) -> None:
        client = h.Client(self.port, timeout=60)
        rng = random.Random(s.user_id)
        while not self.stop.is_set():
            t0 = time.perf_counter()
            status, _loc, _body = client.request("GET", "/", None, s.headers(htmx=False))
            self._file("GET /", time.perf_counter() - t0, status == 200)
            item = rng.choice(s.items)
            t0 = time.perf_counter()
            status, _loc, _body = client.request("POST", f"/attempts/{s.attempt_id}/items/{item}",
                                                 {f"a-{item}": s.values[item][rng.choice("ABCD")]}, s.headers())
            self._file("autosave", time.perf_counter() - t0, status == 200)
        client.close()


def open_attempts(data: h.Data, port: int, sessions: list[h.Session], exam_id: int) -> None:
    client = h.Client(port)
    for s in sessions:
        s.attempt_id = h.start_exam(client, s, exam_id)
        status, _loc, body = client.request("GET", f"/attempts/{s.attempt_id}", None, s.headers(htmx=False))
        s.items = sorted({int(m) for m in re.findall(rf"/attempts/{s.attempt_id}/items/(\d+)", body.decode())})
        s.values = data.option_values(s.attempt_id)
    client.close()


def line(name: str, values: list[float]) -> str:
    if not values:
        return f"  {name:9s} no requests"
    return (f"  {name:9s} {len(values):5d} requests  p50 {statistics.median(values):7.1f} ms  "
            f"p95 {h.percentile(values, 95):7.1f} ms  max {max(values):7.1f} ms")


def main() -> int:
    parser = h.arguments(__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=20, help="length of the idle measurement")
    parser.add_argument("--clients", type=int, default=2, help="request threads (learners)")
    args = parser.parse_args()
    url = h.database_url(args.database_url)

    data = h.Data(url)
    data.migrate()
    exam_id = data.exam(questions=30, draw=10)
    certification_id, ids = prepare(data, args.people, exam_id)
    sessions = [data.session(u) for u in data.learners(args.clients)]
    print(f"{args.people} certificates in one batch while {args.clients} learners use the app · {h.dialect(url)} · "
          f"{h.served_as(args)}")

    with h.Server("wsgi:app", url, args) as server:
        open_attempts(data, server.port, sessions, exam_id)
        measure = Measure(server.port, sessions)
        threads = [threading.Thread(target=measure.run, args=(s,), daemon=True) for s in sessions]
        for t in threads:
            t.start()
        time.sleep(2)
        measure.phase = "idle"
        time.sleep(args.seconds)
        measure.phase = "batch"
        from lms.certificates import triggers
        from lms.content.models import Certification
        from lms.extensions import db

        with data.app.app_context():
            t0 = time.perf_counter()
            result = triggers.issue_batch(db.session.get(Certification, certification_id), ids)
            batch_seconds = time.perf_counter() - t0
        measure.stop.set()
        for t in threads:
            t.join(70)

    print(f"batch: issued {result.issued} of {result.considered} in {batch_seconds:.1f} s "
          f"({result.issued / batch_seconds:.1f} certificates/s, {1000 * batch_seconds / max(result.issued, 1):.0f} ms "
          f"each with its PDF)")
    for phase in ("idle", "batch"):
        samples = measure.samples.get(phase, {})
        print(f"{phase} ({measure.errors.get(phase, 0)} errors):")
        for kind in ("GET /", "autosave"):
            print(line(kind, samples.get(kind, [])))

    from sqlalchemy import func, select

    from lms.certificates.models import Certificate

    with data.app.app_context():
        rows = db.session.execute(select(Certificate.user_id, Certificate.serial, Certificate.pdf_sha256)
                                  .where(Certificate.certification_id == certification_id)).all()
        holders = db.session.scalar(select(func.count(func.distinct(Certificate.user_id)))
                                    .where(Certificate.certification_id == certification_id))
    numbers = sorted(int(r.serial.rsplit("-", 1)[1]) for r in rows)
    ok = (len(rows) == holders == len(ids) and numbers == list(range(1, len(ids) + 1))
          and all(r.pdf_sha256 for r in rows))
    print(f"check: {len(rows)} certificates, {holders} holders, serials 1…{numbers[-1] if numbers else 0} "
          f"{'without a gap' if numbers == list(range(1, len(rows) + 1)) else 'WITH GAPS'}, "
          f"{sum(1 for r in rows if r.pdf_sha256)} PDFs stored — {'OK' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
