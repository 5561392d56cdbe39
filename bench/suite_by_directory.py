"""Wall and CPU time of the test suite, one directory at a time (test.sh's
command, ``pytest -n 2 --dist loadgroup``, run on each part in turn), with
the machine's load before each part. The CPU seconds (user + system of
pytest, its workers and what they started, Chromium included) are the figure
to compare on a shared machine: the wall clock there grows with everyone
else's load. The suite's own speed is measured here, never by a timed
assertion. Parts: each folder of tests/ and the files directly in tests/.

    python bench/suite_by_directory.py [--database-url URL] [--out FILE] [--only content,exams] [--whole]

Without --database-url the tests use SQLite; with it, the PostgreSQL database
the suite's workers derive theirs from (as TEST_DATABASE_URL). Each part's
``--durations=60`` report goes to FILE.<part>.txt when --out is given.
``--whole`` runs the suite in one go instead (as CI does; part "whole")."""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parts() -> list[tuple[str, list[str]]]:
    tests = ROOT / "tests"
    found = [(d.name, [f"tests/{d.name}"]) for d in sorted(tests.iterdir())
             if d.is_dir() and any(d.glob("test_*.py"))]
    top = sorted(f"tests/{f.name}" for f in tests.glob("test_*.py"))
    return found + [("top-level", top)]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url")
    ap.add_argument("--out")
    ap.add_argument("--only", help="comma-separated part names")
    ap.add_argument("--whole", action="store_true", help="the whole suite as one part")
    args = ap.parse_args()
    env = dict(os.environ)
    env.pop("TEST_DATABASE_URL", None)
    if args.database_url:
        env["TEST_DATABASE_URL"] = args.database_url
    wanted = set(args.only.split(",")) if args.only else None
    rows, total, total_cpu = [], 0.0, 0.0
    for name, paths in ([("whole", [])] if args.whole else parts()):
        if wanted and name not in wanted:
            continue
        load = os.getloadavg()[0]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-p", "no:cacheprovider",
                               "-q", "--durations=60", *paths], cwd=ROOT, env=env, capture_output=True, text=True)
        seconds = time.monotonic() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        total += seconds
        total_cpu += cpu
        summary = (proc.stdout.strip().splitlines() or ["?"])[-1]
        if args.out:
            Path(f"{args.out}.{name}.txt").write_text(proc.stdout + proc.stderr, encoding="utf-8")
        rows.append((name, seconds, load, summary))
        print(f"{name:14} {seconds:7.1f} s  {cpu:7.1f} s CPU  load {load:4.1f}  {summary}", flush=True)
    print(f"{'total':14} {total:7.1f} s  {total_cpu:7.1f} s CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
