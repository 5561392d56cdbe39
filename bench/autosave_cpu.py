"""CPU time of one autosave in process: the whole WSGI call
(``app(environ, start_response)``, every hook, the session, CSRF, the user
loader, the service and the fragment), without a server or a client, beside
the same call to ``bare_app.py``. The machine is shared and its HTTP
throughput drifts; the process's own CPU time per request drifts much less,
so each change to what a request costs is measured here first and with
``exam_save_throughput.py`` (wrk) only at the end.

    python bench/autosave_cpu.py [--database-url URL] [--requests 2000] [--batches 5] [--profile FILE]

Prints the median of the batches (ms of CPU per request) for the autosave
and for bare Flask, and their ratio. ``--profile`` writes a cProfile of one
more batch of autosaves (read it with ``python -m pstats FILE``).
"""
from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402


def environ(path: str, body: bytes, headers: dict) -> dict:
    env = {
        "REQUEST_METHOD": "POST", "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "5000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
        "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "127.0.0.1:5000",
    }
    for name, value in headers.items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def call(app, path: str, form: dict, headers: dict) -> tuple[str, list, bytes]:
    body = urlencode(form).encode()
    env = environ(path, body, headers)
    env["wsgi.input"] = io.BytesIO(body)
    seen = {}

    def start_response(status, response_headers, exc_info=None):
        seen["status"], seen["headers"] = status, response_headers

    chunks = app(env, start_response)
    try:
        data = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return seen["status"], seen["headers"], data


def main() -> None:
    parser = h.arguments(__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per batch")
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--profile", default=None, help="write a cProfile of one more batch of autosaves here")
    args = parser.parse_args()
    url = h.database_url(args.database_url)

    data = h.Data(url)
    data.migrate()
    exam_id = data.exam(questions=30, draw=10)
    session = data.session(data.learners(1)[0])
    app = data.app
    from lms.extensions import db

    with app.app_context():
        db.engine.dispose()  # the app in this process serves from here on, as a worker would after preparing
    status, headers, _ = call(app, f"/exams/{exam_id}/start", {}, session.headers(htmx=False))
    location = dict(headers)["Location"]
    attempt_id = int(location.split("?")[0].rstrip("/").rsplit("/", 1)[-1])
    items, values = data.items(attempt_id), data.option_values(attempt_id)
    sys.path.insert(0, str(h.ROOT / "bench"))
    from bare_app import app as bare

    def autosave(i: int) -> None:
        item = items[i % len(items)]
        status, response_headers, body = call(app, f"/attempts/{attempt_id}/items/{item}",
                                              {f"a-{item}": values[item]["ABCD"[i % 4]]}, session.headers())
        assert status.startswith("200"), (status, body[:300])
        for name, value in response_headers:  # the idle clock's refresh, once a minute: kept as a browser keeps it
            if name == "Set-Cookie" and value.startswith("session="):
                session.cookie = value.split(";", 1)[0]

    def bare_save(i: int) -> None:
        status, _, _ = call(bare, "/save", {"a-1": "x"}, session.headers())
        assert status.startswith("200")

    def batch(one) -> float:
        started = time.process_time()
        for i in range(args.requests):
            one(i)
        return (time.process_time() - started) / args.requests * 1000

    import gc

    gc.collect()
    gc.freeze()  # as gunicorn.conf.py's workers do after loading
    for i in range(300):
        autosave(i)
        bare_save(i)
    saves, bares = [], []
    for _ in range(args.batches):
        saves.append(batch(autosave))
        bares.append(batch(bare_save))
    print(f"autosave   {statistics.median(saves):.3f} ms CPU per request (batches {min(saves):.3f}–{max(saves):.3f})")
    print(f"bare Flask {statistics.median(bares):.3f} ms CPU per request (batches {min(bares):.3f}–{max(bares):.3f})")
    print(f"ratio of CPU bare/autosave {statistics.median(bares) / statistics.median(saves):.2f}"
          f"   ({h.dialect(url)}, {args.requests} requests × {args.batches} batches)")
    if args.profile:
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
        batch(autosave)
        profile.disable()
        profile.dump_stats(args.profile)
        print(f"profile of {args.requests} autosaves: {args.profile}")


if __name__ == "__main__":
    main()
