"""The roster of 2,000 learners × 12 weeks with attempts (targets: the
roster's first page and the branch totals render in ≤ 150 ms median, the XLSX
of the whole roster in ≤ 5 s).

Builds a bank of six sub-branches, 2,000 learners (tellers and RMs), a
programme of twelve weekly exams all opened (today is in week 12) and about
1.5 attempts per learner and week — passed, failed, retaken, some waiting for
grading, some open — straight into a fresh database, then renders through
Flask's test client, signed in as a trainer (in process: no server, the
figures are the app's own time):

- the roster's first page (50 rows), ``--rounds`` times, median and p90;
- the branch totals (every opened week × every branch), the same;
- the roster filtered to one branch, week 3, failed (the trainer's task);
- the XLSX of the whole roster (2,000 rows), three times, median.

    python bench/roster_2000.py [--database-url URL] [--learners 2000] [--rounds 15]
"""
from __future__ import annotations

import json
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402

BRANCHES = [("天元支行", 0.22), ("芦淞支行", 0.2), ("荷塘支行", 0.18), ("石峰支行", 0.16), ("渌口支行", 0.12),
            ("株洲分行营业部", 0.12)]
WEEKS = 12


def generate(data: h.Data, learners: int) -> dict:
    from sqlalchemy import insert, select

    from lms import clock
    from lms.content.models import Exam, Programme, ProgrammeItem
    from lms.exams.models import Attempt
    from lms.extensions import db
    from lms.org.models import Branch, PositionRecord, User, UserRole

    rng = random.Random(20261201)
    today = clock.today()
    start = today - timedelta(days=today.weekday()) - timedelta(days=7 * (WEEKS - 1))
    with data.app.app_context():
        city = Branch(code=f"B{h.RUN}", name=f"压测分行{h.RUN}")
        db.session.add(city)
        db.session.flush()
        subs = []
        for n, (name, _share) in enumerate(BRANCHES):
            b = Branch(code=f"B{h.RUN}{n:02d}", name=f"{name}{h.RUN}", parent_id=city.id)
            db.session.add(b)
            subs.append(b)
        db.session.flush()
        exams = []
        for n in range(1, WEEKS + 1):
            exam = Exam(slug=f"bench-{h.RUN}-w{n:02d}", title=f"第{n}周测验", draw_json="[]", pass_mark=80.0,
                        max_attempts=None, open_to_all=False, scoring="best")
            db.session.add(exam)
            exams.append(exam)
        db.session.flush()
        programme = Programme(slug=f"bench-{h.RUN}", title=f"压测十二周培训{h.RUN}",
                              audience_json=json.dumps({"positions": ["teller", "rm_junior"], "roles": ["learner"]}))
        programme.items = [ProgrammeItem(key=f"week-{n}", kind="week", number=n, title=f"第 {n} 周",
                                         exam_id=exams[n - 1].id, opens_on=start + timedelta(days=7 * (n - 1)),
                                         due_on=start + timedelta(days=7 * (n - 1) + 6)) for n in range(1, WEEKS + 1)]
        db.session.add(programme)
        db.session.commit()
        weights = [share for _name, share in BRANCHES]
        users = [{"employee_no": f"bench-{h.RUN}-r{i:05d}", "name": f"学员{i}", "password_hash": "",
                  "branch_id": rng.choices(subs, weights)[0].id, "created_at": datetime(2026, 1, 1)}
                 for i in range(learners)]
        db.session.execute(insert(User), users)
        ids = list(db.session.scalars(select(User.id).where(User.employee_no.like(f"bench-{h.RUN}-r%"))
                                      .order_by(User.id)))
        db.session.execute(insert(UserRole), [{"user_id": uid, "role": "learner"} for uid in ids])
        db.session.execute(insert(PositionRecord), [
            {"user_id": uid, "position": "teller" if i % 3 else "rm_junior", "start_date": datetime(2024, 1, 1).date(),
             "note": ""} for i, uid in enumerate(ids)])
        now = clock.now()
        rows = []
        for uid in ids:
            ability = rng.random()
            for n, exam in enumerate(exams, start=1):
                opened = datetime.combine(start + timedelta(days=7 * (n - 1)), datetime.min.time())
                if n == WEEKS and rng.random() < 0.5:
                    continue  # this week: half have not started
                if rng.random() < 0.04:
                    continue  # overdue: never started
                tries = 1 if rng.random() < 0.55 + 0.4 * ability else rng.choice((2, 2, 3))
                for number in range(1, tries + 1):
                    at = opened + timedelta(days=rng.randrange(0, 6), minutes=number * 40)
                    state = "finalised"
                    if n == WEEKS and number == tries and rng.random() < 0.1:
                        state = rng.choice(("open", "grading"))
                    percent = None if state != "finalised" else \
                        round(min(100, 85 + 15 * rng.random()) if number == tries and rng.random() < 0.9
                              else 40 + 39 * rng.random(), 1)
                    deadline = now + timedelta(minutes=20) if state == "open" else at + timedelta(minutes=30)
                    rows.append({"exam_id": exam.id, "user_id": uid, "number": number, "seed": 1, "state": state,
                                 "started_at": at, "deadline": deadline,
                                 "submitted_at": None if state == "open" else at + timedelta(minutes=15),
                                 "finalised_at": at + timedelta(minutes=15) if state == "finalised" else None,
                                 "end_reason": "" if state == "open" else "submitted", "score": percent,
                                 "max_score": 100.0, "percent": percent,
                                 "passed": None if percent is None else percent >= 80.0, "focus_losses": 0})
        for chunk in range(0, len(rows), 5000):
            db.session.execute(insert(Attempt), rows[chunk:chunk + 5000])
        trainer = User(employee_no=f"bench-{h.RUN}-trainer", name="压测培训师", password_hash="")
        trainer.role_rows = [UserRole(role="trainer")]
        db.session.add(trainer)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE attempt; ANALYZE \"user\"; ANALYZE user_role; ANALYZE position_record")
                conn.commit()
        print(f"  generated {len(ids)} learners in {len(subs)} branches, {WEEKS} weeks, {len(rows)} attempts")
        return {"programme": programme.id, "trainer": trainer.get_id(), "tianyuan": subs[0].id,
                "week3": programme.items[2].id}


def timed(client, url: str, rounds: int) -> tuple[list[float], list[float], int]:
    """Wall-clock and CPU milliseconds of each render (the CPU time is what
    the request itself costs, whatever else the machine is doing)."""
    times, cpu, size = [], [], 0
    for _ in range(rounds):
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        size = len(response.data)
    return times, cpu, size


def main() -> None:
    parser = h.arguments(__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    url = h.database_url(args.database_url)
    print(f"Roster bench on {h.dialect(url)}: {args.learners} learners × {WEEKS} weeks")
    data = h.Data(url)
    data.migrate()
    t0 = time.perf_counter()
    ids = generate(data, args.learners)
    print(f"  data ready in {time.perf_counter() - t0:.1f} s")
    client = data.app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = ids["trainer"], True
    p = ids["programme"]
    client.get(f"/reports/roster?programme={p}")  # warm-up: templates compiled, first connection
    for label, path, target in (
            ("roster, first page (50 rows)", f"/reports/roster?programme={p}", 150),
            ("branch totals (12 weeks × 6 branches)", f"/reports/totals?programme={p}", 150),
            ("roster: 天元支行, week 3, failed", f"/reports/roster?programme={p}&branch={ids['tianyuan']}"
                                               f"&week={ids['week3']}&state=failed", None)):
        times, cpu, size = timed(client, path, args.rounds)
        median, p90 = statistics.median(times), h.percentile(times, 90)
        verdict = "" if target is None else (" — met" if median <= target else " — NOT met")
        print(f"  {label}: median {median:.0f} ms, p90 {p90:.0f} ms, CPU median {statistics.median(cpu):.0f} ms "
              f"({size // 1024} KB)" + (f"; target ≤ {target} ms{verdict}" if target else ""))
    times, cpu, size = timed(client, f"/reports/export/roster.xlsx?programme={p}", 3)
    median = statistics.median(times) / 1000
    print(f"  XLSX of the whole roster: median {median:.2f} s of 3, CPU {statistics.median(cpu) / 1000:.2f} s "
          f"({size // 1024} KB); target ≤ 5 s — " + ("met" if median <= 5 else "NOT met"))
    times, cpu, size = timed(client, f"/reports/export/roster.csv?programme={p}", 3)
    print(f"  CSV of the whole roster: median {statistics.median(times) / 1000:.2f} s, "
          f"CPU {statistics.median(cpu) / 1000:.2f} s ({size // 1024} KB)")


if __name__ == "__main__":
    main()
