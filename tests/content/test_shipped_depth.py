"""Every weekly exam of the shipped programmes draws from banks at least three
times as deep as the draw, so that a learner's retakes meet mostly questions
they have not seen (the draw already puts unseen questions first).

The rule, as content/FORMAT.md ("Depth of the shipped banks") states it: for
every exam that a programme *week* uses (bulletin checks are not weeks), for
every draw rule with a ``count``, in the order the exam draws:

- the rule's **pool** is the questions it matches (type, difficulty, any of its
  tags, its course or else the exam's course) that no earlier rule of the exam
  can match — an earlier rule may already have taken those; fixed questions
  (``questions: [...]``) are always taken and count for no rule;
- the pool holds at least 3 × ``count`` questions;
- **per difficulty**: a rule that names a difficulty draws only from that
  difficulty, so the pool above is that difficulty's; a rule that names none
  draws each difficulty *d* on average ``count × n_d / n`` times (n questions
  in the pool, n_d of them of difficulty d; the draw is uniform among unseen
  questions), and the pool must hold n_d ≥ 3 × that average for every
  difficulty it contains. (With today's uniform draw this is the same as
  n ≥ 3 × count; it is checked per difficulty so that the failure names the
  thin level.)

The content is read exactly as ``flask content check`` reads it, and must
have no problems."""
from __future__ import annotations

from pathlib import Path

from lms.content.source.checks import check
from lms.content.source.parser import parse_folder

CONTENT = Path(__file__).resolve().parents[2] / "content"
DEPTH = 3


def _matches(rule: dict, course: str | None, question) -> bool:
    return ((course is None or question.course_id == course)
            and ("type" not in rule or question.type == rule["type"])
            and ("difficulty" not in rule or question.difficulty == rule["difficulty"])
            and (not rule.get("tags") or not set(question.tags).isdisjoint(rule["tags"])))


def depth_shortfalls(bundle) -> list[str]:
    """One line per rule (and difficulty) of a weekly exam whose pool is less
    than DEPTH × what it draws, with the figures."""
    exams = {exam.id: exam for exam in bundle.exams}
    weekly = []
    for programme in bundle.programmes:
        for item in programme.items:
            if item.kind == "week" and item.exam_id and item.exam_id not in weekly:
                weekly.append(item.exam_id)
    out = []
    for exam_id in weekly:
        exam = exams[exam_id]
        claimed: set[str] = set()
        for number, rule in enumerate(exam.draw, start=1):
            if "questions" in rule:
                claimed |= set(rule["questions"])
                continue
            course = rule.get("course") or exam.course_id
            matching = {q.id: q for q in bundle.questions if _matches(rule, course, q)}
            pool = {qid: q for qid, q in matching.items() if qid not in claimed}
            claimed |= set(matching)
            count = int(rule["count"])
            where = f"{exam_id} rule {number} {_describe(rule)}"
            if len(pool) < DEPTH * count:
                out.append(f"{where}: draws {count}, pool {len(pool)} (needs {DEPTH * count})")
                continue
            if "difficulty" in rule:
                continue
            for level in sorted({q.difficulty for q in pool.values()}):
                n_d = sum(q.difficulty == level for q in pool.values())
                average = count * n_d / len(pool)
                if n_d < DEPTH * average - 1e-9:
                    out.append(f"{where}: {level} draws {average:.2f} on average, pool {n_d}")
    return out


def _describe(rule: dict) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in rule.items() if k != "line") + "}"


def test_every_weekly_exam_draws_from_banks_three_times_as_deep(app):
    bundle = parse_folder(CONTENT)
    assert not check(bundle, db_lookup=False)
    weeks = [item for p in bundle.programmes for item in p.items if item.kind == "week"]
    assert len(weeks) >= 12
    shortfalls = depth_shortfalls(bundle)
    assert not shortfalls, "\n".join(shortfalls)


def test_an_earlier_rule_takes_its_questions_from_a_later_ones_pool(app):
    """The definition in the docstring, on a small folder: two rules that
    match the same questions do not both count them."""
    from types import SimpleNamespace as NS

    questions = [NS(id=f"q{i}", type="single", difficulty="easy", tags=["a", "b"] if i < 6 else ["b"],
                    course_id="c") for i in range(9)]
    exam = NS(id="e", course_id="c", draw=[{"count": 2, "type": "single", "tags": ["a"]},
                                           {"count": 1, "type": "single", "tags": ["b"]}])
    programme = NS(items=[NS(kind="week", exam_id="e")])
    bundle = NS(exams=[exam], programmes=[programme], questions=questions)
    assert depth_shortfalls(bundle) == []
    exam.draw[1]["count"] = 2  # 3 left for rule 2 (q6–q8): 3 < 6
    assert depth_shortfalls(bundle) == ["e rule 2 {count: 2, type: single, tags: ['b']}: draws 2, pool 3 (needs 6)"]
