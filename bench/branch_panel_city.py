"""The branch manager's home panel for a city-level manager: many branches,
thousands of people, a weekly programme and the quarterly warning education
(警示教育). Prints the panel's time and its statement count, and the same
count at a tenth of the people (it must not grow with them).

Builds a city branch with ``--branches`` sub-branches, ``--people`` people
(tellers and RMs, every RM in the quarterly requirement, tellers and junior
RMs in a twelve-week programme whose week 12 is open today), weekly attempts
and last quarter's and this quarter's warning-education attempts (most
passed, some failed, some missing), straight into a fresh database, then
renders ``/`` through Flask's test client signed in as the city's branch
manager (in process: the figures are the app's own time):

- the whole home page, ``--rounds`` times: median, p90, CPU, statements;
- the quarterly block alone (``lms.reports.panels._quarterly_block``), and,
  for comparison, what it cost before: ``this_week_of`` for every person of
  the manager's branches (every programme of everyone, to count one).

    python bench/branch_panel_city.py [--database-url URL] [--people 5000] [--branches 24] [--rounds 9]
"""
from __future__ import annotations

import json
import random
import statistics
import sys
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402
import _people as people  # noqa: E402


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def generate(data: h.Data, count: int, branches: int, start_no: int = 0, subs=None) -> dict:
    """``count`` people in ``branches`` sub-branches of one city (made on the first call)."""
    from lms import clock
    from lms.content.models import Exam, Programme, ProgrammeItem
    from lms.exams.models import Attempt
    from lms.extensions import db
    from lms.org.models import Branch, PositionRecord

    rng = random.Random(20261202 + start_no)
    today = clock.today()
    with data.app.app_context():
        out = {}
        if subs is None:
            subs = people.branches("P", "压测市分行")
            city = subs[0].parent_id
            extra = [Branch(code=f"P{h.RUN}x{n:02d}", name=f"压测网点{n}{h.RUN}", parent_id=city)
                     for n in range(max(0, branches - len(subs)))]
            db.session.add_all(extra)
            db.session.flush()
            subs = [b.id for b in subs + extra]
            weekly, exams = people.weekly_programme(
                "压测十二周培训", {"positions": ["teller", "rm_junior"], "roles": ["learner"]},
                people.first_day(today))
            exam = Exam(slug=f"bench-{h.RUN}-warning", title="季度警示教育测验", draw_json="[]", pass_mark=80.0,
                        max_attempts=None, open_to_all=False)
            db.session.add(exam)
            db.session.flush()
            last_quarter = _quarter_start(_quarter_start(today) - timedelta(days=1))
            warning = Programme(slug=f"bench-{h.RUN}-warning", title=f"警示教育（季度必修）{h.RUN}",
                                recurring="quarterly", audience_json=json.dumps({"positions": ["rm_*"]}))
            warning.items = [ProgrammeItem(key="quarterly", kind="quarterly", number=1, title="警示教育",
                                           exam_id=exam.id, opens_on=last_quarter,
                                           due_on=_quarter_start(today) - timedelta(days=1))]
            db.session.add(warning)
            manager = people.staff("branch_manager", "压测市行长")
            manager.branch_id = city
            db.session.commit()
            out = {"manager": manager.get_id(), "subs": subs, "exams": [e.id for e in exams], "warning": exam.id,
                   "quarters": [last_quarter, _quarter_start(today)], "start": people.first_day(today)}
        ids = people.people(f"c{start_no}", count, "员工", lambda _i: rng.choice(subs))
        positions = ("teller", "rm_junior", "rm_intermediate", "rm_senior")
        people.insert_chunked(PositionRecord, [{"user_id": uid, "position": positions[i % 4],
                                                "start_date": date(2024, 1, 1), "note": ""}
                                               for i, uid in enumerate(ids)])
        rows = []
        exams, start = out.get("exams") or subs_meta["exams"], out.get("start") or subs_meta["start"]
        warning, quarters = out.get("warning") or subs_meta["warning"], out.get("quarters") or subs_meta["quarters"]

        def attempt(uid, exam_id, at, percent, number=1):
            rows.append({"exam_id": exam_id, "user_id": uid, "number": number, "seed": 1, "state": "finalised",
                         "started_at": at, "deadline": at + timedelta(minutes=30),
                         "submitted_at": at + timedelta(minutes=15), "finalised_at": at + timedelta(minutes=15),
                         "end_reason": "submitted", "score": percent, "max_score": 100.0, "percent": percent,
                         "passed": percent >= 80.0, "focus_losses": 0})

        for i, uid in enumerate(ids):
            if positions[i % 4] in ("teller", "rm_junior"):
                for n, exam_id in enumerate(exams, start=1):
                    if rng.random() < 0.9:
                        attempt(uid, exam_id, datetime.combine(start + timedelta(days=7 * (n - 1) + 1),
                                                               datetime.min.time()), round(70 + 30 * rng.random(), 1))
            if positions[i % 4] != "teller":
                number = 0
                for q, share in zip(quarters, (0.93, 0.6)):
                    at = datetime.combine(q + timedelta(days=rng.randrange(0, 28)), datetime.min.time())
                    if rng.random() < share and at.date() < today:
                        number += 1
                        attempt(uid, warning, at, round(60 + 40 * rng.random(), 1), number)
        people.insert_chunked(Attempt, rows)
        db.session.commit()
        people.analyze('attempt "user" user_role position_record')
        print(f"  {len(ids)} people in {len(subs)} branches, {len(rows)} attempts")
        return out


subs_meta: dict = {}


@contextmanager
def counted(engine):
    from sqlalchemy import event

    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def statements(data: h.Data, client, url: str) -> int:
    from lms.extensions import db

    with data.app.app_context():
        engine = db.engine
    with counted(engine) as seen:
        assert client.get(url).status_code == 200
    return len(seen)


def quarterly_block(data: h.Data, manager_id: str, rounds: int) -> None:
    """The quarterly block alone, and what counting it cost before (``this_week_of`` for everyone)."""
    from sqlalchemy import select

    from lms import clock
    from lms.content.models import Programme
    from lms.extensions import db
    from lms.org import scope as org_scope
    from lms.org.models import User
    from lms.programmes.services import QUARTERLY, this_week_of
    from lms.reports import panels, roster as reports

    with data.app.test_request_context():
        manager = db.session.get(User, int(manager_id.split(":")[0]))
        scope = org_scope.branch_scope(manager)
        programme = db.session.scalar(select(Programme).where(Programme.recurring == QUARTERLY,
                                                              Programme.slug.like(f"bench-{h.RUN}%")))
        today = clock.today()
        for label, run in (
                ("quarterly block, its people and one read of the attempts",
                 lambda: panels._quarterly_block(programme, reports.roster_members(programme, scope), today)),
                ("before: this_week_of for everyone in scope",
                 lambda: this_week_of([m.user for m in reports.roster_members(programme, scope)], today))):
            times, counts = [], []
            for _ in range(rounds):
                db.session.expire_all()
                with counted(db.engine) as seen:
                    t0 = time.perf_counter()
                    run()
                    times.append((time.perf_counter() - t0) * 1000)
                counts.append(len(seen))
            print(f"  {label}: median {statistics.median(times):.0f} ms, {counts[-1]} statements")


def main() -> None:
    parser = h.arguments(__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--branches", type=int, default=24)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    url = h.database_url(args.database_url)
    print(f"Branch manager's panel on {h.dialect(url)}: a city of {args.branches} branches")
    data = h.Data(url)
    data.migrate()
    tenth = max(1, args.people // 10)
    subs_meta.update(generate(data, tenth, args.branches))
    client = data.client(subs_meta["manager"])
    client.get("/")  # warm-up: templates compiled, first connection
    small = statements(data, client, "/")
    print(f"  home page with {tenth} people: {small} statements")
    generate(data, args.people - tenth, args.branches, start_no=1, subs=subs_meta["subs"])
    big = statements(data, client, "/")
    print(f"  home page with {args.people} people: {big} statements"
          + (" (the same)" if big == small else f" (NOT the same: {small} with {tenth})"))
    times, cpu, size = people.timed(client, "/", args.rounds)
    print(f"  home page, {args.people} people: median {statistics.median(times):.0f} ms, "
          f"p90 {h.percentile(times, 90):.0f} ms, CPU median {statistics.median(cpu):.0f} ms ({size // 1024} KB)")
    quarterly_block(data, subs_meta["manager"], max(3, args.rounds // 3))


if __name__ == "__main__":
    main()
