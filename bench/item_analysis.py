"""Item analysis of an exam with 100,000 responses (target: under 1 s).

Generates learners, finalised attempts and their items straight into the
database (5,000 first attempts × 20 questions by default, plus retakes), with
answers drawn from a simple ability model so that the statistics mean
something (one question is keyed wrong on purpose and must come out as
misleading). Then times each analysis query of ``lms.exams.analysis`` and
the whole ``analyse()`` as the analysis page calls it, best of three.

    python bench/item_analysis.py [--database-url URL] [--attempts 5000] [--questions 20]
"""
from __future__ import annotations

import json
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402


def generate(data: h.Data, attempts: int, questions: int, retake_share: float = 0.25) -> int:
    from sqlalchemy import insert, select

    from lms.content.models import Course, Exam, Question, QuestionTag, QuestionVersion
    from lms.exams.models import Attempt, AttemptItem, IntegrityEvent
    from lms.extensions import db
    from lms.org.models import User

    rng = random.Random(20261128)
    with data.app.app_context():
        course = Course(slug=f"bench-{h.RUN}-ia", title="分析压测", track="products")
        db.session.add(course)
        db.session.flush()
        versions = []
        for n in range(questions):
            q = Question(slug=f"bench-{h.RUN}-ia-{n:03d}", course_id=course.id, bank="bench")
            db.session.add(q)
            db.session.flush()
            qtype = "multiple" if n % 5 == 4 else "single"
            data_ = {"options": [{"key": k, "text": f"选项{k}"} for k in "ABCD"],
                     "correct": ["A", "C"] if qtype == "multiple" else ["B"]}
            v = QuestionVersion(question_id=q.id, version=1, type=qtype, stem_md=f"分析题{n}", stem_html="",
                                data_json=json.dumps(data_), points=1.0 + n % 3, content_hash=f"ia{n}")
            v.tag_rows = [QuestionTag(tag=f"知识点{n % 4}")]
            db.session.add(v)
            db.session.flush()
            q.current_version_id = v.id
            versions.append(v)
        exam = Exam(slug=f"bench-{h.RUN}-ia", title="分析压测考试", course_id=course.id, draw_json="[]",
                    pass_mark=60.0, max_attempts=None, focus_loss_limit=None, closes_at=None)
        db.session.add(exam)
        db.session.commit()
        exam_id = exam.id
        max_score = sum(v.points for v in versions)
        spec = [(v.id, v.type, v.points, 0.5 + (i % 7) * 0.25) for i, v in enumerate(versions)]

        db.session.execute(insert(User), [{"employee_no": f"bench-{h.RUN}-ia-{i:05d}", "name": f"分析学员{i}",
                                           "password_hash": "", "created_at": datetime(2026, 3, 1)}
                                          for i in range(attempts)])
        user_ids = list(db.session.scalars(select(User.id).where(User.employee_no.like(f"bench-{h.RUN}-ia-%"))
                                           .order_by(User.id)))
        base = datetime(2026, 3, 2, 1, 0)
        plan = [(uid, 1) for uid in user_ids] + [(uid, 2) for uid in rng.sample(user_ids, int(len(user_ids) * retake_share))]
        attempt_rows, item_rows, events = [], [], []
        for uid, number in plan:
            ability = rng.gauss(0, 1) + (0.5 if number == 2 else 0)
            score = 0.0
            items = []
            for position, (vid, qtype, points, difficulty) in enumerate(spec, start=1):
                # The last question is keyed wrong: the strong pick the "wrong" answer.
                p_right = 1 / (1 + pow(2.718, -(ability * 1.7 - (difficulty - 1.0) * 2)))
                if position == len(spec):
                    p_right = 1 - p_right
                right = rng.random() < p_right
                if qtype == "multiple":
                    answer = ["A", "C"] if right else rng.choice([["A"], ["C"], ["A", "B"], ["B", "D"]])
                else:
                    answer = "B" if right else rng.choice("ACD")
                awarded = points if right else 0.0
                score += awarded
                items.append({"position": position, "question_version_id": vid,
                              "option_order_json": "null", "points": points, "answer_json": json.dumps(answer),
                              "awarded": awarded, "correct": right, "needs_grading": False, "grade_json": "null",
                              "grader_comment": "", "flagged": False})
            started = base + timedelta(minutes=rng.randrange(0, 60 * 24 * 6))
            minutes = rng.uniform(8, 30)
            percent = round(score / max_score * 100, 2)
            attempt_rows.append({"exam_id": exam_id, "user_id": uid, "number": number, "seed": 1,
                                 "state": "finalised", "started_at": started,
                                 "deadline": started + timedelta(minutes=30),
                                 "submitted_at": started + timedelta(minutes=minutes),
                                 "finalised_at": started + timedelta(minutes=minutes), "end_reason": "submitted",
                                 "score": score, "max_score": max_score, "percent": percent,
                                 "passed": percent >= 60.0, "focus_losses": 0})
            events.append([{"at": started + timedelta(minutes=k + 1), "kind": "hidden"}
                           for k in range(rng.randrange(1, 6) if rng.random() < 0.05 else 0)])
            item_rows.append(items)
        # Ids come from the database (sequences stay right on PostgreSQL), in the order of the rows.
        ids = list(db.session.scalars(insert(Attempt).returning(Attempt.id, sort_by_parameter_order=True),
                                      attempt_rows))
        item_rows = [dict(row, attempt_id=aid) for aid, rows in zip(ids, item_rows) for row in rows]
        events = [dict(ev, attempt_id=aid) for aid, evs in zip(ids, events) for ev in evs]
        for chunk in range(0, len(item_rows), 20000):
            db.session.execute(insert(AttemptItem), item_rows[chunk:chunk + 20000])
        if events:
            db.session.execute(insert(IntegrityEvent), events)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE attempt; ANALYZE attempt_item; ANALYZE integrity_event")
                conn.commit()
        print(f"  generated {len(attempt_rows)} attempts ({len(user_ids)} first), {len(item_rows)} responses, "
              f"{len(events)} integrity events")
        return exam_id


def timed(fn, *args, repeat: int = 3):
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> int:
    parser = h.arguments(__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=5000, help="first attempts (one learner each)")
    parser.add_argument("--questions", type=int, default=20)
    args = parser.parse_args()
    url = h.database_url(args.database_url)
    data = h.Data(url)
    data.migrate()
    print(f"item analysis · {h.dialect(url)}")
    t0 = time.perf_counter()
    exam_id = generate(data, args.attempts, args.questions)
    print(f"  (generation took {time.perf_counter() - t0:.1f} s)")

    from lms.content.models import Exam
    from lms.exams import analysis
    from lms.extensions import db

    with data.app.test_request_context():
        exam = db.session.get(Exam, exam_id)
        parts = [("overview (counts, pass rates, mean/median time)", analysis.overview),
                 ("score distribution", analysis.distribution),
                 ("item analysis (facility, discrimination, options)", analysis.item_analysis),
                 ("integrity per attempt", analysis.integrity_rows)]
        for label, fn in parts:
            seconds, _ = timed(fn, exam)
            print(f"  {label:<52} {seconds * 1000:7.1f} ms")
        total, result = timed(analysis.analyse, exam)
        print(f"  {'whole analysis page data (analyse)':<52} {total * 1000:7.1f} ms "
              f"(target < 1000 ms: {'met' if total < 1 else 'NOT met'})")
        flagged = [i.slug.rsplit('-', 1)[-1] for i in result.items if i.misleading]
        responses = sum(i.responses for i in result.items)
        print(f"  first-attempt responses analysed: {responses}; flagged misleading: {flagged}")
    return 0 if total < 1 else 1


if __name__ == "__main__":
    sys.exit(main())
