"""A programme's audience page at bank scale: 20,000 people in the rule, HR's
additions and removals, signed in as HR (the whole bank), in process through
Flask's test client (no server: the figures are the app's own time).

Builds six sub-branches, ``--people`` RMs (four grades, so a rule on
``rm_*`` takes them all), 100 tellers of whom 50 are added by HR and 50 RMs
removed by HR; then renders, ``--rounds`` times each: the page, page 200, a
search by 工号, by name, one branch, the list swapped in by htmx (page 2), and
HR adding then removing one person (the form's POST with its CSRF token, up
to the redirect back to the page and filter it was sent beside). Prints the
median and p90 of the wall clock, the median CPU time, and the size.

    python bench/audience_20k.py [--database-url URL] [--people 20000] [--rounds 5]
"""
from __future__ import annotations

import re
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402
import _people as people  # noqa: E402

GRADES = ("rm_junior", "rm_intermediate", "rm_senior", "rm_principal")


def generate(data: h.Data, count: int) -> dict:
    from lms import clock
    from lms.extensions import db
    from lms.org.models import PositionRecord
    from lms.programmes.models import ProgrammeMember

    with data.app.app_context():
        subs = people.branches("A", "压测分行")
        programme, _exams = people.weekly_programme("全行客户经理周训", {"positions": ["rm_*"]},
                                                    people.first_day(clock.today()))
        hr = people.staff("hr", "人事专员")
        db.session.commit()
        rms = people.people("a", count, "客户经理", lambda i: subs[i % len(subs)].id)
        tellers = people.people("t", 100, "柜员", lambda i: subs[i % len(subs)].id)
        people.insert_chunked(PositionRecord, [
            {"user_id": uid, "position": GRADES[i % 4] if i < len(rms) else "teller",
             "start_date": date(2024, 1, 1), "note": ""} for i, uid in enumerate(rms + tellers)])
        now, today = clock.now(), clock.today()
        people.insert_chunked(ProgrammeMember, [
            {"programme_id": programme.id, "user_id": uid, "added": added, "reason": "压测", "since": today,
             "changed_at": now, "changed_by_id": hr.id}
            for uid, added in [(t, True) for t in tellers[:50]] + [(r, False) for r in rms[:50]]])
        db.session.commit()
        people.analyze()
        return {"programme": programme.id, "hr": hr.get_id(), "branch": subs[2].id,
                "no": f"bench-{h.RUN}-a01234", "name": "客户经理1234", "outsider": f"bench-{h.RUN}-t00077"}


def _csrf(html: str) -> str:
    return re.search(r'name="add-csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _change(client, programme: int, outsider: str, rounds: int) -> tuple[list[float], list[float]]:
    """HR adds ``outsider`` and removes them again, ``rounds`` times each (the POST up to its redirect)."""
    page = client.get(f"/programmes/{programme}/audience?q=客户经理&page=3").text
    token = _csrf(page)
    times, cpu = [], []
    for n in range(rounds * 2):
        which = "add" if n % 2 == 0 else "remove"
        t0, c0 = time.perf_counter(), time.process_time()
        answer = client.post(f"/programmes/{programme}/audience/{which}", data={
            f"{which}-csrf_token": token, f"{which}-employee_no": outsider, f"{which}-reason": f"压测{n}",
            "back": "q=客户经理&page=3"})
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        assert answer.status_code == 302 and "page=3" in answer.headers["Location"], (answer.status_code, answer.text[:400])
    return times, cpu


def main() -> None:
    parser = h.arguments(__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    url = h.database_url(args.database_url)
    data = h.Data(url)
    data.migrate()
    t0 = time.perf_counter()
    made = generate(data, args.people)
    print(f"{h.dialect(url)}: {args.people:,} RMs in the rule, 50 added and 50 removed by HR "
          f"({time.perf_counter() - t0:.0f} s to build)")
    client = data.client(made["hr"])
    base = f"/programmes/{made['programme']}/audience"
    pages = [("the page (as opened)", base), ("page 200", f"{base}?page=200"),
             ("search by 工号", f"{base}?q={made['no']}"), ("search by name", f"{base}?q={made['name']}"),
             ("one branch", f"{base}?branch={made['branch']}")]
    with data.app.app_context():
        client.get(base)  # templates compiled, caches warm
        print(f"{'page':<28} {'median ms':>10} {'p90 ms':>8} {'CPU ms':>8} {'size':>10}")
        for label, address in pages:
            times, cpu, size = people.timed(client, address, args.rounds)
            print(f"{label:<28} {statistics.median(times):>10.0f} {h.percentile(times, 90):>8.0f} "
                  f"{statistics.median(cpu):>8.0f} {size:>10,}")
        swapped = []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            answer = client.get(f"{base}?page=2", headers={"HX-Request": "true"})
            swapped.append((time.perf_counter() - t0) * 1000)
            assert answer.status_code == 200
        print(f"{'htmx: the list, page 2':<28} {statistics.median(swapped):>10.0f} {h.percentile(swapped, 90):>8.0f} "
              f"{'':>8} {len(answer.data):>10,}")
        times, cpu = _change(client, made["programme"], made["outsider"], args.rounds)
        print(f"{'add or remove (POST)':<28} {statistics.median(times):>10.0f} {h.percentile(times, 90):>8.0f} "
              f"{statistics.median(cpu):>8.0f}")


if __name__ == "__main__":
    main()
