"""A bank-sized year: the pages each role opens most, with ~5,000 RMs in 60
branches and a year of weekly exams (targets: every page p95 ≤ 300 ms on
SQLite, SQL statements per page not growing with the rows shown, an export
of 5,000 rows under 150 MB peak RSS).

Builds, once, on top of the loaded demo (``lms.demo.load_demo``, the real
thing) and through SQLAlchemy Core bulk inserts: a city branch with 60
sub-branches; 5,000 RMs (tellers and every RM grade) with their position
history; a programme of 52 weekly exams (10 single-choice questions drawn
from the demo's 产品 bank; today in week 52) and every RM's year of it:
~300,000 attempts (pass mark 80, failures retaken), ~3,000,000 answers and
the 错题本 entries they leave; one 客户经理上岗资格 certificate per RM
(5,000); 50 mentors with 40 apprentices each (2,000 pairings) and 50
check-ins per pairing (100,000); 200,000 audit events (a valid hash chain).
``--scale 0.1`` builds a tenth of everything for a quick run.

The database is kept: a SQLite file (``--data``, default
``/tmp/lms-bank-year-<scale>.sqlite3``) or the PostgreSQL database given with
``--database-url`` is built the first time and reused after (it holds
``bank-hr``, the HR account of the run). Then, in process through Flask's
test client (no server: the figures are the app's own time), each page
``--rounds`` times: median and p95 of the wall clock, median CPU time of the process (which the
other engineers' load on this shared machine inflates less), the SQL statements of
one render (an event listener on the engine) and, for the exports, the peak
RSS of the process while it runs (``/proc/self/clear_refs`` resets the peak
first).

    python bench/bank_year.py [--database-url URL | --data FILE] [--scale 1.0] [--rounds 15] [--only WORDS] [--skip WORDS] [--export-rounds 3]
"""
from __future__ import annotations

import json
import os
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

WEEKS = 52
PER_EXAM = 10
POSITIONS = [("teller", 0.15), ("rm_junior", 0.35), ("rm_intermediate", 0.25), ("rm_senior", 0.15),
             ("rm_principal", 0.10)]
APPRENTICES_PER_MENTOR = 40
CHECK_INS_PER_PAIRING = 50
TARGET_MS, TARGET_MB = 300, 150
BANK_COURSE = "products"  # the demo course with most single-choice questions (49)


def counts(scale: float) -> dict:
    return {"people": max(200, round(5000 * scale)), "branches": max(6, round(60 * scale)),
            "mentors": max(5, round(50 * scale)), "audit": round(200_000 * scale)}


# --- building ---------------------------------------------------------------------------

def _ids_from(table, count: int) -> int:
    """The first of ``count`` ids this process assigns itself in ``table`` (bulk rows refer to each other)."""
    from sqlalchemy import func, select

    from lms.extensions import db

    return (db.session.scalar(select(func.max(table.c.id))) or 0) + 1


def _fix_sequences(*tables: str) -> None:
    from lms.extensions import db

    if db.engine.dialect.name == "postgresql":
        for table in tables:
            db.session.execute(db.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                       f"(SELECT max(id) FROM {table}))"))


def build(data: h.Data, scale: float) -> None:
    from sqlalchemy import insert, select

    from lms import clock
    from lms.audit.models import GENESIS, AuditEvent
    from lms.certificates.models import Certificate
    from lms.content.models import Certification, Course, Exam, Programme, ProgrammeItem, Question, QuestionVersion
    from lms.demo import load_demo
    from lms.exams.models import Attempt, AttemptItem, NotebookEntry
    from lms.extensions import db
    from lms.mentoring.models import CheckIn, Pairing
    from lms.org.models import Branch, PositionRecord, User, UserRole

    n = counts(scale)
    rng = random.Random(20261201)
    today = clock.today()
    t0 = time.perf_counter()
    with data.app.app_context():
        load_demo("demo-pass-2024")
        print(f"  demo loaded in {time.perf_counter() - t0:.0f} s")
        city = Branch(code="BANK", name="压测银行分行")
        db.session.add(city)
        db.session.flush()
        subs = [Branch(code=f"BANK{i:02d}", name=f"压测第{i}支行", parent_id=city.id) for i in range(n["branches"])]
        db.session.add_all(subs)
        db.session.flush()

        course = db.session.scalar(select(Course).where(Course.slug == BANK_COURSE))
        bank = db.session.execute(
            select(Question.id, QuestionVersion.id, QuestionVersion.data_json, QuestionVersion.points)
            .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
            .where(Question.course_id == course.id, QuestionVersion.type == "single")).all()
        bank = [(qid, vid, json.loads(d)["correct"][0], points) for qid, vid, d, points in bank]
        start = people_data.first_day(today, WEEKS)
        exams = [Exam(slug=f"bank-w{w:02d}", title=f"全行第{w}周测验", course_id=course.id,
                      draw_json=json.dumps([{"count": PER_EXAM, "type": "single"}]), pass_mark=80.0,
                      time_limit_minutes=30, max_attempts=None, open_to_all=False, scoring="best")
                 for w in range(1, WEEKS + 1)]
        db.session.add_all(exams)
        db.session.flush()
        programme = Programme(slug="bank-year", title="全行客户经理周周练（全年）", audience_json=json.dumps(
            {"branches": [], "positions": [p for p, _s in POSITIONS], "roles": ["learner"]}))
        programme.items = [ProgrammeItem(key=f"week-{w}", kind="week", number=w, title=f"第 {w} 周",
                                         exam_id=exams[w - 1].id, opens_on=start + timedelta(days=7 * (w - 1)),
                                         due_on=start + timedelta(days=7 * (w - 1) + 6))
                           for w in range(1, WEEKS + 1)]
        db.session.add(programme)
        db.session.commit()
        item_ids = [i.id for i in programme.items]

        positions = rng.choices([p for p, _s in POSITIONS], [s for _p, s in POSITIONS], k=n["people"])
        db.session.execute(insert(User), [
            {"employee_no": f"B{i:05d}", "name": f"客户经理{i}", "password_hash": "", "branch_id": subs[i % len(subs)].id,
             "created_at": datetime(2025, 1, 1)} for i in range(n["people"])])
        ids = list(db.session.scalars(select(User.id).where(User.employee_no.like("B%"),
                                                              User.branch_id.in_([s.id for s in subs]))
                                      .order_by(User.employee_no)))
        mentors = ids[:n["mentors"]]
        db.session.execute(insert(UserRole), [{"user_id": u, "role": "learner"} for u in ids]
                           + [{"user_id": u, "role": "mentor"} for u in mentors])
        for m in mentors:
            positions[ids.index(m)] = "rm_senior"
        people_data.insert_chunked(PositionRecord, [
            {"user_id": u, "position": p, "start_date": today - timedelta(days=400 + u % 900), "end_date": None,
             "note": ""} for u, p in zip(ids, positions, strict=True)])
        db.session.commit()

        # A year of weekly exams: everyone takes each past week; ~20 % fail and retake (some twice).
        # The current week (52) is left to the last fifth of the people: the bench starts one of theirs.
        attempt_t, item_t, note_t = Attempt.__table__, AttemptItem.__table__, NotebookEntry.__table__
        next_attempt = _ids_from(attempt_t, 0)
        made_attempts = made_items = made_notes = 0
        chunk_users = 100
        for c in range(0, len(ids), chunk_users):
            attempts, items, notes = [], [], []
            for uid in ids[c:c + chunk_users]:
                ability = rng.uniform(0.55, 0.97)
                wrong: dict[int, list] = {}
                last_week = WEEKS - 1 if ids.index(uid) >= 0.8 * len(ids) else WEEKS
                for w in range(1, last_week + 1):
                    day = start + timedelta(days=7 * (w - 1) + rng.randint(0, 5))
                    for number in (1, 2, 3):
                        at = datetime.combine(day, datetime.min.time()) + timedelta(hours=9 + number,
                                                                                    minutes=rng.randint(0, 59))
                        drawn = rng.sample(bank, PER_EXAM)
                        right = 0
                        for pos, (qid, vid, correct, points) in enumerate(drawn):
                            ok = rng.random() < ability
                            right += ok
                            answer = correct if ok else rng.choice([k for k in "ABCD" if k != correct])
                            items.append({"attempt_id": next_attempt, "position": pos, "question_version_id": vid,
                                          "option_order_json": '["A", "B", "C", "D"]', "points": points,
                                          "answer_json": json.dumps(answer), "saved_at": at, "flagged": False,
                                          "awarded": points if ok else 0.0, "correct": ok, "needs_grading": False,
                                          "grade_json": '{"fraction": %s}' % (1.0 if ok else 0.0),
                                          "grader_comment": ""})
                            if not ok:
                                wrong.setdefault(qid, [vid, at, at, 0])
                                wrong[qid][2], wrong[qid][3] = at, wrong[qid][3] + 1
                        percent = 100.0 * right / PER_EXAM
                        attempts.append({"id": next_attempt, "exam_id": exams[w - 1].id, "user_id": uid,
                                         "programme_item_id": item_ids[w - 1], "number": number, "seed": number,
                                         "state": "finalised", "started_at": at,
                                         "deadline": at + timedelta(minutes=30),
                                         "submitted_at": at + timedelta(minutes=12),
                                         "finalised_at": at + timedelta(minutes=12), "end_reason": "submitted",
                                         "score": float(right), "max_score": float(PER_EXAM), "percent": percent,
                                         "passed": percent >= 80.0, "pass_mark": 80.0, "focus_losses": 0})
                        next_attempt += 1
                        if percent >= 80.0 or rng.random() < 0.3:
                            break
                notes += [{"user_id": uid, "question_id": qid, "version_id": vid, "first_wrong_at": first,
                           "last_wrong_at": last, "times_wrong": times, "partly_right": False,
                           "cleared_at": last + timedelta(days=1) if rng.random() < 0.3 else None}
                          for qid, (vid, first, last, times) in wrong.items()]
            people_data.insert_chunked(Attempt, attempts, 10000)
            people_data.insert_chunked(AttemptItem, items, 20000)
            people_data.insert_chunked(NotebookEntry, notes, 10000)
            db.session.commit()
            made_attempts, made_items, made_notes = (made_attempts + len(attempts), made_items + len(items),
                                                     made_notes + len(notes))
            if c % 1000 == 0:
                print(f"    {c + chunk_users} people: {made_attempts} attempts, {made_items} answers "
                      f"({time.perf_counter() - t0:.0f} s)", flush=True)
        _fix_sequences("attempt")

        rmq = db.session.scalar(select(Certification).where(Certification.slug == "rm-qualification"))
        people_data.insert_chunked(Certificate, [
            {"certification_id": rmq.id, "user_id": uid, "serial": f"RMQ-BANK-{i:06d}",
             "verify_code": secrets.token_hex(16), "issued_on": today - timedelta(days=30 + i % 600),
             "expires_on": today - timedelta(days=30 + i % 600) + timedelta(days=730),
             "issued_at": datetime.combine(today - timedelta(days=30 + i % 600), datetime.min.time()),
             "issue_reason": "", "evidence_json": "[]", "holder_name": f"客户经理{i}",
             "holder_employee_no": f"B{i:05d}", "holder_branch": subs[i % len(subs)].name,
             "revoke_reason": "", "revoked_at": None} for i, uid in enumerate(ids)])

        first_pairing = _ids_from(Pairing.__table__, 0)
        apprentices = [u for u in ids if u not in set(mentors)][:len(mentors) * APPRENTICES_PER_MENTOR]
        pairings = [{"id": first_pairing + i, "mentor_id": mentors[i // APPRENTICES_PER_MENTOR], "apprentice_id": a,
                     "state": "active", "start_date": today - timedelta(days=360), "goals": "全年带教",
                     "end_reason": "", "created_at": datetime(2025, 12, 1)} for i, a in enumerate(apprentices)]
        people_data.insert_chunked(Pairing, pairings)
        _fix_sequences("mentor_pairing")
        checkins = [{"pairing_id": p["id"], "held_on": today - timedelta(days=7 * k + 1), "form": "face_to_face",
                     "topics_json": '["产品知识"]', "notes": f"第{k}次面谈：复盘本周测验。", "created_at": datetime(2026, 1, 1)}
                    for p in pairings for k in range(CHECK_INS_PER_PAIRING)]
        people_data.insert_chunked(CheckIn, checkins)

        last = db.session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc())
                                  .limit(1)).first()
        seq, prev = (last.seq, last.hash) if last else (0, GENESIS)
        events = []
        for i in range(n["audit"]):
            seq += 1
            e = AuditEvent(seq=seq, at=datetime.combine(start, datetime.min.time()) + timedelta(minutes=2 * i),
                           actor_id=None, actor_label="system", action="attempt.finalised", object_type="attempt",
                           object_id=str(i + 1), details="{}", prev_hash=prev)
            e.hash = prev = e.compute_hash()
            events.append({c: getattr(e, c) for c in ("seq", "at", "actor_id", "actor_label", "action", "object_type",
                                                       "object_id", "details", "prev_hash", "hash")})
        people_data.insert_chunked(AuditEvent, events)
        hr = User(employee_no="bank-hr", name="压测人事", password_hash="", branch_id=None)  # last: the data is built
        hr.role_rows = [UserRole(role="hr")]
        db.session.add(hr)
        db.session.commit()
        people_data.analyze()
        print(f"  built in {time.perf_counter() - t0:.0f} s: {len(ids)} RMs in {len(subs)} branches, "
              f"{made_attempts} attempts, {made_items} answers, {made_notes} 错题本 entries, {len(ids)} certificates, "
              f"{len(pairings)} pairings, {len(checkins)} check-ins, {n['audit']} audit events")


# --- measuring --------------------------------------------------------------------------

def _rss_peak_reset() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _status(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def prepare(data: h.Data) -> dict:
    """Who signs in and which ids the pages take; starts this run's open attempt (the exam page)."""
    from sqlalchemy import func, select

    from lms.certificates.models import Certificate
    from lms.content.models import EligibilityRule, Exam, Lesson, Programme, ProgrammeItem
    from lms.exams import attempts as exam_attempts
    from lms.exams.models import Attempt
    from lms.extensions import db
    from lms.mentoring.models import Pairing
    from lms.org.models import Branch, User

    with data.app.app_context():
        def user(no):
            return db.session.scalar(select(User).where(User.employee_no == no))
        programme = db.session.scalar(select(Programme).where(Programme.slug == "bank-year"))
        current = db.session.scalar(select(ProgrammeItem).where(ProgrammeItem.programme_id == programme.id,
                                                                ProgrammeItem.number == WEEKS))
        busiest = db.session.execute(select(Attempt.exam_id, func.count()).join(Exam, Exam.id == Attempt.exam_id)
                                     .where(Exam.slug.like("bank-w%")).group_by(Attempt.exam_id)
                                     .order_by(func.count().desc()).limit(1)).first()
        # A learner of the last fifth who has not taken this week's exam yet: this run starts it.
        learner = db.session.scalar(
            select(User).where(User.employee_no.like("B%"), User.branch_id.is_not(None),
                               ~select(Attempt.id).where(Attempt.user_id == User.id,
                                                         Attempt.exam_id == current.exam_id).exists())
            .order_by(User.employee_no.desc()).limit(1))
        attempt = exam_attempts.start_attempt(learner, db.session.get(Exam, current.exam_id), current)
        db.session.commit()
        mentor = db.session.scalar(select(User).join(Pairing, Pairing.mentor_id == User.id)
                                   .where(User.employee_no.like("B%")).order_by(User.employee_no).limit(1))
        apprentice = db.session.scalar(select(Pairing.apprentice_id).where(Pairing.mentor_id == mentor.id).limit(1))
        lesson = db.session.scalar(select(Lesson).order_by(Lesson.id).limit(1))
        branch = db.session.scalar(select(Branch.id).where(Branch.code == "BANK07"))
        return {"learner": learner.get_id(), "attempt": attempt.id, "mentor": mentor.get_id(),
                "apprentice": apprentice, "trainer": user("trainer").get_id(), "hr": user("bank-hr").get_id(),
                "exam": busiest[0], "exam_attempts": busiest[1], "programme": programme.id, "branch": branch,
                "lesson": f"/lessons/{lesson.id}",
                "rule": db.session.scalar(select(EligibilityRule.id).where(EligibilityRule.slug == "rm-intermediate")),
                "verify": db.session.scalar(select(Certificate.verify_code).where(Certificate.serial.like("RMQ-BANK-%"))
                                            .order_by(Certificate.id.desc()).limit(1))}


def pages(ids: dict) -> list[tuple[str, str, str]]:
    """(who, what, address), the way each role opens them most."""
    b, p, e = ids["branch"], ids["programme"], ids["exam"]
    return [
        ("learner", "learner home", "/"),
        ("learner", "exam page (this week's open attempt)", f"/attempts/{ids['attempt']}"),
        ("learner", "错题本", "/notebook/"),
        ("learner", "lesson", ids["lesson"]),
        ("learner", "my programme (52 weeks)", f"/programmes/{p}"),
        ("mentor", "mentor home (40 apprentices)", "/"),
        ("mentor", "师傅工作台", "/mentoring/desk"),
        ("mentor", "an apprentice", f"/mentoring/apprentices/{ids['apprentice']}"),
        ("trainer", f"item analysis ({ids['exam_attempts']} attempts)", f"/analysis/exams/{e}"),
        ("trainer", "analysis index", "/analysis/"),
        ("trainer", "rankings", f"/reports/rankings?programme={p}"),
        ("trainer", "exam results list", f"/grading/exams/{e}/attempts"),
        ("trainer", "exam results list, page 20", f"/grading/exams/{e}/attempts?page=20"),
        ("trainer", "roster", f"/reports/roster?programme={p}"),
        ("trainer", "roster, one branch, week 30, failed", f"/reports/roster?programme={p}&branch={b}&state=failed"),
        ("hr", "HR home", "/"),
        ("hr", "certificates register", "/certificates/"),
        ("hr", "certificates, one branch, page 2", f"/certificates/?branch={b}&page=2"),
        ("hr", "eligibility register", "/eligibility/"),
        ("hr", "eligibility for rm-intermediate", f"/eligibility/?rule={ids['rule']}"),
        ("hr", "pairings register", "/mentoring/admin/"),
        ("hr", "pairings, page 10", "/mentoring/admin/?page=10"),
        ("hr", "people", "/org/people"),
        ("hr", "people, one branch, page 2", f"/org/people?branch={b}&page=2"),
        ("hr", "people, search", "/org/people?q=客户经理42"),
        ("anonymous", "/verify/<code>", f"/verify/{ids['verify']}"),
    ]


def exports(ids: dict) -> list[tuple[str, str, str]]:
    return [
        ("hr", "certificates XLSX", "/certificates/export.xlsx"),
        ("hr", "certificates CSV", "/certificates/export.csv"),
        ("hr", "pairings XLSX", "/mentoring/admin/export/pairings.xlsx"),
        ("hr", "pairings CSV", "/mentoring/admin/export/pairings.csv"),
        ("hr", "eligibility XLSX (rm-intermediate)", f"/eligibility/export.xlsx?rule={ids['rule']}"),
        ("trainer", "roster XLSX", f"/reports/export/roster.xlsx?programme={ids['programme']}"),
    ]


def measure(data: h.Data, ids: dict, rounds: int, only: str, skip: str = "", export_rounds: int = 3,
            profile: str = "") -> None:
    from lms.extensions import db

    with data.app.app_context():
        statements = h.Statements(db.engine)
    clients = {who: (data.app.test_client() if who == "anonymous" else data.client(ids[who]))
               for who in ("learner", "mentor", "trainer", "hr", "anonymous")}
    print(f"\n{'page':<48} {'median':>8} {'p95':>8} {'CPU':>8} {'SQL':>5} {'KB':>6}   target p95 ≤ {TARGET_MS} ms")
    for who, label, url in pages(ids):
        if (only and only not in f"{who} {label}") or (skip and skip in f"{who} {label}"):
            continue
        client = clients[who]
        client.get(url)  # warm-up: templates compiled
        before = statements.count
        response = client.get(url)
        sql = statements.count - before
        assert response.status_code == 200, (url, response.status_code, response.headers.get("Location"))
        times, cpu, size = people_data.timed(client, url, rounds)
        if profile:
            _profile(client, url, profile + "".join(c if c.isalnum() else "-" for c in f"{who} {label}") + ".prof")
        p95 = h.percentile(times, 95)
        print(f"{who + ': ' + label:<48} {statistics.median(times):>6.0f}ms {p95:>6.0f}ms "
              f"{statistics.median(cpu):>6.0f}ms {sql:>5} {size // 1024:>6}"
              f"   {'met' if p95 <= TARGET_MS else 'NOT met'}", flush=True)
    print(f"\n{'export':<48} {'median':>8} {'CPU':>8} {'SQL':>5} {'rows':>6} {'peak RSS':>9} {'growth':>7}   "
          f"target < {TARGET_MB} MB")
    for who, label, url in exports(ids):
        if (only and only not in f"{who} {label}") or (skip and skip in f"{who} {label}"):
            continue
        client, runs, cpu, peak, grown, sql, rows = clients[who], [], [], 0.0, 0.0, 0, 0
        for _ in range(export_rounds):
            rss = _status("VmRSS")
            reset = _rss_peak_reset()
            before = statements.count
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.get(url)
            body = response.get_data()
            runs.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            sql = statements.count - before
            hwm = _status("VmHWM") if reset else float("nan")
            peak, grown = max(peak, hwm), max(grown, hwm - rss)
            rows = body.count(b"\n") if url.endswith("csv") or ".csv?" in url else len(body) // 1024
        unit = "" if ".csv" in url else " KB"
        print(f"{who + ': ' + label:<48} {statistics.median(runs):>6.0f}ms {statistics.median(cpu):>6.0f}ms {sql:>5} {rows:>5}{unit} {peak:>6.0f} MB "
              f"{grown:>+5.0f} MB   {'met' if peak < TARGET_MB else 'NOT met'}", flush=True)


def _profile(client, url: str, path: str) -> None:
    """One more render under cProfile, its statistics written to ``path`` (read them with ``pstats``)."""
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    profiler.dump_stats(path)


def main() -> None:
    parser = h.arguments(__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="SQLite file to build once and reuse")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--only", default="", help="only the pages whose '<who> <label>' holds these words")
    parser.add_argument("--export-rounds", type=int, default=3, help="downloads of each export (median)")
    parser.add_argument("--skip", default="", help="leave out the pages whose '<who> <label>' holds these words")
    parser.add_argument("--profile", default="", help="cProfile one more render of each page measured: "
                        "<PREFIX><who>-<page>.prof (read with pstats)")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{args.data or f'/tmp/lms-bank-year-{args.scale:g}.sqlite3'}"
    url = h.database_url(url)
    data = h.Data(url)
    data.migrate()
    from sqlalchemy import select

    from lms.extensions import db
    from lms.org.models import User

    with data.app.app_context():
        built = db.session.scalar(select(User.id).where(User.employee_no == "bank-hr"))
    print(f"A bank-sized year on {h.dialect(url)} ({url.rsplit('/', 1)[-1]}), scale {args.scale:g}, "
          f"load average {os.getloadavg()[0]:.1f}")
    if not built:
        build(data, args.scale)
    ids = prepare(data)
    measure(data, ids, args.rounds, args.only, args.skip, args.export_rounds, args.profile)


if __name__ == "__main__":
    main()
