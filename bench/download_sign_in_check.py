"""What asking the sign-in again costs a download (``lms/auth/session_check.py``).

A streamed CSV asks once per block of ``CSV_BLOCK`` (1,000) rows whether its
sign-in still holds: one query on a connection of its own. This prints the
cost of one check, and the time to make a 20,000-row × 15-column CSV with the
check and without it, measured in one run (the machine is noisy: compare the
two lines, not runs).

    python bench/download_sign_in_check.py [--database-url URL] [--rows 20000] [--rounds 5]
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402


def main() -> None:
    parser = h.arguments(__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    url = h.database_url(args.database_url)
    data = h.Data(url)
    data.migrate()
    [(user_id, _version)] = data.learners(1)

    from flask_login import login_user

    from lms.auth import session_check
    from lms.extensions import db
    from lms.org.models import User, UserRole
    from lms.reports import exports

    with data.app.app_context():
        db.session.add(UserRole(user_id=user_id, role="hr"))  # the roster's download needs a reader's role
        db.session.commit()

    rows = [[f"R{i:05d}", f"学员{i}", "天元支行", "初级客户经理", *(f"第{w}周 通过" for w in range(11))]
            for i in range(args.rows)]
    headers = [f"列{c}" for c in range(15)]
    with data.app.test_request_context("/reports/export/roster.csv"):
        login_user(db.session.get(User, user_id))
        check = session_check.for_this_request()
        check.ended()  # the pool's connection made once
        started = time.perf_counter()
        for _ in range(2000):
            check.ended()
        per_check = (time.perf_counter() - started) / 2000

        def csv_seconds(with_check: bool) -> float:
            real = session_check.for_this_request
            exports.for_this_request = real if with_check else (lambda: None)
            try:
                started = time.perf_counter()
                for _block in exports.csv_blocks(headers, iter(rows)):
                    pass
                return time.perf_counter() - started
            finally:
                exports.for_this_request = real

        timings = {True: [], False: []}
        for _ in range(args.rounds):
            for with_check in (False, True):
                timings[with_check].append(csv_seconds(with_check))
    print(f"database: {h.dialect(url)}")
    print(f"one check: {per_check * 1e6:.0f} µs")
    print(f"{args.rows:,} rows CSV without the check: {statistics.median(timings[False]) * 1000:.0f} ms (median of "
          f"{args.rounds})")
    print(f"{args.rows:,} rows CSV with the check ({args.rows // exports.CSV_BLOCK} checks): "
          f"{statistics.median(timings[True]) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
