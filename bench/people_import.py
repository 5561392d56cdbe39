"""How long HR waits for a bulk import of people, and for the people list.

Builds a fresh SQLite database with the demo organisation, writes an XLSX of
N new people (default 500) and measures:

    check + preview   read the file and check every row              (plan_import)
    import            create everyone: Argon2 hash of each temporary password,
                      roles, first position, audit events                (apply_import)
    re-check          the same file again: everything unchanged
    people list       /org/people search and branch filter, with N+40 people

Run from the repository root:  python bench/people_import.py [--rows 500]
The import runs inside one web request; its time grows with the number of new
people (Argon2 is deliberately slow), so compare it with the proxy's and
gunicorn's request timeouts.
"""
from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TMP = Path(tempfile.mkdtemp(prefix="lms-bench-people-"))
os.environ["LMS_INSTANCE_DIR"] = str(TMP)
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("LMS_BASE_URL", "http://127.0.0.1:5000")  # the app refuses to start without it
sys.path.insert(0, str(ROOT))


def _xlsx(rows: int) -> bytes:
    from openpyxl import Workbook

    from lms.org.imports import HEADERS

    branches = ["天元支行", "芦淞支行", "荷塘支行", "石峰支行", "渌口支行"]
    positions = ["实习生", "柜员", "初级客户经理", "中级客户经理", "高级客户经理"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(HEADERS))
    for i in range(rows):
        sheet.append([f"B{10000 + i}", f"员工{i}", branches[i % 5], positions[i % 5],
                      date(2020, 1, 1) + timedelta(days=i % 1500), "学员" if i % 7 else "学员、师傅"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"  {label:<28} {time.perf_counter() - start:8.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=500)
    args = parser.parse_args()

    from flask_babel import force_locale
    from flask_migrate import upgrade

    from lms import create_app
    from lms.demo import load_demo
    from lms.extensions import db
    from lms.org import imports, services

    app = create_app({"SECRET_KEY": "bench"})
    data = _xlsx(args.rows)
    with app.app_context(), app.test_request_context(), force_locale("zh_CN"):
        upgrade()
        load_demo("bench-pass-2024")
        print(f"people import, {args.rows} new people ({len(data) // 1024} KiB XLSX), SQLite")
        plan = timed("check + preview", lambda: imports.plan_import(data, "bench.xlsx"))
        assert not plan.problems, plan.problems[:3]

        def do_import():
            result = imports.apply_import(plan)
            db.session.commit()
            return result

        result = timed("import (commit included)", do_import)
        again = timed("re-check (all unchanged)", lambda: imports.plan_import(data, "bench.xlsx"))
        assert again.count("unchanged") == args.rows and result.created == args.rows
        flt = services.PeopleFilter(q="员工12")
        timed("people search ×100", lambda: [services.find_people(flt) for _ in range(100)])
        branch = db.session.scalar(db.select(services.Branch).where(services.Branch.code == "ZZ01"))
        city = services.PeopleFilter(branch_id=branch.id, position="teller")
        timed("branch + position filter ×100", lambda: [services.find_people(city) for _ in range(100)])


if __name__ == "__main__":
    main()
