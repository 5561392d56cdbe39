"""The data builder the in-process report benchmarks share (``roster_2000.py``,
``eligibility_10k.py``): a city branch with six sub-branches, a programme of
twelve weekly exams all opened, many people inserted in bulk with their
learner role, and the timing of one page through the test client
(``_harness.Data.client`` signs it in).

Everything is named ``bench-<run>-…`` / ``<prefix><run>…`` (see ``_harness``).
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta

import _harness as h

BRANCHES = ["天元支行", "芦淞支行", "荷塘支行", "石峰支行", "渌口支行", "株洲分行营业部"]
WEEKS = 12


def first_day(today: date, weeks: int = WEEKS) -> date:
    """The Monday of week 1, so that today falls in the last week."""
    return today - timedelta(days=today.weekday()) - timedelta(days=7 * (weeks - 1))


def branches(code: str, city: str):
    """A city branch ``<code><run>`` named ``<city><run>`` and its six sub-branches; returns the sub-branches."""
    from lms.extensions import db
    from lms.org.models import Branch

    parent = Branch(code=f"{code}{h.RUN}", name=f"{city}{h.RUN}")
    db.session.add(parent)
    db.session.flush()
    subs = [Branch(code=f"{code}{h.RUN}{n:02d}", name=f"{name}{h.RUN}", parent_id=parent.id)
            for n, name in enumerate(BRANCHES)]
    db.session.add_all(subs)
    db.session.flush()
    return subs


def weekly_programme(title: str, audience: dict, start: date, weeks: int = WEEKS):
    """A programme of ``weeks`` weekly exams (pass mark 80, best attempt counts) from ``start``; returns (programme, exams)."""
    from lms.content.models import Exam, Programme, ProgrammeItem
    from lms.extensions import db

    exams = [Exam(slug=f"bench-{h.RUN}-w{n:02d}", title=f"第{n}周测验", draw_json="[]", pass_mark=80.0,
                  max_attempts=None, open_to_all=False, scoring="best") for n in range(1, weeks + 1)]
    db.session.add_all(exams)
    db.session.flush()
    programme = Programme(slug=f"bench-{h.RUN}", title=f"{title}{h.RUN}", audience_json=json.dumps(audience))
    programme.items = [ProgrammeItem(key=f"week-{n}", kind="week", number=n, title=f"第 {n} 周",
                                     exam_id=exams[n - 1].id, opens_on=start + timedelta(days=7 * (n - 1)),
                                     due_on=start + timedelta(days=7 * (n - 1) + 6)) for n in range(1, weeks + 1)]
    db.session.add(programme)
    return programme, exams


def people(letter: str, count: int, word: str, branch_of: Callable[[int], int]) -> list[int]:
    """``count`` learners ``bench-<run>-<letter>00000…`` named ``<word><i>`` in
    ``branch_of(i)``, inserted in bulk; returns their ids in order."""
    from sqlalchemy import insert, select

    from lms.extensions import db
    from lms.org.models import User, UserRole

    prefix = f"bench-{h.RUN}-{letter}"
    db.session.execute(insert(User), [
        {"employee_no": f"{prefix}{i:05d}", "name": f"{word}{i}", "password_hash": "", "branch_id": branch_of(i),
         "created_at": datetime(2026, 1, 1)} for i in range(count)])
    ids = list(db.session.scalars(select(User.id).where(User.employee_no.like(f"{prefix}%")).order_by(User.id)))
    db.session.execute(insert(UserRole), [{"user_id": uid, "role": "learner"} for uid in ids])
    return ids


def insert_chunked(table, rows: list[dict], chunk: int = 5000) -> None:
    from sqlalchemy import insert

    from lms.extensions import db

    for start in range(0, len(rows), chunk):
        db.session.execute(insert(table), rows[start:start + chunk])


def staff(role: str, word: str):
    """One ``bench-<run>-<role>`` user with ``role`` (the one the benchmark signs in as), added to the session."""
    from lms.extensions import db
    from lms.org.models import User, UserRole

    user = User(employee_no=f"bench-{h.RUN}-{role}", name=word, password_hash="")
    user.role_rows = [UserRole(role=role)]
    db.session.add(user)
    return user


def analyze(tables: str = "") -> None:
    """PostgreSQL's statistics after a bulk insert (``ANALYZE``, or ``ANALYZE <tables>``)."""
    from lms.extensions import db

    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            conn.exec_driver_sql("; ".join(f"ANALYZE {t}" for t in tables.split()) if tables else "ANALYZE")
            conn.commit()


def timed(client, url: str, rounds: int) -> tuple[list[float], list[float], int]:
    """Wall-clock and CPU milliseconds of each render (the CPU time is what
    the request itself costs, whatever else the machine is doing), and the size of the last."""
    times, cpu, size = [], [], 0
    for _ in range(rounds):
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        size = len(response.data)
    return times, cpu, size
