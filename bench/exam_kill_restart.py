"""An acknowledged answer survives ``kill -9`` of the server.

Starts gunicorn on 127.0.0.1; learners start an exam and keep autosaving
answers (every save the server acknowledges with HTTP 200 is recorded). In the
middle of this the whole gunicorn process group is killed with SIGKILL, then
started again on the same port. The script then checks, for every attempt,
that each acknowledged answer is the one stored (or was replaced by a later
save of the same question that was in flight when the server died) and that
the deadline did not move; and that the learners can go on saving after the
restart.

    python bench/exam_kill_restart.py [--database-url URL] [--learners 20] [--kill-after 3]
"""
from __future__ import annotations

import http.client

import json
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402


def main() -> int:
    parser = h.arguments(__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument("--kill-after", type=float, default=3.0, help="seconds of saving before kill -9")
    args = parser.parse_args()
    url = h.database_url(args.database_url)

    data = h.Data(url)
    data.migrate()
    exam_id = data.exam(questions=30, draw=10)
    sessions = [data.session(u) for u in data.learners(args.learners)]

    from sqlalchemy import select

    from lms.exams.models import Attempt, AttemptItem
    from lms.extensions import db

    print(f"kill -9 in the middle of an exam · {h.dialect(url)} · {args.learners} learners · "
          f"{h.served_as(args)}")
    server = h.Server("wsgi:app", url, args).start()
    try:
        setup = h.Client(server.port)
        for s in sessions:
            s.attempt_id = h.start_exam(setup, s, exam_id)
            if s.attempt_id is None:
                print("could not start the exam; see", server.log)
                return 1
            s.items = data.items(s.attempt_id)
            s.values = data.option_values(s.attempt_id)
        setup.close()
        with data.app.app_context():
            deadlines = dict(db.session.execute(
                select(Attempt.id, Attempt.deadline).where(Attempt.exam_id == exam_id)).all())

        # item id -> list of answers in the order they were sent; and the acknowledged ones.
        sent: dict[int, list[str]] = {}
        acked: dict[int, list[str]] = {}
        lock = threading.Lock()
        stop = threading.Event()
        failures = {"after kill": 0}

        def learner(s: h.Session):
            client = h.Client(server.port, timeout=10)
            n = 0
            while not stop.is_set():
                item_id = s.items[n % len(s.items)]
                answer = "ABCD"[n % 4]
                n += 1
                with lock:
                    sent.setdefault(item_id, []).append(answer)
                try:
                    status, _l, _b = client.request("POST", f"/attempts/{s.attempt_id}/items/{item_id}",
                                                    {f"a-{item_id}": s.values[item_id][answer]}, s.headers())
                except (OSError, http.client.HTTPException):  # refused, reset, or a response cut short
                    with lock:
                        failures["after kill"] += 1
                    break  # the server is gone
                if status == 200:
                    with lock:
                        acked.setdefault(item_id, []).append(answer)
            client.close()

        threads = [threading.Thread(target=learner, args=(s,)) for s in sessions]
        for t in threads:
            t.start()
        time.sleep(args.kill_after)
        server.kill9()
        killed_at = time.perf_counter()
        stop.set()
        for t in threads:
            t.join()
        acknowledged = sum(len(v) for v in acked.values())
        print(f"  acknowledged saves before kill -9:  {acknowledged}")
        print(f"  requests cut off by the kill:       {failures['after kill']}")

        server = h.Server("wsgi:app", url, args, port=server.port).start()
        print(f"  restarted in:                       {time.perf_counter() - killed_at:.1f} s")

        with data.app.app_context():
            stored = dict(db.session.execute(
                select(AttemptItem.id, AttemptItem.answer_json).join(Attempt).where(Attempt.exam_id == exam_id)).all())
            after = dict(db.session.execute(
                select(Attempt.id, Attempt.deadline).where(Attempt.exam_id == exam_id)).all())
            states = dict(db.session.execute(
                select(Attempt.id, Attempt.state).where(Attempt.exam_id == exam_id)).all())

        lost = []
        for item_id, answers in acked.items():
            last_acked = answers[-1]
            # The stored answer is the last acknowledged one, or one sent after it (in flight at the kill).
            history = sent[item_id]
            index = max(i for i, a in enumerate(history) if a == last_acked)
            allowed = {json.dumps(a) for a in history[index:]}
            if stored.get(item_id) not in allowed:
                lost.append(item_id)
        moved = [a for a in deadlines if deadlines[a] != after.get(a)]
        still_open = sum(1 for a in deadlines if states.get(a) == "open")

        # And the exam goes on: every learner saves once more.
        client = h.Client(server.port)
        resumed = 0
        for s in sessions:
            item_id = s.items[0]
            status, _l, _b = client.request("POST", f"/attempts/{s.attempt_id}/items/{item_id}",
                                            {f"a-{item_id}": s.values[item_id]["B"]}, s.headers())
            resumed += status == 200
        client.close()
    finally:
        server.stop()

    print(f"  acknowledged answers missing:       {len(lost)}")
    print(f"  deadlines changed:                  {len(moved)} of {len(deadlines)}")
    print(f"  attempts still open after restart:  {still_open} of {len(deadlines)}")
    print(f"  learners saving again after restart: {resumed} of {len(sessions)}")
    ok = not lost and not moved and acknowledged > 0 and resumed == len(sessions)
    print("  target (every acknowledged answer kept, deadline unchanged):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
