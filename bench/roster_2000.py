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

import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402
import _people as people  # noqa: E402

SHARES = [0.22, 0.2, 0.18, 0.16, 0.12, 0.12]  # of people.BRANCHES
WEEKS = people.WEEKS


def generate(data: h.Data, learners: int) -> dict:
    from lms import clock
    from lms.exams.models import Attempt
    from lms.extensions import db
    from lms.org.models import PositionRecord

    rng = random.Random(20261201)
    today = clock.today()
    start = people.first_day(today)
    with data.app.app_context():
        subs = people.branches("B", "压测分行")
        programme, exams = people.weekly_programme(
            "压测十二周培训", {"positions": ["teller", "rm_junior"], "roles": ["learner"]}, start)
        db.session.commit()
        ids = people.people("r", learners, "学员", lambda _i: rng.choices(subs, SHARES)[0].id)
        people.insert_chunked(PositionRecord, [
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
        people.insert_chunked(Attempt, rows)
        trainer = people.staff("trainer", "压测培训师")
        db.session.commit()
        people.analyze('attempt "user" user_role position_record')
        print(f"  generated {len(ids)} learners in {len(subs)} branches, {WEEKS} weeks, {len(rows)} attempts")
        return {"programme": programme.id, "trainer": trainer.get_id(), "tianyuan": subs[0].id,
                "week3": programme.items[2].id}


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
    client = data.client(ids["trainer"])
    p = ids["programme"]
    client.get(f"/reports/roster?programme={p}")  # warm-up: templates compiled, first connection
    for label, path, target in (
            ("roster, first page (50 rows)", f"/reports/roster?programme={p}", 150),
            ("branch totals (12 weeks × 6 branches)", f"/reports/totals?programme={p}", 150),
            ("roster: 天元支行, week 3, failed", f"/reports/roster?programme={p}&branch={ids['tianyuan']}"
                                               f"&week={ids['week3']}&state=failed", None)):
        times, cpu, size = people.timed(client, path, args.rounds)
        median, p90 = statistics.median(times), h.percentile(times, 90)
        verdict = "" if target is None else (" — met" if median <= target else " — NOT met")
        print(f"  {label}: median {median:.0f} ms, p90 {p90:.0f} ms, CPU median {statistics.median(cpu):.0f} ms "
              f"({size // 1024} KB)" + (f"; target ≤ {target} ms{verdict}" if target else ""))
    times, cpu, size = people.timed(client, f"/reports/export/roster.xlsx?programme={p}", 3)
    median = statistics.median(times) / 1000
    print(f"  XLSX of the whole roster: median {median:.2f} s of 3, CPU {statistics.median(cpu) / 1000:.2f} s "
          f"({size // 1024} KB); target ≤ 5 s — " + ("met" if median <= 5 else "NOT met"))
    times, cpu, size = people.timed(client, f"/reports/export/roster.csv?programme={p}", 3)
    print(f"  CSV of the whole roster: median {statistics.median(times) / 1000:.2f} s, "
          f"CPU {statistics.median(cpu) / 1000:.2f} s ({size // 1024} KB)")


if __name__ == "__main__":
    main()
