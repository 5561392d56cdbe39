"""The eligibility register for 10,000 people (targets: the register's first
page ≤ 150 ms median, the XLSX of all ≤ 5 s; the query count does not depend
on the number of people — tests/eligibility assert that).

Builds six sub-branches and 10,000 people in a mix of positions (interns,
tellers, RMs of every grade, managers) with their position history, the five
certifications and the five eligibility rules of the shipped content
(rm-junior-entry, rm-intermediate, rm-senior, rm-principal, mentor), about
one certificate per RM (some expired, some revoked), sign-offs for half the
juniors and tellers, and a programme of twelve weekly exams with attempts of
the tellers and juniors (the weeks_passed condition), straight into a fresh
database; then renders through Flask's test client, signed in as HR (in
process: no server, the figures are the app's own time):

- the register's first page (50 people × 5 rules), ``--rounds`` times, median and p90;
- the register filtered to "not eligible" for rm-intermediate (every person evaluated);
- the 持证上岗 monitor page and HR's home page (the alarm panel);
- the XLSX and CSV of the whole register (10,000 people × 5 rules = 50,000 rows), three times, median.

    python bench/eligibility_10k.py [--database-url URL] [--people 10000] [--rounds 15]
"""
from __future__ import annotations

import json
import random
import secrets
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402
import _people as people_data  # noqa: E402

MIX = [("intern", 0.08), ("teller", 0.32), ("rm_junior", 0.25), ("rm_intermediate", 0.15), ("rm_senior", 0.1),
       ("rm_principal", 0.05), ("manager", 0.05)]
CAREER = ["intern", "teller", "rm_junior", "rm_intermediate", "rm_senior", "rm_principal"]
WEEKS = people_data.WEEKS
CERTIFICATIONS = [("rm-qualification", "客户经理上岗资格", "RMQ"), ("rm-intermediate-qualification", "中级客户经理资格", "RMI"),
                  ("rm-senior-qualification", "高级客户经理资格", "RMS"),
                  ("rm-principal-qualification", "资深客户经理资格", "RMP"), ("mentor-qualification", "带教师傅资格", "MTQ")]


def rules(run: str) -> list[dict]:
    programme = f"bench-{run}"
    weeks = {"programme": programme, "last": 8, "min": 7}
    return [
        {"slug": f"bench-{run}-rm-junior-entry", "title": "初级客户经理准入", "target": "rm_junior",
         "requirements": {"certifications": ["rm-qualification"], "tenure": [{"positions": ["teller"], "months": 12}],
                          "signoff": True}},
        {"slug": f"bench-{run}-rm-intermediate", "title": "中级客户经理准入", "target": "rm_intermediate",
         "requirements": {"certifications": ["rm-qualification", "rm-intermediate-qualification"],
                          "tenure": [{"positions": ["rm_junior"], "months": 12}], "weeks_passed": weeks}},
        {"slug": f"bench-{run}-rm-senior", "title": "高级客户经理准入", "target": "rm_senior",
         "requirements": {"certifications": ["rm-qualification", "rm-senior-qualification"],
                          "tenure": [{"positions": ["rm_intermediate"], "months": 18}]}},
        {"slug": f"bench-{run}-rm-principal", "title": "资深客户经理准入", "target": "rm_principal",
         "requirements": {"certifications": ["rm-qualification", "rm-principal-qualification"],
                          "tenure": [{"positions": ["rm_senior"], "months": 24}]}},
        {"slug": f"bench-{run}-mentor", "title": "带教师傅准入", "target": "mentor",
         "requirements": {"certifications": ["rm-qualification", "mentor-qualification"],
                          "tenure": [{"positions": ["rm_senior", "rm_principal", "manager"], "months": 24}]}},
    ]


def generate(data: h.Data, people: int) -> dict:
    from sqlalchemy import insert, select

    from lms import clock
    from lms.certificates.models import Certificate
    from lms.content.models import Certification, EligibilityRule
    from lms.exams.models import Attempt
    from lms.extensions import db
    from lms.mentoring.models import Pairing, SignOff
    from lms.org.models import PositionRecord

    rng = random.Random(20261201)
    today = clock.today()
    start = people_data.first_day(today)
    with data.app.app_context():
        subs = people_data.branches("E", "准入压测分行")
        existing = {c.slug: c for c in db.session.scalars(select(Certification))}
        certs = {}
        for slug, title, prefix in CERTIFICATIONS:
            certs[slug] = existing.get(slug) or Certification(slug=slug, title=title, serial_prefix=prefix,
                                                               validity_months=24)
            db.session.add(certs[slug])
        for rule in rules(h.RUN):
            db.session.add(EligibilityRule(slug=rule["slug"], title=rule["title"], target=rule["target"],
                                           requirements_json=json.dumps(rule["requirements"], ensure_ascii=False)))
        _programme, exams = people_data.weekly_programme("准入压测十二周培训", {"positions": ["teller", "rm_junior"]},
                                                         start)
        db.session.commit()

        positions = rng.choices([p for p, _s in MIX], [s for _p, s in MIX], k=people)
        ids = people_data.people("e", people, "员工", lambda _i: rng.choice(subs).id)
        stints, certificates, attempts = [], [], []
        for uid, position in zip(ids, positions, strict=True):
            # The history that led here: each earlier step 6–30 months.
            steps = CAREER[:CAREER.index(position) + 1] if position in CAREER else CAREER[:4] + ["manager"]
            begin = today - timedelta(days=rng.randint(30, 900))
            history = [(steps[-1], begin, None)]
            for step in reversed(steps[:-1]):
                end = begin - timedelta(days=1)
                begin = end - timedelta(days=30 * rng.randint(6, 30))
                history.insert(0, (step, begin, end))
            stints += [{"user_id": uid, "position": p, "start_date": s, "end_date": e, "note": ""}
                       for p, s, e in history]
            held = [] if position in ("intern", "teller") else ["rm-qualification"]
            if position in ("rm_intermediate", "rm_senior", "rm_principal"):
                held.append("rm-intermediate-qualification")
            if position in ("rm_senior", "rm_principal", "manager"):
                held += ["rm-senior-qualification", "mentor-qualification"]
            if position == "teller" and rng.random() < 0.3:
                held.append("rm-qualification")
            for slug in held:
                if rng.random() < 0.08:
                    continue  # never had it
                issued = today - timedelta(days=rng.randint(10, 900))
                fate = rng.random()
                certificates.append({
                    "certification_id": certs[slug].id, "user_id": uid,
                    "serial": f"B{h.RUN}-{len(certificates):07d}", "verify_code": secrets.token_hex(16),
                    "issued_on": issued, "expires_on": issued + timedelta(days=730) if fate > 0.05
                    else today - timedelta(days=rng.randint(1, 200)),
                    "issued_at": datetime.combine(issued, datetime.min.time()), "issue_reason": "",
                    "evidence_json": "[]", "holder_name": f"员工{uid}", "holder_employee_no": str(uid),
                    "holder_branch": "", "revoke_reason": "违规" if 0.05 < fate < 0.08 else "",
                    "revoked_at": datetime.combine(today, datetime.min.time()) if 0.05 < fate < 0.08 else None})
            if position in ("teller", "rm_junior"):
                for n, exam in enumerate(exams, start=1):
                    if start + timedelta(days=7 * (n - 1) + 6) >= today or rng.random() < 0.06:
                        continue
                    at = datetime.combine(start + timedelta(days=7 * (n - 1) + 2), datetime.min.time())
                    percent = round(60 + 40 * rng.random(), 1)
                    attempts.append({"exam_id": exam.id, "user_id": uid, "number": 1, "seed": 1, "state": "finalised",
                                     "started_at": at, "deadline": at + timedelta(minutes=30),
                                     "submitted_at": at + timedelta(minutes=15),
                                     "finalised_at": at + timedelta(minutes=15), "end_reason": "submitted",
                                     "score": percent, "max_score": 100.0, "percent": percent,
                                     "passed": percent >= 80.0, "focus_losses": 0})
        for table, rows in ((PositionRecord, stints), (Certificate, certificates), (Attempt, attempts)):
            people_data.insert_chunked(table, rows)
        mentors = [uid for uid, p in zip(ids, positions, strict=True) if p in ("rm_senior", "rm_principal")][:300]
        apprentices = [uid for uid, p in zip(ids, positions, strict=True)
                       if p in ("teller", "rm_junior") and rng.random() < 0.5]
        db.session.execute(insert(Pairing), [
            {"mentor_id": mentors[i % len(mentors)], "apprentice_id": uid, "state": "signed_off",
             "start_date": today - timedelta(days=200), "goals": "", "end_reason": "",
             "created_at": datetime(2026, 1, 1)} for i, uid in enumerate(apprentices)])
        pairings = db.session.execute(select(Pairing.id, Pairing.mentor_id, Pairing.apprentice_id)
                                      .where(Pairing.apprentice_id.in_(apprentices))).all()
        db.session.execute(insert(SignOff), [
            {"pairing_id": pid, "apprentice_id": aid, "mentor_id": mid, "signed_on": today - timedelta(days=30),
             "signed_at": datetime(2026, 1, 1), "scores_json": "[]", "recommendation": "ready", "comment": "",
             "withdraw_reason": ""} for pid, mid, aid in pairings])
        hr = people_data.staff("hr", "压测人事")
        db.session.commit()
        people_data.analyze()
        print(f"  generated {len(ids)} people in {len(subs)} branches, {len(stints)} stints, "
              f"{len(certificates)} certificates, {len(pairings)} sign-offs, {len(attempts)} attempts")
        rule_id = db.session.scalar(select(EligibilityRule.id).where(
            EligibilityRule.slug == f"bench-{h.RUN}-rm-intermediate"))
        return {"hr": hr.get_id(), "rule": rule_id, "people": len(ids)}


def main() -> None:
    parser = h.arguments(__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    url = h.database_url(args.database_url)
    print(f"Eligibility bench on {h.dialect(url)}: {args.people} people × 5 rules")
    data = h.Data(url)
    data.migrate()
    t0 = time.perf_counter()
    ids = generate(data, args.people)
    print(f"  data ready in {time.perf_counter() - t0:.1f} s")
    client = data.client(ids["hr"])
    client.get("/eligibility/")  # warm-up: templates compiled, first connection
    for label, path, target, rounds in (
            ("register, first page (50 people × 5 rules)", "/eligibility/", 150, args.rounds),
            ("register: not eligible for rm-intermediate (everyone evaluated)",
             f"/eligibility/?rule={ids['rule']}&state=not_eligible", None, 5),
            ("持证上岗 monitor page", "/eligibility/monitor", None, 5),
            ("HR's home page (the alarm panel first)", "/", None, 5)):
        times, cpu, size = people_data.timed(client, path, rounds)
        median, p90 = statistics.median(times), h.percentile(times, 90)
        verdict = "" if target is None else (" — met" if median <= target else " — NOT met")
        print(f"  {label}: median {median:.0f} ms, p90 {p90:.0f} ms, CPU median {statistics.median(cpu):.0f} ms "
              f"({size // 1024} KB)" + (f"; target ≤ {target} ms{verdict}" if target else ""))
    for fmt, target in (("xlsx", 5), ("csv", None)):
        times, cpu, size = people_data.timed(client, f"/eligibility/export.{fmt}", 3)
        median = statistics.median(times) / 1000
        print(f"  {fmt.upper()} of the whole register ({ids['people']} people × 5 rules): median {median:.2f} s of 3, "
              f"CPU {statistics.median(cpu) / 1000:.2f} s ({size // 1024} KB)"
              + (f"; target ≤ {target} s — " + ("met" if median <= target else "NOT met") if target else ""))


if __name__ == "__main__":
    main()
