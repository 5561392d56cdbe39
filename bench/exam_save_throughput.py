"""Autosave throughput: the real app against a bare Flask endpoint.

Both are served by gunicorn on 127.0.0.1 with the same workers and threads.
N concurrent clients (32 by default), each a prepared learner with a started
attempt, post autosaves (``POST /attempts/<id>/items/<item>``, as htmx does)
as fast as they are answered; then the same clients post to the bare
endpoint. Prints requests per second for both, the ratio (target ≥ 0.35) and
the autosave latency p50/p95 (target p95 ≤ 50 ms at 32 clients).

    python bench/exam_save_throughput.py [--database-url URL] [--clients 32] [--requests 100]
"""
from __future__ import annotations

import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402


def hammer(port: int, jobs: list, per_client: int) -> tuple[float, list[float], int, int]:
    """Each job is (path_fn, form_fn, headers) run ``per_client`` times on its own
    connection; all start together. Returns (seconds, latencies, ok, errors)."""
    latencies: list[float] = []
    counts = {"ok": 0, "errors": 0}
    lock = threading.Lock()
    barrier = threading.Barrier(len(jobs) + 1)

    def run(job):
        path_fn, form_fn, headers = job
        client = h.Client(port)
        mine, ok, bad = [], 0, 0
        barrier.wait()
        for i in range(per_client):
            t0 = time.perf_counter()
            try:
                status, _loc, _body = client.request("POST", path_fn(i), form_fn(i), headers)
            except OSError:
                status = 0
            mine.append(time.perf_counter() - t0)
            if status == 200:
                ok += 1
            else:
                bad += 1
        client.close()
        with lock:
            latencies.extend(mine)
            counts["ok"] += ok
            counts["errors"] += bad

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, latencies, counts["ok"], counts["errors"]


def report(label: str, seconds: float, latencies: list[float], ok: int, errors: int) -> float:
    rps = (ok + errors) / seconds if seconds else 0.0
    print(f"  {label:<10} {rps:8.0f} req/s   p50 {h.percentile(latencies, 50) * 1000:6.1f} ms   "
          f"p95 {h.percentile(latencies, 95) * 1000:6.1f} ms   ok {ok}  errors {errors}")
    return rps


def main() -> int:
    parser = h.arguments(__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=100, help="requests per client, each side")
    args = parser.parse_args()
    url = h.database_url(args.database_url)

    data = h.Data(url)
    data.migrate()
    exam_id = data.exam(questions=30, draw=10)
    sessions = [data.session(u) for u in data.learners(args.clients)]

    print(f"exam autosave throughput · {h.dialect(url)} · {args.clients} clients × {args.requests} requests · "
          f"gunicorn {args.workers} workers × {args.threads} threads")
    with h.Server("wsgi:app", url, args.workers, args.threads, name="app") as app_server:
        setup = h.Client(app_server.port)
        for s in sessions:
            s.attempt_id = h.start_exam(setup, s, exam_id)
            if s.attempt_id is None:
                print("could not start the exam; see", app_server.log)
                return 1
            s.items = data.items(s.attempt_id)
        setup.close()

        def save_job(s: h.Session):
            rng = random.Random(s.user_id)
            return (lambda i: f"/attempts/{s.attempt_id}/items/{s.items[i % len(s.items)]}",
                    lambda i: {f"a-{s.items[i % len(s.items)]}": rng.choice("ABCD")},
                    s.headers())

        hammer(app_server.port, [save_job(s) for s in sessions], 5)  # warm-up: connections, caches
        app = hammer(app_server.port, [save_job(s) for s in sessions], args.requests)

    with h.Server("bench.bare_app:app", url, args.workers, args.threads, name="bare") as bare_server:
        bare_job = (lambda i: "/save", lambda i: {"a-1": "B"}, {"Cookie": "session=x"})
        hammer(bare_server.port, [bare_job] * args.clients, 5)
        bare = hammer(bare_server.port, [bare_job] * args.clients, args.requests)

    app_rps = report("autosave", *app)
    bare_rps = report("bare Flask", *bare)
    ratio = app_rps / bare_rps if bare_rps else 0.0
    p95 = h.percentile(app[1], 95) * 1000
    print(f"  ratio autosave / bare = {ratio:.2f} (target ≥ 0.35: {'met' if ratio >= 0.35 else 'NOT met'})")
    print(f"  autosave p95 = {p95:.1f} ms (target ≤ 50 ms: {'met' if p95 <= 50 else 'NOT met'})")
    return 0 if app[3] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
