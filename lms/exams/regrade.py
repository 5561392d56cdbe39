"""A wrong answer key found after learners sat the exam: which submitted
attempts a corrected key changes, and re-grading them when the trainer
chooses to.

An attempt keeps the question versions it drew (``lms.exams.models``), so a
publish that fixes a key never changes a submitted score by itself. The plan
(``lms.content.publishing.effects``) asks ``affected_attempts`` which
submitted attempts the new versions would score differently — and whose pass
or fail would flip, both ways — and ``publish`` refuses until the trainer
decides, with a reason: re-grade them, or leave them as they are.

A re-grade (``apply``) moves each affected answer to the corrected version
and grades it again with the attempt's own partial-credit rule, then
recomputes the attempt's result against the attempt's own pass mark
(as ``lms.exams.results.recompute_result`` does). It never touches an answer a
trainer graded or overrode (a person decided those), nor an answer that a
person must grade under the new version. Per changed attempt: one
``attempt.regraded`` audit event (before → after, the reason), the
wrong-answer notebook brought in line with the new outcome; and once per
re-grade ``attempts_regraded`` with every changed attempt, sent after commit
(the learners are notified and the certifications evaluated again, each in a
few statements for the whole set). The week gate, the rankings, the
eligibility rules and the certificate requirements read the attempts, so they
follow at once. Certificates already issued are never revoked here: HR sees
their holders under ``lms.certificates`` (``regraded_holders``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select, update

from lms import clock
from lms import questions as question_types
from lms.audit import services as audit
from lms.audit.models import AuditEvent
from lms.content.models import ContentRelease, Exam, Question, QuestionVersion
from lms.exams.models import Attempt, AttemptItem, AttemptState, NotebookEntry, ScoreOverride, outcome_of
from lms.exams.results import note_wrong
from lms.exams.signals import attempts_regraded, send_many_after_commit
from lms.extensions import db
from lms.org.models import User
from lms.punctuation import aside

REGRADE, KEEP = "regrade", "keep"
MAX_REASON = 1000


@dataclass
class ItemChange:
    item_id: int
    question: str  # the question's id (slug)
    before: float | None
    after: float
    question_id: int = 0  # in the database


@dataclass
class AttemptChange:
    attempt_id: int
    learner: str
    employee_no: str
    exam: str  # the exam's id (slug)
    number: int
    waiting: bool  # essays still wait for a trainer: no result yet either way
    before_percent: float | None
    after_percent: float | None
    before_passed: bool | None
    after_passed: bool | None
    items: list[ItemChange] = field(default_factory=list)
    user_id: int = 0
    partial_credit: bool = False  # the attempt's own rule
    after_score: float | None = None

    @property
    def flip(self) -> str | None:
        """``to_fail``, ``to_pass`` or None (the result stays)."""
        if self.waiting or self.before_passed is None or self.before_passed == self.after_passed:
            return None
        return "to_pass" if self.after_passed else "to_fail"

    def who(self) -> str:
        return f"{self.learner}{aside(self.employee_no)} {self.exam} #{self.number}"


@dataclass
class Decision:
    """The trainer's choice for the submitted attempts a corrected key changes."""

    choice: str  # REGRADE | KEEP
    reason: str

    def __post_init__(self):
        self.reason = (self.reason or "").strip()
        if self.choice not in (REGRADE, KEEP):
            raise ValueError(f"unknown choice {self.choice!r}")


def _fraction_points(fraction: float, points: float) -> float:
    return round(fraction * points, 4)


CHUNK = 900  # ids per IN (...): under SQLite's oldest limit of 999 variables


def _chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def affected_attempts(changed: dict, attempt_ids: list[int] | None = None) -> list[AttemptChange]:
    """The submitted attempts (of ``attempt_ids``, or all) whose score the
    new versions would change. ``changed``: question id (database) → the
    parsed question of its new version (``type``, ``data``, ``id``). Answers
    a trainer graded or overrode, and answers that a person must grade, are
    left out (nobody re-grades a person's judgement). Set-based: a few
    statements however many attempts sat the questions (bench/regrade.py)."""
    if not changed:
        return []
    overridden = select(ScoreOverride.id).where(ScoreOverride.item_id == AttemptItem.id).exists()
    query = (select(AttemptItem.id, AttemptItem.attempt_id, AttemptItem.answer_json, AttemptItem.points,
                    AttemptItem.awarded, QuestionVersion.question_id, QuestionVersion.type, Attempt.partial_credit,
                    Exam.partial_credit)
             .join(Attempt, Attempt.id == AttemptItem.attempt_id)
             .join(Exam, Exam.id == Attempt.exam_id)
             .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
             .where(QuestionVersion.question_id.in_(list(changed)), Attempt.state != AttemptState.OPEN,
                    AttemptItem.grader_id.is_(None), ~overridden))
    if attempt_ids is not None:
        query = query.where(Attempt.id.in_(attempt_ids))
    per_attempt: dict[int, list[ItemChange]] = {}
    partial_of: dict[int, bool] = {}
    for item_id, attempt_id, answer_json, points, awarded, qid, qtype, partial, exam_partial in db.session.execute(query):
        new = changed[qid]
        if new.type != qtype:
            continue
        partial_of[attempt_id] = bool(partial if partial is not None else exam_partial)
        answer = None if answer_json is None else json.loads(answer_json)
        grade = question_types.grade(new.type, new.data, answer, partial_credit=partial_of[attempt_id])
        if grade.fraction is None:
            continue
        after = _fraction_points(grade.fraction, points)
        if awarded is not None and abs(after - awarded) < 1e-9:
            continue
        per_attempt.setdefault(attempt_id, []).append(ItemChange(item_id, new.id, awarded, after, qid))
    out = []
    for chunk in _chunks(sorted(per_attempt)):
        totals = {aid: (total, maximum) for aid, total, maximum in db.session.execute(
            select(AttemptItem.attempt_id, func.sum(func.coalesce(AttemptItem.awarded, 0.0)),
                   func.sum(AttemptItem.points))
            .where(AttemptItem.attempt_id.in_(chunk)).group_by(AttemptItem.attempt_id))}
        for row in db.session.execute(
                select(Attempt.id, Attempt.state, Attempt.number, Attempt.percent, Attempt.passed, Attempt.pass_mark,
                       Attempt.user_id, Exam.pass_mark.label("exam_pass_mark"), Exam.slug, User.name, User.employee_no)
                .join(Exam, Exam.id == Attempt.exam_id).join(User, User.id == Attempt.user_id)
                .where(Attempt.id.in_(chunk))):
            items = per_attempt[row.id]
            waiting = row.state == AttemptState.GRADING
            after_score = after_percent = after_passed = None
            if not waiting:
                total, maximum = totals[row.id]
                total = total - sum(c.before or 0.0 for c in items) + sum(c.after for c in items)
                after_score = round(total, 4)
                after_percent = round(after_score / maximum * 100, 2) if maximum else 0.0
                pass_mark = row.pass_mark if row.pass_mark is not None else row.exam_pass_mark
                after_passed = after_percent + 1e-9 >= pass_mark
            out.append(AttemptChange(
                attempt_id=row.id, learner=row.name, employee_no=row.employee_no, exam=row.slug,
                number=row.number, waiting=waiting, before_percent=row.percent, after_percent=after_percent,
                before_passed=row.passed, after_passed=after_passed, items=items, user_id=row.user_id,
                partial_credit=partial_of[row.id], after_score=after_score))
    out.sort(key=lambda c: (c.exam, c.employee_no, c.number))
    return out


def summary(changes: list[AttemptChange]) -> dict:
    """Plain values for the plan and the audit log."""
    return {"attempts": len(changes),
            "questions": sorted({i.question for c in changes for i in c.items}),
            "to_fail": [c.who() for c in changes if c.flip == "to_fail"],
            "to_pass": [c.who() for c in changes if c.flip == "to_pass"],
            "waiting": sum(1 for c in changes if c.waiting)}


def _notebook(entries: dict, user_id: int, version: QuestionVersion, before: float | None, after: float,
              points: float, now) -> None:
    """Bring the learner's 错题本 in line with the answer's new outcome
    (``entries``: the learners' entries of these questions, by (user, question))."""
    old, new = outcome_of(before, points), outcome_of(after, points)
    wrong = ("wrong", "partly")
    if new in wrong and old not in wrong:
        note_wrong(user_id, version, new == "partly", now, answered_now=False, entries=entries)
        return
    entry = entries.get((user_id, version.question_id))
    if entry is not None and old in wrong and new not in wrong:
        # The answer was right all along: this attempt no longer puts the question there.
        if entry.times_wrong <= 1:
            db.session.delete(entry)
            del entries[(user_id, version.question_id)]
        else:
            entry.times_wrong -= 1
    elif entry is not None and new in wrong:
        entry.version_id = version.id
        entry.partly_right = new == "partly"


_ENTRY_COLUMNS = ("user_id", "question_id", "version_id", "first_wrong_at", "last_wrong_at", "times_wrong",
                  "partly_right", "cleared_at")


def _insert_new_entries() -> None:
    """The 错题本 entries this batch made (``note_wrong`` adds them to the
    session) in one INSERT: flushed as objects they went one statement each
    (1,000 learners whose answer became wrong, 1,000 statements)."""
    fresh = [e for e in list(db.session.new) if isinstance(e, NotebookEntry)]
    if not fresh:
        return
    rows = [{column: getattr(e, column) for column in _ENTRY_COLUMNS} for e in fresh]
    for e in fresh:
        db.session.expunge(e)
    db.session.execute(insert(NotebookEntry), rows)


def apply(changes: list[AttemptChange], reason: str, actor=None, release_id: int | None = None) -> int:
    """Re-grade the attempts of ``changes`` against the current versions of
    their questions (publish has just made them current). Joins the caller's
    transaction (``publish``); returns how many attempts changed. Set-based:
    the answers and results are written with one statement each per
    ``CHUNK`` attempts; the audit events are one per attempt."""
    changes = [c for c in changes if c.items]
    if not changes:
        return 0
    now = clock.now()
    db.session.flush()
    question_ids = sorted({i.question_id for c in changes for i in c.items})
    current = {question.id: (question.slug, version) for question, version in db.session.execute(
        select(Question, QuestionVersion).join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .where(Question.id.in_(question_ids)))}
    done = []
    for start in range(0, len(changes), CHUNK):
        batch = changes[start:start + CHUNK]
        item_ids = [i.item_id for c in batch for i in c.items]
        items = {row.id: row for row in db.session.execute(
            select(AttemptItem.id, AttemptItem.answer_json, AttemptItem.points, AttemptItem.position,
                   AttemptItem.awarded, QuestionVersion.version, Attempt.state)
            .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
            .join(Attempt, Attempt.id == AttemptItem.attempt_id)
            .where(AttemptItem.id.in_(item_ids)))}
        entries = {(e.user_id, e.question_id): e for e in db.session.scalars(select(NotebookEntry).where(
            NotebookEntry.question_id.in_(question_ids),
            NotebookEntry.user_id.in_(sorted({c.user_id for c in batch}))))}
        item_rows, attempt_rows, regraded = [], [], []
        for change in batch:
            moved = []
            for item_change in change.items:
                row = items.get(item_change.item_id)
                if row is None or row.state == AttemptState.OPEN:
                    continue
                slug, version = current[item_change.question_id]
                answer = None if row.answer_json is None else json.loads(row.answer_json)
                grade = question_types.grade(version.type, version.data, answer, partial_credit=change.partial_credit)
                if grade.fraction is None:
                    continue
                awarded = _fraction_points(grade.fraction, row.points)
                item_rows.append({"id": row.id, "question_version_id": version.id,
                                  "grade_json": json.dumps(grade.to_dict()), "awarded": awarded,
                                  "correct": grade.fraction >= 1.0, "needs_grading": False})
                _notebook(entries, change.user_id, version, row.awarded, awarded, row.points, now)
                moved.append({"position": row.position, "question": slug, "version_before": row.version,
                              "version_after": version.version, "before": row.awarded, "after": awarded})
            if not moved:
                continue
            if not change.waiting:  # an attempt still waiting for essays has no result yet
                attempt_rows.append({"id": change.attempt_id, "score": change.after_score,
                                     "percent": change.after_percent, "passed": change.after_passed})
            regraded.append((change, moved))
        _insert_new_entries()
        if item_rows:
            db.session.execute(update(AttemptItem), item_rows)
        if attempt_rows:
            db.session.execute(update(Attempt), attempt_rows)
        db.session.flush()
        audit.record_many("attempt.regraded", "attempt", [
            (change.attempt_id, {"exam": change.exam, "learner": change.employee_no, "reason": reason,
                                 "release": release_id, "items": moved, "percent_before": change.before_percent,
                                 "percent_after": None if change.waiting else change.after_percent,
                                 "passed_before": change.before_passed,
                                 "passed_after": None if change.waiting else change.after_passed})
            for change, moved in regraded], actor=actor)
        done += [change.attempt_id for change, _moved in regraded]
    db.session.flush()
    db.session.expire_all()  # the answers and results were written past the session's objects
    if done:
        send_many_after_commit(attempts_regraded, done)
    return len(done)


# --- attempts still open when a corrected key is published --------------------

def seen(qtype: str, stem_md: str, data: dict) -> tuple:
    """What a learner sees of a question while the attempt is open: its type,
    stem and public data (options, blanks, unit, case parts), not its key,
    weights or explanation."""
    found = question_types.find(qtype)
    return qtype, stem_md, found.public_data(data) if found is not None else data


@dataclass
class OpenMoves:
    moved: int = 0  # answers moved to the new version
    kept: list[int] = field(default_factory=list)  # attempts that keep an earlier version whose text changed


def submitted_since_planned(drawn: dict | None) -> bool:
    """At publish, just after planning: holds (``FOR UPDATE``) the open
    attempts that drew the corrected questions, so none is submitted until
    the publish ends, and says whether one was submitted since the plan read
    them (``drawn``: the questions and the submitted attempts it counted). A
    submit that committed in between was graded with the old key and the
    plan neither counted it nor asked the trainer about it: publish plans
    again. Joins the caller's transaction."""
    if not drawn or not drawn["questions"]:
        return False
    drew = (select(AttemptItem.attempt_id).join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
            .where(QuestionVersion.question_id.in_(drawn["questions"])))
    db.session.execute(select(Attempt.id).where(Attempt.id.in_(drew), Attempt.state == AttemptState.OPEN)
                       .with_for_update(of=Attempt)).all()
    submitted = set(db.session.scalars(select(Attempt.id).where(Attempt.id.in_(drew),
                                                                 Attempt.state != AttemptState.OPEN)))
    return bool(submitted - drawn["done"])


def move_open_attempts(question_ids) -> OpenMoves:
    """At publish, after the new versions became current: the answers of open
    attempts that drew an earlier version of these questions move to the
    current one when the learner sees the same question in both (only the
    key, weights or explanation changed), so the submit grades them with the
    corrected key; the others keep their version (the learner is answering
    that text). Joins the caller's transaction."""
    question_ids = list(question_ids)
    if not question_ids:
        return OpenMoves()
    rows = db.session.execute(
        select(AttemptItem.id, AttemptItem.attempt_id, AttemptItem.question_version_id, Question.current_version_id)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .join(Question, Question.id == QuestionVersion.question_id)
        .where(Question.id.in_(question_ids), Attempt.state == AttemptState.OPEN,
               AttemptItem.question_version_id != Question.current_version_id)
        # PostgreSQL: a submit in flight holds its attempt's row; wait for it and leave the attempt
        # out once it is submitted (graded with the key of then), never move its graded answers.
        .order_by(AttemptItem.id).with_for_update(of=Attempt)).all()
    if not rows:
        return OpenMoves()
    wanted = {vid for _i, _a, old, new in rows for vid in (old, new)}
    versions = {v.id: seen(v.type, v.stem_md, v.data)
                for v in db.session.scalars(select(QuestionVersion).where(QuestionVersion.id.in_(wanted)))}
    moves: dict[int, list[int]] = {}
    kept = set()
    for item_id, attempt_id, old, new in rows:
        if versions[old] == versions[new]:
            moves.setdefault(new, []).append(item_id)
        else:
            kept.add(attempt_id)
    db.session.flush()
    for new, item_ids in moves.items():
        for chunk in _chunks(item_ids):
            db.session.execute(update(AttemptItem).where(AttemptItem.id.in_(chunk))
                               .values(question_version_id=new).execution_options(synchronize_session=False))
    db.session.expire_all()  # the answers were moved past the session's objects
    return OpenMoves(moved=sum(len(ids) for ids in moves.values()), kept=sorted(kept))


def open_regrade(moves: OpenMoves, decision, question_ids) -> dict | None:
    """What a release keeps for the attempts that stay on an earlier version:
    when the trainer chose to re-grade, they are re-graded at submit
    (``at_submit``) with the reason given."""
    if not moves.kept or decision is None or decision.choice != REGRADE:
        return None
    return {"attempts": moves.kept, "questions": sorted(question_ids), "reason": decision.reason}


class _Current:
    """A question's current version as ``affected_attempts`` reads a parsed one."""

    def __init__(self, version: QuestionVersion, slug: str):
        self.type, self.data, self.id = version.type, version.data, slug


def at_submit(attempt: Attempt) -> int:
    """Just after an attempt is submitted: if a publish while it was open
    corrected a key, changed what the learner saw and the trainer chose to
    re-grade, the attempt is re-graded as the submitted ones were (audited,
    the learner told). Returns how many attempts changed (0 or 1)."""
    pending = []
    for release in db.session.scalars(select(ContentRelease).where(ContentRelease.at >= attempt.started_at)
                                      .order_by(ContentRelease.id)):
        later = release.summary.get("regrade_open")
        if later and attempt.id in later["attempts"]:
            pending.append((release, later))
    if not pending:
        return 0
    release, later = pending[-1]
    question_ids = sorted({qid for _r, data in pending for qid in data["questions"]})
    changed = {q.id: _Current(db.session.get(QuestionVersion, q.current_version_id), q.slug)
               for q in db.session.scalars(select(Question).where(Question.id.in_(question_ids)))}
    changes = affected_attempts(changed, [attempt.id])
    # The trainer who published (not the learner whose submit this is); the system for a publish without one.
    actor = db.session.get(User, release.actor_id) if release.actor_id is not None else audit.SYSTEM
    return apply(changes, later["reason"], actor, release.id)


def regrades_of(attempt_id: int) -> list:
    """The ``attempt.regraded`` events of one attempt, oldest first: what the
    learner's result page says about them."""

    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "attempt.regraded", AuditEvent.object_type == "attempt",
        AuditEvent.object_id == str(attempt_id)).order_by(AuditEvent.seq))
    return [(event.at, json.loads(event.details)) for event in events]
