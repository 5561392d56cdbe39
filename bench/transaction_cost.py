"""CPU time of one ORM transaction that runs only ``SELECT 1`` (begin,
execute, commit), in this app and beside a bare SQLAlchemy engine and
Session doing the same on the same file, and plain sqlite3. Finds what one
database transaction costs every request, apart from what it runs.

    python bench/transaction_cost.py [--database-url URL] [--n 20000] [--rounds 5] [--profile FILE]

Prints the median of the rounds (µs of CPU per transaction) for each way.
``--profile`` writes a cProfile of one more round of the app's transaction.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402


def main() -> None:
    parser = h.arguments(__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20000, help="transactions per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", default=None)
    args = parser.parse_args()
    url = h.database_url(args.database_url)
    data = h.Data(url)
    data.migrate()
    app = data.app

    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from lms.database import transaction
    from lms.extensions import db

    one = select(1)
    bare_engine = create_engine(url)
    ways = {}

    def app_transaction():
        with transaction():
            db.session.execute(one)

    def app_session_commit():  # the app's scoped session, no transaction() wrapper
        db.session.execute(one)
        db.session.commit()

    def bare_session():
        with Session(bare_engine) as s:
            s.execute(one)
            s.commit()

    bare_s = Session(bare_engine)

    def bare_session_kept():
        bare_s.execute(one)
        bare_s.commit()

    ways["app: with transaction(): execute(select(1))"] = app_transaction
    ways["app: db.session.execute + commit"] = app_session_commit
    ways["bare SQLAlchemy: new Session per transaction"] = bare_session
    ways["bare SQLAlchemy: one Session, execute + commit"] = bare_session_kept
    if url.startswith("sqlite"):
        import sqlite3

        raw = sqlite3.connect(make_path(url), isolation_level=None)

        def plain():
            raw.execute("BEGIN")
            raw.execute("SELECT 1").fetchall()
            raw.execute("COMMIT")
        ways["plain sqlite3: BEGIN; SELECT 1; COMMIT"] = plain

    results = {name: [] for name in ways}
    with app.app_context():
        for fn in ways.values():
            for _ in range(500):
                fn()
        for _ in range(args.rounds):
            for name, fn in ways.items():
                started = time.process_time()
                for _ in range(args.n):
                    fn()
                results[name].append((time.process_time() - started) / args.n * 1e6)
        for name, values in results.items():
            print(f"{statistics.median(values):8.1f} µs  {name}   (rounds {min(values):.1f}–{max(values):.1f})")
        print(f"({h.dialect(url)}, {args.n} × {args.rounds})")
        if args.profile:
            import cProfile

            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.n):
                app_transaction()
            profile.disable()
            profile.dump_stats(args.profile)
            print(f"profile: {args.profile}")


def make_path(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).database


if __name__ == "__main__":
    main()
