"""The HTML pages HR, branch managers and administrators open, at a bank's size: server CPU per
request and SQL statements of one request, signed in as HR (the whole bank) and as the manager of
one sub-branch.

The data is ``hr_downloads.py``'s (built once, then reused: ``--data FILE``, default
``/tmp/lms-hr-downloads-<people>.sqlite3``, or the PostgreSQL database of ``--database-url``):
``--people`` RMs in ``--branches`` sub-branches, 52 weekly exams and a year of attempts, a
certificate per person. This script adds once a branch manager of the first sub-branch.

Each page ``--rounds`` times in process through Flask's test client (the figures are the app's
own): median CPU and wall clock, the statements of one request, the size; on PostgreSQL also the
CPU its backends spent on the request (``DB CPU``: read from ``/proc``, the server being local).

    python bench/hr_pages.py [--database-url URL | --data FILE] [--people 20000] [--rounds 3] [--only WORDS]
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402
import hr_downloads  # noqa: E402

MANAGER = "bench-hr-pages-manager"
TICKS = os.sysconf("SC_CLK_TCK")


def database_cpu(url: str) -> float:
    """Seconds of CPU the PostgreSQL backends serving this database have used so far (their
    ``/proc/<pid>/stat``; the server runs on this machine), or 0 for SQLite (in process)."""
    if not url.startswith("postgresql"):
        return 0.0
    name, total = url.rsplit("/", 1)[-1].split("?")[0], 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                words = f.read().split(b"\0")[0].decode(errors="replace").split()
            if not words or words[0] != "postgres:" or name not in words[1:5]:
                continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return total / TICKS


def manager(data: h.Data) -> str:
    """The manager of the first sub-branch (made once)."""
    from sqlalchemy import select

    from lms.extensions import db
    from lms.org.models import Branch, User, UserRole

    with data.app.app_context():
        user = db.session.scalar(select(User).where(User.employee_no == MANAGER))
        if user is None:
            branch = db.session.scalar(select(Branch).where(Branch.code == "HRD000"))
            user = User(employee_no=MANAGER, name="压测支行长", password_hash="", branch_id=branch.id)
            user.role_rows = [UserRole(role="branch_manager")]
            db.session.add(user)
            db.session.commit()
        return user.get_id()


def pages(programme: int, branch: int, week: int) -> list[tuple[str, str]]:
    p = f"programme={programme}"
    return [
        ("home", "/"),
        ("roster", f"/reports/roster?{p}"),
        ("roster page 100", f"/reports/roster?{p}&page=100"),
        ("roster search 工号", f"/reports/roster?{p}&q=H0123"),
        ("roster branch", f"/reports/roster?{p}&branch={branch}"),
        ("roster position", f"/reports/roster?{p}&position=rm_senior"),
        ("roster week", f"/reports/roster?{p}&week={week}"),
        ("roster state overdue", f"/reports/roster?{p}&state=overdue"),
        ("roster week+state passed", f"/reports/roster?{p}&week={week}&state=passed"),
        ("overdue", f"/reports/overdue?{p}"),
        ("overdue page 2", f"/reports/overdue?{p}&page=2"),
        ("overdue branch", f"/reports/overdue?{p}&branch={branch}"),
        ("branch totals", f"/reports/totals?{p}"),
        ("rankings", f"/reports/rankings?{p}"),
        ("eligibility register", "/eligibility/"),
        ("certified-to-work monitor", "/eligibility/monitor"),
        ("certificate register", "/certificates/"),
        ("certificate register page 50", "/certificates/?page=50"),
        ("expiring certificates", "/certificates/expiring"),
        ("pairings", "/mentoring/admin/"),
        ("mentors", "/mentoring/admin/mentors"),
        ("without a mentor", "/mentoring/admin/unpaired"),
        ("people", "/org/people"),
        ("people search", "/org/people?q=H0123"),
        ("people page 100", "/org/people?page=100"),
        ("branches", "/org/branches"),
        ("audit log", "/audit/"),
        ("programmes (audience sizes)", "/programmes/manage"),
        ("programme audience", f"/programmes/{programme}/audience"),
        ("programme audience page 100", f"/programmes/{programme}/audience?page=100"),
        ("programme audience search 工号", f"/programmes/{programme}/audience?q=H0123"),
        ("programme audience branch", f"/programmes/{programme}/audience?branch={branch}"),
        ("programme audience position+why", f"/programmes/{programme}/audience?position=rm_senior&why=rule"),
    ]


def measure(data: h.Data, rounds: int, only: str) -> None:
    from sqlalchemy import select

    from lms.content.models import Programme, ProgrammeItem
    from lms.extensions import db
    from lms.org.models import Branch, User

    with data.app.app_context():
        statements = h.Statements(db.engine)
        hr = db.session.scalar(select(User).where(User.employee_no == hr_downloads.HR)).get_id()
        programme = db.session.scalar(select(Programme.id).where(Programme.title.like("全行客户经理周周练%")))
        branch = db.session.scalar(select(Branch.id).where(Branch.code == "HRD000"))
        week = db.session.scalar(select(ProgrammeItem.id).where(ProgrammeItem.programme_id == programme,
                                                                ProgrammeItem.number == 26))
    viewers = [("HR", data.client(hr)), ("manager", data.client(manager(data)))]
    pg = data.url.startswith("postgresql")
    print(f"\n{'page':<32} {'viewer':<8} {'CPU':>7} {'wall':>7} {'SQL':>5} {'size':>8}"
          + (f" {'DB CPU':>7}" if pg else ""))
    for label, url in pages(programme, branch, week):
        if only and only not in label:
            continue
        for who, client in viewers:
            cpu, wall, db_cpu, sql, size, status = [], [], [], 0, 0, 0
            for _ in range(rounds):
                before = statements.count
                d0 = database_cpu(data.url)
                t0, c0 = time.perf_counter(), time.process_time()
                response = client.get(url)
                wall.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
                db_cpu.append(database_cpu(data.url) - d0)
                sql, size, status = statements.count - before, len(response.data), response.status_code
                if status != 200:
                    break
            if status != 200:
                print(f"{label:<32} {who:<8} status {status}", flush=True)
                continue
            print(f"{label:<32} {who:<8} {statistics.median(cpu):>6.2f}s {statistics.median(wall):>6.2f}s {sql:>5} "
                  f"{size / 1024:>6.0f}KB" + (f" {statistics.median(db_cpu):>6.2f}s" if pg else ""), flush=True)


def main() -> None:
    parser = h.arguments(__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="SQLite file to build once and reuse")
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--branches", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="", help="only the pages whose label holds these words")
    args = parser.parse_args()
    url = h.database_url(args.database_url or f"sqlite:///{args.data or f'/tmp/lms-hr-downloads-{args.people}.sqlite3'}")
    data = h.Data(url)
    data.migrate()
    from sqlalchemy import select

    from lms.extensions import db
    from lms.org.models import User

    with data.app.app_context():
        built = db.session.scalar(select(User.id).where(User.employee_no == hr_downloads.HR))
    print(f"HR's pages on {h.dialect(url)} ({url.rsplit('/', 1)[-1]}): {args.people} people × {hr_downloads.WEEKS} "
          f"weeks, load average {os.getloadavg()[0]:.1f}", flush=True)
    if not built:
        hr_downloads.build(data, args.people, args.branches)
    measure(data, args.rounds, args.only)


if __name__ == "__main__":
    main()
