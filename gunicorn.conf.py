"""How gunicorn serves RM Academy. run.sh and the benchmarks under bench/
use this file (gunicorn reads ./gunicorn.conf.py by itself); LMS_WORKERS,
LMS_THREADS and LMS_WORKER_CLASS override it.

Sync workers, one more than the cores: each worker handles one request at a
time, so no request waits for the GIL behind another in the same process.
On two cores this served autosaves faster and with a far shorter tail than
threaded workers (SQLite: 1,272-1,293 autosaves/s, p95 28 ms, against 1,131/s,
p95 54 ms for gthread 3 × 4; bench/README.md). Sync workers expect a reverse proxy in front that buffers
slow clients (nginx, as gunicorn's deployment notes say); run.sh serves
127.0.0.1 only. Before any worker starts, ``on_starting`` refuses an
environment without the production settings (lms/production.py)."""
import os

bind = os.environ.get("LMS_BIND", "127.0.0.1:5000")
worker_class = os.environ.get("LMS_WORKER_CLASS", "sync")
workers = int(os.environ.get("LMS_WORKERS", (os.cpu_count() or 1) + 1))
threads = int(os.environ.get("LMS_THREADS", "1"))
backlog = 2048
timeout = 60


def on_starting(server):
    """Before any worker starts: refuse to serve without the production
    settings (lms/production.py), each problem named once, no traceback."""
    import sys

    from lms import production

    if os.environ.get("FLASK_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}:
        return
    found = production.problems(os.environ)
    if found:
        print(production.refusal(found), file=sys.stderr)
        sys.exit(1)
