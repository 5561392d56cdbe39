"""How long HR waits for a bulk import of people: check, preview and confirm.

Builds a fresh database with the demo organisation and its curriculum (the
eligibility rules in force: 客户经理岗位准入 guards 初级客户经理, and so on) and,
for each size (default 2,000 and 20,000 rows), two files HR brings:

    accepted   new interns, tellers and managers (positions no rule guards)
               and, every tenth row, a new 初级客户经理 with HR's reason in
               准入例外原因: every row passes, the file can be confirmed
    mixed      the same, but every fifth row puts a new person into a
               guarded position (初级/中级/高级客户经理) without a reason:
               the rules refuse it, naming the unmet conditions

and measures, as the upload and confirm requests do:

    check      read the file and check every row               (plan_import)
    preview    render the preview page of that plan
    confirm    the staged file checked again, then everyone created and
               committed: a light Argon2 hash of each temporary password,
               roles, first position, audit events              (apply_import)
    re-check   the accepted file again: every row unchanged
    changes    the same people, each in another branch: every row updated, one by one

A file holds at most 5,000 people (``imports.MAX_ROWS``); for 20,000 the
limit is raised in this process only, to see how the check scales.

Run from the repository root:

    python bench/people_import.py                       # SQLite, 2,000 and 20,000 rows
    python bench/people_import.py --rows 2000 --database-url postgresql+psycopg://lms:lms@127.0.0.1/lms_bench
    python bench/people_import.py --no-confirm          # check and preview only
    python bench/people_import.py --rows 2000 --profile confirm.prof   # cProfile of each confirm

``--database-url`` names a PostgreSQL database the role may create a schema
in: the bench works in a schema of its own there (``bench_people_<hex>``,
first on the connection's search path) and drops it at the end; the
database's other schemas are not touched.
"""
from __future__ import annotations

import argparse
import io
import os
import secrets
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

BRANCHES = ["天元支行", "芦淞支行", "荷塘支行", "石峰支行", "渌口支行"]
FREE = ["实习生", "柜员", "柜员", "实习生", "中层"]  # no rule guards them
GUARDED = ["初级客户经理", "中级客户经理", "高级客户经理"]


def _xlsx(rows: int, prefix: str, mixed: bool, moved: int = 0) -> bytes:
    """``rows`` new people; ``mixed``: every fifth into a guarded position without a reason;
    ``moved``: everyone ``moved`` branches further along (the same people, each changed)."""
    from openpyxl import Workbook

    from lms.org.imports import COL_OVERRIDE, HEADERS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([*HEADERS, COL_OVERRIDE])
    for i in range(rows):
        position, reason = FREE[i % 5], ""
        if i % 10 == 3:
            position, reason = "初级客户经理", "社会招聘，持他行客户经理资格证"
        elif mixed and i % 5 == 1:
            position = GUARDED[(i // 5) % 3]
        sheet.append([f"{prefix}{100000 + i}", f"员工{i}", BRANCHES[(i + moved) % 5], position,
                      date(2020, 1, 1) + timedelta(days=i % 1500), "学员" if i % 7 else "学员、师傅", reason])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"  {label:<44} {time.perf_counter() - start:8.2f} s", flush=True)
    return result


def _profiled(fn, profile: str | None, rows: int):
    """``fn``, run under cProfile writing to ``<profile>-<rows>`` when ``profile`` is given."""
    if not profile:
        return fn

    def run():
        import cProfile

        profiler = cProfile.Profile()
        try:
            return profiler.runcall(fn)
        finally:
            profiler.dump_stats(f"{profile}-{rows}")

    return run


def _postgres_schema(database_url: str) -> tuple[str, object]:
    """A fresh schema in the database of ``database_url``; returns a URL whose
    connections work in it, and how to drop it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    schema = f"bench_people_{secrets.token_hex(3)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--database-url", metavar="URL", help="a PostgreSQL database (default: SQLite)")
    parser.add_argument("--no-confirm", action="store_true", help="check and preview only")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of each confirm to FILE-<rows> (FILE-changes-<rows>)")
    args = parser.parse_args()

    drop = None
    config = {"SECRET_KEY": "bench"}
    if args.database_url:
        url, drop = _postgres_schema(args.database_url)
        config["SQLALCHEMY_DATABASE_URI"] = url
    try:
        _run(args, config)
    finally:
        if drop is not None:
            drop()


def _run(args, config: dict) -> None:
    from flask_babel import force_locale
    from flask_migrate import upgrade

    from lms import create_app
    from lms.demo import load_demo
    from lms.extensions import db
    from lms.org import imports
    from lms.org.views import IMPORT

    app = create_app(config)
    imports.MAX_ROWS = max(imports.MAX_ROWS, *args.rows)
    with app.app_context(), app.test_request_context(), force_locale("zh_CN"):
        upgrade()
        load_demo("bench-pass-2024")
        db.session.commit()
        print(f"people import, {db.engine.dialect.name}", flush=True)
        for n, rows in enumerate(args.rows):
            for mixed in (False, True):
                data = _xlsx(rows, f"{'MX' if mixed else 'OK'}{n}-", mixed)
                print(f"{rows} rows, {'mixed: some refused' if mixed else 'accepted'} ({len(data) // 1024} KiB XLSX)")
                plan = timed("check", lambda: imports.plan_import(data, "bench.xlsx"))
                with app.test_request_context():
                    page = timed("preview", lambda: IMPORT.preview_page(plan, "token"))
                refused = {p.row for p in plan.problems}
                print(f"  {'':<44} {len(plan.rows) - len(refused)} accepted, {len(refused)} refused, "
                      f"page {len(page) // 1024} KiB")
                if mixed:
                    assert refused, "the mixed file has rows the rules refuse"
                    continue
                assert plan.ok, plan.problems[:3]
                if args.no_confirm:
                    continue

                def confirm():
                    checked = imports.plan_import(data, "bench.xlsx")  # again, as the confirm request does
                    result = imports.apply_import(checked)
                    db.session.commit()
                    return result

                result = timed("confirm (check again, create, commit)", _profiled(confirm, args.profile, rows))
                assert result.created == rows, result
                again = timed("re-check (all unchanged)", lambda: imports.plan_import(data, "bench.xlsx"))
                assert again.count("unchanged") == rows
                moved = _xlsx(rows, f"OK{n}-", False, moved=1)

                def change():
                    result = imports.apply_import(imports.plan_import(moved, "bench.xlsx"))
                    db.session.commit()
                    return result

                result = timed("confirm changes (every row another branch)",
                               _profiled(change, args.profile and f"{args.profile}-changes", rows))
                assert result.updated == rows, result


if __name__ == "__main__":
    main()
