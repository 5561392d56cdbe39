"""Autosave throughput: the real app against a bare Flask endpoint.

Both are served by gunicorn on 127.0.0.1 the same way (gunicorn.conf.py, as
run.sh serves the app, unless --workers/--threads/--worker-class say
otherwise), side by side. The load comes from wrk (Debian package ``wrk``),
so that the client takes little of the two cores: N connections (32 by
default), each its own wrk thread and a prepared learner with a started
attempt, post autosaves (``POST /attempts/<id>/items/<item>``, as htmx does)
for --seconds; then the same connections post to the bare endpoint for as
long. That is one round; --rounds of them alternate, so that both sides meet
the same machine (a shared machine's speed drifts by a third within
minutes). Prints every round, then requests per second over all rounds, the
median of the rounds' ratios (target ≥ 0.30) and the median of their
autosave p95 (target ≤ 50 ms at 32 clients).

    python bench/exam_save_throughput.py [--database-url URL] [--clients 32] [--rounds 5] [--seconds 4]
"""
from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import _harness as h  # noqa: E402


def wrk(port: int, lines: list[str], clients: int, seconds: int) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p95 ms, failed requests) of one wrk run."""
    sessions = h.TMP / "sessions.txt"
    sessions.write_text("\n".join(lines) + "\n")
    out = subprocess.run(["wrk", "--threads", str(clients), "--connections", str(clients), "--duration", f"{seconds}s",
                          "--timeout", "10s", "--script", str(HERE / "autosave.lua"), f"http://127.0.0.1:{port}",
                          "--", str(sessions)], capture_output=True, text=True, check=True).stdout
    result = next(line for line in out.splitlines() if line.startswith("RESULT ")).split()[1:]
    requests, micros, p50, p95, bad_status, socket_errors = (int(v) for v in result)
    return requests / (micros / 1e6), p50 / 1000, p95 / 1000, bad_status + socket_errors


def report(label: str, rps: float, p50: float, p95: float, failed: int) -> None:
    print(f"  {label:<10} {rps:8.0f} req/s   p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   failed {failed}")


def main() -> int:
    parser = h.arguments(__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=4, help="measured seconds, each side of a round")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk")
        return 2
    url = h.database_url(args.database_url)

    data = h.Data(url)
    data.migrate()
    exam_id = data.exam(questions=30, draw=10)
    sessions = [data.session(u) for u in data.learners(args.clients)]

    print(f"exam autosave throughput · {h.dialect(url)} · {args.clients} connections · "
          f"{args.rounds} rounds × {args.seconds} s each side · {h.served_as(args)} · wrk")
    with h.Server("wsgi:app", url, args, name="app") as app_server, \
            h.Server("bench.bare_app:app", url, args, name="bare") as bare_server:
        setup = h.Client(app_server.port)
        for s in sessions:
            s.attempt_id = h.start_exam(setup, s, exam_id)
            if s.attempt_id is None:
                print("could not start the exam; see", app_server.log)
                return 1
            s.items = data.items(s.attempt_id)
            s.values = data.option_values(s.attempt_id)
        setup.close()
        app_lines = [f"/attempts/{s.attempt_id}/items/|{s.cookie}|{s.csrf}|"
                     + ",".join(f"{item}:" + ":".join(s.values[item].values()) for item in s.items)
                     for s in sessions]
        bare_lines = ["/save?item=|session=x|x|" + ",".join(str(n) for n in range(10))] * args.clients
        wrk(app_server.port, app_lines, args.clients, 2)  # warm-up: connections, caches
        wrk(bare_server.port, bare_lines, args.clients, 2)
        rounds = []
        for n in range(1, args.rounds + 1):
            app = wrk(app_server.port, app_lines, args.clients, args.seconds)
            bare = wrk(bare_server.port, bare_lines, args.clients, args.seconds)
            rounds.append((app, bare))
            print(f"  round {n}: autosave {app[0]:6.0f} req/s, p95 {app[2]:5.1f} ms · bare {bare[0]:6.0f} req/s"
                  f" · ratio {app[0] / bare[0]:.2f}")

    saved = data.answered_items([s.attempt_id for s in sessions])
    print("  over the rounds (req/s: mean; p50, p95: median):")
    for label, side in (("autosave", 0), ("bare Flask", 1)):
        runs = [r[side] for r in rounds]
        report(label, statistics.fmean(r[0] for r in runs), statistics.median(r[1] for r in runs),
               statistics.median(r[2] for r in runs), sum(r[3] for r in runs))
    ratios = [app[0] / bare[0] for app, bare in rounds]
    ratio, p95 = statistics.median(ratios), statistics.median(app[2] for app, _bare in rounds)
    print(f"  ratio autosave / bare = {ratio:.2f}, median of {len(ratios)} rounds ({min(ratios):.2f}–{max(ratios):.2f})"
          + (f" (SQLite target ≥ 0.30: {'met' if ratio >= 0.30 else 'NOT met'})" if "sqlite" in url else
             " (PostgreSQL shares the two cores with the app: reported, no target)"))
    print(f"  autosave p95 = {p95:.1f} ms, median of the rounds (target ≤ 50 ms: {'met' if p95 <= 50 else 'NOT met'})")
    total = sum(len(s.items) for s in sessions)
    print(f"  stored answers afterwards: {saved} of {total} questions")
    failed = sum(app[3] for app, _bare in rounds)
    return 0 if failed == 0 and saved == total else 1


if __name__ == "__main__":
    sys.exit(main())
