"""Exam statistics for trainers, after Moodle's quiz statistics report.

Everything is aggregated by the database (GROUP BY, SUM, COUNT); Python only
combines a handful of rows per question, so an exam with 100,000 responses is
analysed in well under a second (``bench/item_analysis.py`` measures it).

Choices, stated once:

* **Which attempts.** The overview (attempts, learners, pass rates, times,
  score distribution) counts every finalised attempt. The item analysis uses
  **first attempts only** (``Attempt.number == 1``), as Moodle does by
  default: retakes are taken by people who have seen the questions and the
  feedback, which would make every question look easier and blur the
  discrimination.
* **Facility index**: the mean fraction of the item's points awarded
  (0 = nobody scored, 1 = everybody scored full marks).
* **Discrimination index**: Pearson's correlation between the item's fraction
  and the fraction of the *rest of the test* (the attempt's points without
  this item, over the attempt's maximum without this item) — Moodle's
  "discrimination index". From -1 to 1; below 0 means the stronger candidates
  do worse on this item than the weaker ones: the question is misleading or
  its key is wrong. Flagged only from ``MIN_RESPONSES_TO_JUDGE`` first-attempt
  responses on, as "too easy" and "too hard" are: below that the indices are
  shown, marked as too few to judge. Computed from the sums n, Σx, Σy, Σx², Σy², Σxy that the
  database returns per question.
* **Per question, across versions**: a question that was edited has several
  versions in the results; rows are grouped by the question's stable id and
  show the versions drawn, with their response counts.
* **Option counts** (single and multiple choice): how many responses contain
  each option key, derived from ``answer_json`` in SQL. Keys are the letters
  of the question as written (A, B, …), independent of the shuffled display
  order. A question answered in one version shows that version's options and
  key. A question answered in several versions (its key or options may have
  changed between them) shows each version apart, newest first: its number,
  when it was published, its own option rows, ✓ by its own key, counts,
  responses and facility — never one version's answers marked by another's key.
* **Pass rate**: learners with at least one passed attempt over learners with
  a finalised attempt. **First-try pass rate**: passed first attempts over
  finalised first attempts.
"""
from __future__ import annotations

import math
import string
from dataclasses import dataclass, field

from sqlalchemy import and_, case, distinct, extract, func, or_, select

from lms import questions
from lms.content.models import Exam, Question, QuestionVersion
from lms.exams.models import Attempt, AttemptItem, IntegrityEvent
from lms.extensions import db
from lms.sorting import exam_order
from lms.org.models import User

TOO_EASY = 0.9
TOO_HARD = 0.2
# A correlation from a handful of answers is mostly chance (with 8 answers a
# sound question shows r < 0 about one time in four): an item is called
# misleading only with at least this many first-attempt responses.
MIN_RESPONSES_TO_JUDGE = 20
BUCKETS = 10  # 10% buckets: 0–10, 10–20, … 90–100
CHOICE_TYPES = questions.CHOICE_TYPES


@dataclass
class Overview:
    attempts: int
    open_attempts: int
    learners: int
    learners_passed: int
    first_attempts: int
    first_attempts_passed: int
    mean_seconds: float | None
    median_seconds: float | None
    mean_percent: float | None

    @property
    def pass_rate(self) -> float | None:
        return self.learners_passed / self.learners if self.learners else None

    @property
    def first_try_pass_rate(self) -> float | None:
        return self.first_attempts_passed / self.first_attempts if self.first_attempts else None


@dataclass
class Bucket:
    low: int  # percent, inclusive
    high: int  # percent, exclusive (100 inclusive for the last)
    count: int
    passing: bool  # the whole bucket is at or above the pass mark


@dataclass
class OptionCount:
    key: str
    text: str
    correct: bool
    count: int
    share: float | None


@dataclass
class VersionOptions:
    """The option table of one version of a choice question answered in several."""
    version: int
    published_at: object  # when the version was published (its creation)
    responses: int
    facility: float | None
    options: list[OptionCount] = field(default_factory=list)


@dataclass
class ItemStats:
    question_id: int
    slug: str
    qtype: str
    stem: str  # the newest version's text (markdown); the page shows it on one line, blanks as （1）
    versions: list[tuple[int, int]]  # (version, responses)
    responses: int
    facility: float | None
    discrimination: float | None
    options: list[OptionCount] = field(default_factory=list)  # answered in one version only
    by_version: list[VersionOptions] = field(default_factory=list)  # answered in several: newest first
    # Responses with all the points, with part of them (部分得分), with none.
    right: int = 0
    partly: int = 0
    wrong: int = 0

    @property
    def too_easy(self) -> bool:
        return self.facility is not None and self.facility > TOO_EASY and not self.too_few_to_judge

    @property
    def too_hard(self) -> bool:
        return self.facility is not None and self.facility < TOO_HARD and not self.too_few_to_judge

    @property
    def too_few_to_judge(self) -> bool:
        """Answered, but too seldom for any flag: four learners who all got it right say as little about
        its difficulty as about its discrimination."""
        return 0 < self.responses < MIN_RESPONSES_TO_JUDGE

    @property
    def misleading(self) -> bool:
        return self.discrimination is not None and self.discrimination < 0 and not self.too_few_to_judge


@dataclass
class IntegrityRow:
    attempt_id: int
    employee_no: str
    name: str
    number: int
    events: int
    first_at: object
    last_at: object


@dataclass
class ExamAnalysis:
    exam: Exam
    overview: Overview
    distribution: list[Bucket]
    items: list[ItemStats]
    integrity: list[IntegrityRow]
    attempts_with_events: int


def _seconds(start, end):
    """Seconds between two timestamp columns, in the database's own dialect."""
    if db.engine.dialect.name == "postgresql":
        return extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def _finalised(exam_id: int):
    return and_(Attempt.exam_id == exam_id, Attempt.state == "finalised")


# The exam's attempts are found by the exam alone and sorted out by their state
# inside the statement (CASE): with ``exam_id = ? AND state = 'finalised'`` in
# the WHERE, SQLite (no statistics unless someone runs ANALYZE) chose the index
# on the state and walked every finalised attempt of every exam — a year of
# weekly exams is 375,000 of them for one exam's 7,000.
_DONE = Attempt.state == "finalised"


def overview(exam: Exam) -> Overview:
    def done(value):
        return case((_DONE, value))

    timed = and_(_DONE, Attempt.submitted_at.is_not(None))
    row = db.session.execute(
        select(func.count(done(Attempt.id)),
               func.count(distinct(done(Attempt.user_id))),
               func.count(distinct(case((and_(_DONE, Attempt.passed.is_(True)), Attempt.user_id)))),
               func.sum(case((and_(_DONE, Attempt.number == 1), 1), else_=0)),
               func.sum(case((and_(_DONE, Attempt.number == 1, Attempt.passed.is_(True)), 1), else_=0)),
               func.avg(done(_seconds(Attempt.started_at, Attempt.submitted_at))),
               func.avg(done(Attempt.percent)),
               func.count(case((~_DONE, Attempt.id))),
               func.count(case((timed, Attempt.id))))
        .where(Attempt.exam_id == exam.id)
    ).one()
    return Overview(attempts=row[0] or 0, open_attempts=row[7] or 0, learners=row[1] or 0,
                    learners_passed=row[2] or 0, first_attempts=int(row[3] or 0),
                    first_attempts_passed=int(row[4] or 0),
                    mean_seconds=float(row[5]) if row[5] is not None else None,
                    median_seconds=_median_seconds(exam.id, row[8] or 0),
                    mean_percent=float(row[6]) if row[6] is not None else None)


def _median_seconds(exam_id: int, n: int) -> float | None:
    """The median of the ``n`` finalised and submitted attempts' durations, by
    ORDER BY … OFFSET in the database (portable: SQLite has no percentile function)."""
    if not n:
        return None
    durations = (select(case((and_(_DONE, Attempt.submitted_at.is_not(None)),
                              _seconds(Attempt.started_at, Attempt.submitted_at))).label("d"))
                 .where(Attempt.exam_id == exam_id).subquery())
    values = db.session.scalars(
        select(durations.c.d).where(durations.c.d.is_not(None)).order_by(durations.c.d)
        .limit(2 - n % 2).offset((n - 1) // 2)).all()
    return float(sum(values) / len(values))


def distribution(exam: Exam) -> list[Bucket]:
    """Finalised attempts per 10% score bucket (90–100 includes 100)."""
    bucket = case((or_(~_DONE, Attempt.percent.is_(None)), None),
                  *[(Attempt.percent >= 10 * b, b) for b in range(BUCKETS - 1, 0, -1)], else_=0)
    counts = dict(db.session.execute(
        select(bucket.label("b"), func.count(Attempt.id))
        .where(Attempt.exam_id == exam.id)
        .group_by("b")).all())
    return [Bucket(low=10 * b, high=10 * (b + 1), count=int(counts.get(b, 0)), passing=10 * b >= exam.pass_mark)
            for b in range(BUCKETS)]


def _item_sums(exam_id: int):
    """Per question version, on finalised first attempts: the sums the
    facility and the discrimination are made of. ``y`` (the rest of the test)
    is NULL when the item is the whole test; ``count(y)`` tells."""
    x = func.coalesce(AttemptItem.awarded, 0.0) / AttemptItem.points
    y = ((func.coalesce(Attempt.score, 0.0) - func.coalesce(AttemptItem.awarded, 0.0))
         / func.nullif(Attempt.max_score - AttemptItem.points, 0))
    awarded = func.coalesce(AttemptItem.awarded, 0.0)
    right = func.sum(case((awarded >= AttemptItem.points - 1e-9, 1), else_=0))
    partly = func.sum(case((and_(awarded > 1e-9, awarded < AttemptItem.points - 1e-9), 1), else_=0))
    return db.session.execute(
        select(AttemptItem.question_version_id,
               func.count(AttemptItem.id), func.count(y), func.sum(x), func.sum(y),
               func.sum(x * x), func.sum(y * y), func.sum(x * y), right, partly)
        .select_from(AttemptItem)
        .join(Attempt, AttemptItem.attempt_id == Attempt.id)
        .where(_finalised(exam_id), Attempt.number == 1, AttemptItem.points > 0)
        .group_by(AttemptItem.question_version_id)
    ).all()


def _option_counts(exam_id: int, version_ids: list[int], letters: int) -> dict[int, dict[str, int]]:
    """Per choice-question version: responses containing each option key.
    ``answer_json`` is ``"B"`` (single) or ``["A", "C"]`` (multiple), so a
    key is chosen exactly when its quoted letter appears in the text."""
    if not version_ids or not letters:
        return {}
    keys = string.ascii_uppercase[:letters]
    columns = [func.sum(case((AttemptItem.answer_json.like(f'%"{k}"%'), 1), else_=0)) for k in keys]
    rows = db.session.execute(
        select(AttemptItem.question_version_id, *columns)
        .join(Attempt, AttemptItem.attempt_id == Attempt.id)
        .where(_finalised(exam_id), Attempt.number == 1,
               AttemptItem.question_version_id.in_(version_ids), AttemptItem.answer_json.is_not(None))
        .group_by(AttemptItem.question_version_id)).all()
    return {row[0]: {k: int(v or 0) for k, v in zip(keys, row[1:])} for row in rows}


def _pearson(n, sx, sy, sxx, syy, sxy) -> float | None:
    if not n or n < 2:
        return None
    cov = n * sxy - sx * sy
    var_x = n * sxx - sx * sx
    var_y = n * syy - sy * sy
    if var_x <= 1e-12 or var_y <= 1e-12:
        return None  # everybody scored the same: no discrimination to measure
    return max(-1.0, min(1.0, cov / math.sqrt(var_x * var_y)))


def _plain(text: str, limit: int = 120) -> str:
    one_line = " ".join((text or "").split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def _option_rows(version: QuestionVersion, counts: dict[str, int], responses: int) -> list[OptionCount]:
    """One version's options, ✓ by that version's key, with its own counts."""
    data = version.data
    correct = set(data.get("correct", []))
    return [OptionCount(key=o["key"], text=_plain(o.get("text", ""), 60), correct=o["key"] in correct,
                        count=counts.get(o["key"], 0), share=counts.get(o["key"], 0) / responses if responses else None)
            for o in data.get("options", [])]


def item_analysis(exam: Exam) -> list[ItemStats]:
    sums = _item_sums(exam.id)
    if not sums:
        return []
    versions = {v.id: v for v in db.session.scalars(
        select(QuestionVersion).where(QuestionVersion.id.in_([row[0] for row in sums])))}
    per_question: dict[int, dict] = {}
    for (vid, n, n_rest, sx, sy, sxx, syy, sxy, n_right, n_partly) in sums:
        version = versions[vid]
        acc = per_question.setdefault(version.question_id, {"versions": [], "n": 0, "n_rest": 0, "r": [0.0] * 5,
                                                            "right": 0, "partly": 0})
        acc["versions"].append((version.version, vid, int(n), float(sx or 0)))
        acc["n"] += int(n)
        acc["right"] += int(n_right or 0)
        acc["partly"] += int(n_partly or 0)
        acc["n_rest"] += int(n_rest)
        for i, v in enumerate((sx, sy, sxx, syy, sxy)):
            acc["r"][i] += float(v or 0)

    version_ids = list(versions)
    slugs = dict(db.session.execute(select(Question.id, Question.slug).where(Question.id.in_(per_question))).all())

    choice_ids = [vid for vid in version_ids if versions[vid].type in CHOICE_TYPES]
    letters = max((len(versions[vid].data.get("options", [])) for vid in choice_ids), default=0)
    option_counts = _option_counts(exam.id, choice_ids, min(letters, 26))

    result = []
    for qid, acc in per_question.items():
        acc["versions"].sort()
        newest = versions[acc["versions"][-1][1]]
        stats = ItemStats(
            question_id=qid, slug=slugs.get(qid, str(qid)), qtype=newest.type, stem=newest.stem_md,
            versions=[(v, n) for v, _vid, n, _sx in acc["versions"]], responses=acc["n"],
            facility=acc["r"][0] / acc["n"] if acc["n"] else None,
            # Without a rest of the test (a one-question exam) there is nothing to correlate with.
            discrimination=_pearson(acc["n"], *acc["r"]) if acc["n_rest"] == acc["n"] else None,
            right=acc["right"], partly=acc["partly"], wrong=acc["n"] - acc["right"] - acc["partly"])
        if newest.type in CHOICE_TYPES:
            if len(acc["versions"]) == 1:
                _v, vid, n, _sx = acc["versions"][0]
                stats.options = _option_rows(versions[vid], option_counts.get(vid, {}), n)
            else:
                stats.by_version = [
                    VersionOptions(version=v, published_at=versions[vid].created_at, responses=n,
                                   facility=sx / n if n else None,
                                   options=_option_rows(versions[vid], option_counts.get(vid, {}), n))
                    for v, vid, n, sx in reversed(acc["versions"])]
        result.append(stats)
    result.sort(key=lambda s: s.slug)
    return result


def integrity_rows(exam: Exam, limit: int = 50) -> tuple[list[IntegrityRow], int]:
    """Attempts with focus losses / tab switches, most first; and how many
    attempts have any."""
    count = func.count(IntegrityEvent.id)
    base = (select(Attempt.id, User.employee_no, User.name, Attempt.number, count,
                   func.min(IntegrityEvent.at), func.max(IntegrityEvent.at))
            .select_from(IntegrityEvent)
            .join(Attempt, IntegrityEvent.attempt_id == Attempt.id)
            .join(User, Attempt.user_id == User.id)
            .where(Attempt.exam_id == exam.id)
            .group_by(Attempt.id, User.employee_no, User.name, Attempt.number))
    rows = db.session.execute(base.order_by(count.desc(), Attempt.id).limit(limit)).all()
    total = db.session.scalar(
        select(func.count(distinct(IntegrityEvent.attempt_id)))
        .join(Attempt, IntegrityEvent.attempt_id == Attempt.id).where(Attempt.exam_id == exam.id)) or 0
    return [IntegrityRow(*r) for r in rows], total


def analyse(exam: Exam) -> ExamAnalysis:
    integrity, with_events = integrity_rows(exam)
    return ExamAnalysis(exam=exam, overview=overview(exam), distribution=distribution(exam),
                        items=item_analysis(exam), integrity=integrity, attempts_with_events=with_events)


def exams_overview() -> list[tuple[Exam, int, int]]:
    """Every exam with its finalised attempts and learners (the analysis index)."""
    rows = db.session.execute(
        select(Exam,
               func.count(Attempt.id),
               func.count(distinct(Attempt.user_id)))
        .outerjoin(Attempt, and_(Attempt.exam_id == Exam.id, Attempt.state == "finalised"))
        .group_by(Exam.id)).all()
    return sorted(((exam, attempts, learners) for exam, attempts, learners in rows), key=lambda row: exam_order(row[0]))

