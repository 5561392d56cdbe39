"""What the per-user file limits (lms/file_limits.py) cost a download, against what they hold back.

Times, in one process and one run (the machine is noisy: compare the lines with each other):
- a small download (the people-import template CSV) with the limits off and on: the limit adds
  one upsert of the user's counter per download;
- one evidence pack PDF (what a loop of them costs the worker each time).

    python bench/file_limits.py [--rounds 30]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _median_ms(client, method: str, url: str, rounds: int, **kwargs) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        response = client.open(url, method=method, **kwargs)
        assert response.status_code == 200, (url, response.status_code)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    from flask_migrate import upgrade

    from lms import create_app
    from lms.extensions import db
    from lms.org.models import User, UserRole

    tmp = Path(tempfile.mkdtemp())
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite3'}", "SECRET_KEY": "bench",
                      "TESTING": True, "WTF_CSRF_ENABLED": False, "DOWNLOADS_PER_MINUTE": 10**6})
    with app.app_context():
        upgrade()
        hr = User(employee_no="HR1", name="周人事", password_hash="x", active=True)
        hr.role_rows = [UserRole(role=r) for r in ("hr", "learner")]
        db.session.add(hr)
        db.session.commit()
        user_id = hr.get_id()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = user_id, True
    url = "/org/people/import/template.csv"
    client.get(url)  # warm-up
    figures = {}
    for enabled in (False, True, False, True):
        app.config["RATELIMIT_ENABLED"] = enabled
        figures.setdefault(enabled, []).append(_median_ms(client, "GET", url, args.rounds))
    off, on = statistics.median(figures[False]), statistics.median(figures[True])
    print(f"template CSV, limits off: median {off:.2f} ms; limits on: {on:.2f} ms (+{on - off:.2f} ms a download)")
    pack = _median_ms(client, "POST", f"/org/people/{user_id.split(':')[0]}/evidence-pack.pdf", 3)
    print(f"one evidence pack PDF: median {pack:.0f} ms of 3 (30 a minute: {30 * pack / 60000:.0%} of one worker)")


if __name__ == "__main__":
    main()
