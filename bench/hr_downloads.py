"""HR's downloads at a bank's size: the year's roster (20,000 people × 52 weeks), the branch totals,
the overdue list, the learners' rankings and the certificate register of the whole bank, each as
CSV and XLSX, signed in as HR (the whole bank).

Builds once (a SQLite file, ``--data``, default ``/tmp/lms-hr-downloads-<people>.sqlite3``, or the
PostgreSQL database of ``--database-url``; reused after): a city branch with ``--branches``
sub-branches, ``--people`` RMs, a programme of 52 weekly exams (today in week 52) and a year of
attempts (~80 per person: each past week taken up to three times; ~3 % of weeks never started and
so many failed that ~40 % of the weeks end overdue — the overdue list's worst case), no answers
(the downloads do not read them); a certification with one certificate per person and a
renewed, expired or revoked older one for every fifth (~24,000 certificates at 20,000 people).

Then, in process through Flask's test client (the figures are the app's own), each download
``--rounds`` times: median wall clock and CPU time, the SQL statements of one download (an engine
listener), the size, and the peak memory of the process while it runs: the growth of the resident
set's high-water mark (``/proc/self/clear_refs`` resets it first, as ``bank_year.py`` does) and,
with ``--tracemalloc``, the peak of Python's allocations (slower: it traces every allocation).

    python bench/hr_downloads.py [--database-url URL | --data FILE] [--people 20000] [--branches 60]
                                 [--rounds 1] [--only WORDS] [--tracemalloc]
"""
from __future__ import annotations

import os
import random
import secrets
import statistics
import sys
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402
import _people as people_data  # noqa: E402
from bank_year import _rss_peak_reset, _status  # noqa: E402

WEEKS = 52
HR = "bench-hr-downloads"


def build(data: h.Data, n_people: int, n_branches: int) -> None:
    from sqlalchemy import insert, select

    from lms import clock
    from lms.certificates.models import Certificate
    from lms.content.models import Certification
    from lms.exams.models import Attempt
    from lms.extensions import db
    from lms.org.models import Branch, PositionRecord, User, UserRole

    rng = random.Random(20261202)
    today = clock.today()
    t0 = time.perf_counter()
    with data.app.app_context():
        city = Branch(code="HRD", name="压测全行")
        db.session.add(city)
        db.session.flush()
        subs = [Branch(code=f"HRD{i:03d}", name=f"压测第{i}支行", parent_id=city.id) for i in range(n_branches)]
        db.session.add_all(subs)
        db.session.flush()
        start = people_data.first_day(today, WEEKS)
        programme, exams = people_data.weekly_programme(
            "全行客户经理周周练", {"positions": ["rm_junior", "rm_intermediate", "rm_senior"], "roles": ["learner"]}, start, WEEKS)
        db.session.commit()
        item_ids = [i.id for i in programme.items]
        db.session.execute(insert(User), [
            {"employee_no": f"H{i:06d}", "name": f"客户经理{i}", "password_hash": "",
             "branch_id": subs[i % len(subs)].id, "created_at": datetime(2025, 1, 1)} for i in range(n_people)])
        ids = list(db.session.scalars(select(User.id).where(User.employee_no.like("H%")).order_by(User.employee_no)))
        people_data.insert_chunked(UserRole, [{"user_id": u, "role": "learner"} for u in ids])
        people_data.insert_chunked(PositionRecord, [
            {"user_id": u, "position": ("rm_junior", "rm_intermediate", "rm_senior")[k % 3],
             "start_date": today - timedelta(days=500), "end_date": None, "note": ""} for k, u in enumerate(ids)])
        db.session.commit()
        made = 0
        for c in range(0, len(ids), 500):
            rows = []
            for uid in ids[c:c + 500]:
                ability = rng.uniform(0.6, 0.98)
                for w in range(1, WEEKS + 1):
                    if (w == WEEKS and rng.random() < 0.5) or rng.random() < 0.03:
                        continue  # this week: half not started; ~3 % of the past weeks never started
                    day = start + timedelta(days=7 * (w - 1) + rng.randint(0, 5))
                    for number in (1, 2, 3):
                        at = datetime.combine(day, datetime.min.time()) + timedelta(hours=1 + number)
                        percent = float(round(100 * min(1.0, rng.random() * 0.4 + ability * 0.7)))
                        rows.append({"exam_id": exams[w - 1].id, "user_id": uid, "programme_item_id": item_ids[w - 1],
                                     "number": number, "seed": number, "state": "finalised", "started_at": at,
                                     "deadline": at + timedelta(minutes=30), "submitted_at": at + timedelta(minutes=12),
                                     "finalised_at": at + timedelta(minutes=12), "end_reason": "submitted",
                                     "score": percent, "max_score": 100.0, "percent": percent,
                                     "passed": percent >= 80.0, "pass_mark": 80.0, "focus_losses": 0})
                        if percent >= 80.0 or rng.random() < 0.3:
                            break
            people_data.insert_chunked(Attempt, rows, 10000)
            db.session.commit()
            made += len(rows)
            if c % 5000 == 0:
                print(f"    {c + 500} people, {made} attempts ({time.perf_counter() - t0:.0f} s)", flush=True)
        rmq = Certification(slug="hr-downloads-rmq", title="客户经理上岗资格（压测）", serial_prefix="HRD",
                            validity_months=24)
        db.session.add(rmq)
        db.session.flush()
        certificates = []
        for i, uid in enumerate(ids):
            issued = today - timedelta(days=30 + i % 600)
            older = [issued - timedelta(days=730)] if i % 5 == 0 else []
            for k, day in enumerate([issued, *older]):
                revoked = k == 0 and i % 97 == 0
                certificates.append({
                    "certification_id": rmq.id, "user_id": uid, "serial": f"HRD-{i:06d}-{k}",
                    "verify_code": secrets.token_hex(16), "issued_on": day, "expires_on": day + timedelta(days=730),
                    "issued_at": datetime.combine(day, datetime.min.time()), "issue_reason": "", "evidence_json": "[]",
                    "holder_name": f"客户经理{i}", "holder_employee_no": f"H{i:06d}",
                    "holder_branch": subs[i % len(subs)].name, "revoke_reason": "=离职（公式样文字）" if revoked else "",
                    "revoked_at": datetime.combine(today, datetime.min.time()) if revoked else None})
        people_data.insert_chunked(Certificate, certificates)
        hr = User(employee_no=HR, name="压测人事", password_hash="")
        hr.role_rows = [UserRole(role="hr")]
        db.session.add(hr)
        db.session.commit()
        people_data.analyze()
        print(f"  built in {time.perf_counter() - t0:.0f} s: {len(ids)} RMs in {len(subs)} branches, {made} attempts, "
              f"{len(certificates)} certificates", flush=True)


def downloads(programme: int) -> list[tuple[str, str]]:
    p = f"programme={programme}"
    # The overdue list's page (HTML), first page and its last: every line once built in Python.
    out = [("overdue list page (HTML)", f"/reports/overdue?{p}"), ("overdue list page 2 (HTML)", f"/reports/overdue?{p}&page=2")]
    for fmt in ("csv", "xlsx"):
        out += [(f"roster {fmt.upper()} (the year)", f"/reports/export/roster.{fmt}?{p}"),
                (f"branch totals {fmt.upper()}", f"/reports/export/totals.{fmt}?{p}"),
                (f"overdue list {fmt.upper()}", f"/reports/export/overdue.{fmt}?{p}"),
                (f"rankings, every learner {fmt.upper()}", f"/reports/export/rankings-learners.{fmt}?{p}&top=all"),
                (f"certificate register {fmt.upper()}", f"/certificates/export.{fmt}")]
    return out


def measure(data: h.Data, rounds: int, only: str, trace: bool) -> None:
    from sqlalchemy import select

    from lms.content.models import Programme
    from lms.extensions import db
    from lms.org.models import User

    with data.app.app_context():
        statements = h.Statements(db.engine)
        hr = db.session.scalar(select(User).where(User.employee_no == HR)).get_id()
        programme = db.session.scalar(select(Programme.id).where(Programme.title.like("全行客户经理周周练%")))
    client = data.client(hr)
    print(f"\n{'download':<40} {'median':>8} {'CPU':>8} {'SQL':>5} {'size':>9} {'RSS peak +':>10}"
          + (f" {'traced peak':>11}" if trace else ""))
    for label, url in downloads(programme):
        if only and only not in label:
            continue
        runs, cpu, sql, size, grown, traced = [], [], 0, 0, 0.0, 0.0
        for _ in range(rounds):
            rss = _status("VmRSS")
            reset = _rss_peak_reset()
            if trace:
                tracemalloc.start()
            before = statements.count
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.get(url)
            if response.status_code == 302:  # XLSX above exports.XLSX_MAX_CELLS: the page offers CSV instead
                break
            size = 0
            for block in response.response:  # as a server sends it: a block at a time, not held whole here
                size += len(block)
            response.close()
            runs.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            if trace:
                traced = max(traced, tracemalloc.get_traced_memory()[1] / 2**20)
                tracemalloc.stop()
            assert response.status_code == 200, (url, response.status_code)
            sql = statements.count - before
            if reset:
                grown = max(grown, _status("VmHWM") - rss)
            del response
        if not runs:
            print(f"{label:<40} refused: too large for XLSX (exports.XLSX_MAX_CELLS), the page offers CSV", flush=True)
            continue
        print(f"{label:<40} {statistics.median(runs):>7.1f}s {statistics.median(cpu):>7.1f}s {sql:>5} "
              f"{size / 2**20:>7.1f}MB {grown:>8.0f}MB" + (f" {traced:>9.0f}MB" if trace else ""), flush=True)


def main() -> None:
    parser = h.arguments(__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="SQLite file to build once and reuse")
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--branches", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--only", default="", help="only the downloads whose label holds these words")
    parser.add_argument("--tracemalloc", action="store_true", help="also the peak of Python's allocations (slower)")
    args = parser.parse_args()
    url = h.database_url(args.database_url or f"sqlite:///{args.data or f'/tmp/lms-hr-downloads-{args.people}.sqlite3'}")
    data = h.Data(url)
    data.migrate()
    from sqlalchemy import select

    from lms.extensions import db
    from lms.org.models import User

    with data.app.app_context():
        built = db.session.scalar(select(User.id).where(User.employee_no == HR))
    try:
        import lxml  # noqa: F401  (openpyxl writes XLSX through it when it is installed)
        xml = "lxml"
    except ImportError:
        xml = "no lxml"
    print(f"HR's downloads ({xml}) on {h.dialect(url)} ({url.rsplit('/', 1)[-1]}): {args.people} people × {WEEKS} weeks, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    if not built:
        build(data, args.people, args.branches)
    measure(data, args.rounds, args.only, args.tracemalloc)


if __name__ == "__main__":
    main()
