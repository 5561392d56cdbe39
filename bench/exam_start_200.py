"""200 learners start the same exam at the same moment, then each answers.

Real HTTP against gunicorn on 127.0.0.1: every learner (a thread with its own
keep-alive connection and session) waits at a barrier, posts
``/exams/<id>/start``, opens the attempt page, and autosaves an answer to each
of its questions. Prints how many started, how many saves were acknowledged
(HTTP 200 from the autosave) and the errors (target: all start, all
acknowledged, zero errors), and checks in the database that every learner has
exactly one attempt holding every acknowledged answer.

    python bench/exam_start_200.py [--database-url URL] [--learners 200]
"""
from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402


def main() -> int:
    parser = h.arguments(__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--questions", type=int, default=10, help="questions drawn per attempt")
    args = parser.parse_args()
    url = h.database_url(args.database_url)

    data = h.Data(url)
    data.migrate()
    exam_id = data.exam(questions=30, draw=args.questions)
    sessions = [data.session(u) for u in data.learners(args.learners)]

    started, acknowledged, errors = Counter(), Counter(), Counter()
    saved: dict[int, tuple[int, str]] = {}  # item id -> (attempt id, acknowledged answer)
    lock = threading.Lock()
    barrier = threading.Barrier(len(sessions) + 1)
    start_times: list[float] = []

    def learner(s: h.Session):
        client = h.Client(port, timeout=120)
        barrier.wait()
        t0 = time.perf_counter()
        try:
            attempt_id = h.start_exam(client, s, exam_id)
            took = time.perf_counter() - t0
            if attempt_id is None:
                with lock:
                    errors["start refused"] += 1
                return
            status, _loc, body = client.request("GET", f"/attempts/{attempt_id}", None, s.headers(htmx=False))
            if status != 200:
                with lock:
                    errors[f"attempt page {status}"] += 1
                return
            items = sorted({int(m) for m in re.findall(rf"/attempts/{attempt_id}/items/(\d+)", body.decode())})
            # The value the page gives each option (opaque, per attempt), by the option's text 选项A…D.
            values = {(int(i), k): v for i, v, k in re.findall(
                r'name="a-(\d+)" value="([^"]+)"[^>]*>\s*<span class="opt-letter">[A-Z]</span>\s*选项([A-D])',
                body.decode())}
            with lock:
                started["attempts"] += 1
                start_times.append(took)
            for n, item_id in enumerate(items):
                answer = "ABCD"[(s.user_id + n) % 4]
                status, _loc, _body = client.request("POST", f"/attempts/{attempt_id}/items/{item_id}",
                                                     {f"a-{item_id}": values[item_id, answer]}, s.headers())
                with lock:
                    if status == 200:
                        acknowledged["saves"] += 1
                        saved[item_id] = (attempt_id, answer)
                    else:
                        errors[f"save {status}"] += 1
        except OSError as err:
            with lock:
                errors[type(err).__name__] += 1
        finally:
            client.close()

    print(f"{args.learners} learners start one exam at once · {h.dialect(url)} · "
          f"{h.served_as(args)}")
    with h.Server("wsgi:app", url, args) as server:
        port = server.port
        threads = [threading.Thread(target=learner, args=(s,)) for s in sessions]
        for t in threads:
            t.start()
        barrier.wait()
        t0 = time.perf_counter()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0

    # What the database holds: one attempt per learner, every acknowledged answer.
    from sqlalchemy import func, select

    from lms.exams.models import Attempt, AttemptItem
    from lms.extensions import db

    with data.app.app_context():
        per_learner = db.session.execute(
            select(Attempt.user_id, func.count(Attempt.id)).where(Attempt.exam_id == exam_id)
            .group_by(Attempt.user_id)).all()
        answers = dict(db.session.execute(
            select(AttemptItem.id, AttemptItem.answer_json).join(Attempt).where(Attempt.exam_id == exam_id)).all())
    lost = [i for i, (_a, answer) in saved.items() if answers.get(i) != json.dumps(answer)]
    doubles = sum(1 for _u, n in per_learner if n != 1)

    print(f"  started:               {started['attempts']} / {args.learners} "
          f"(start p50 {h.percentile(start_times, 50) * 1000:.0f} ms, max {max(start_times or [0]) * 1000:.0f} ms)")
    print(f"  acknowledged saves:    {acknowledged['saves']} / {args.learners * args.questions}")
    print(f"  errors:                {sum(errors.values())} {dict(errors) if errors else ''}")
    print(f"  in the database:       {len(per_learner)} learners with an attempt, {doubles} with more than one; "
          f"{len(lost)} acknowledged answers missing")
    print(f"  wall time:             {elapsed:.1f} s")
    ok = (started["attempts"] == args.learners and acknowledged["saves"] == args.learners * args.questions
          and not errors and not lost and not doubles)
    print("  target (all start, all acknowledged, zero errors):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
