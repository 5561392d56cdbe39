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
(``lms.exams.results.recompute_result``). It never touches an answer a
trainer graded or overrode (a person decided those), nor an answer that a
person must grade under the new version. Per changed attempt: one
``attempt.regraded`` audit event (before → after, the reason), the
wrong-answer notebook brought in line with the new outcome, and
``attempt_regraded`` sent after commit (the learner is notified; the
certifications are evaluated again). The week gate, the rankings, the
eligibility rules and the certificate requirements read the attempts, so they
follow at once. Certificates already issued are never revoked here: HR sees
their holders under ``lms.certificates`` (``regraded_holders``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select, update

from lms import clock
from lms import questions as question_types
from lms.audit import services as audit
from lms.audit.models import AuditEvent
from lms.content.models import ContentRelease, Question, QuestionVersion
from lms.exams.models import Attempt, AttemptItem, AttemptState, NotebookEntry, ScoreOverride, outcome_of
from lms.exams.results import note_wrong, recompute_result
from lms.exams.signals import attempt_regraded, send_after_commit
from lms.extensions import db
from lms.org.models import User

REGRADE, KEEP = "regrade", "keep"
MAX_REASON = 1000


@dataclass
class ItemChange:
    item_id: int
    question: str  # the question's id (slug)
    before: float | None
    after: float


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

    @property
    def flip(self) -> str | None:
        """``to_fail``, ``to_pass`` or None (the result stays)."""
        if self.waiting or self.before_passed is None or self.before_passed == self.after_passed:
            return None
        return "to_pass" if self.after_passed else "to_fail"

    def who(self) -> str:
        return f"{self.learner}（{self.employee_no}）{self.exam} #{self.number}"


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


def affected_attempts(changed: dict, attempt_ids: list[int] | None = None) -> list[AttemptChange]:
    """The submitted attempts (of ``attempt_ids``, or all) whose score the
    new versions would change. ``changed``: question id (database) → the
    parsed question of its new version (``type``, ``data``, ``id``). Answers
    a trainer graded or overrode, and answers that a person must grade, are
    left out (nobody re-grades a person's judgement)."""
    if not changed:
        return []
    query = (select(AttemptItem, Attempt, QuestionVersion.question_id, QuestionVersion.type)
             .join(Attempt, Attempt.id == AttemptItem.attempt_id)
             .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
             .where(QuestionVersion.question_id.in_(list(changed)), Attempt.state != AttemptState.OPEN))
    if attempt_ids is not None:
        query = query.where(Attempt.id.in_(attempt_ids))
    rows = db.session.execute(query).all()
    if not rows:
        return []
    overridden = set(db.session.scalars(select(ScoreOverride.item_id).where(
        ScoreOverride.item_id.in_([item.id for item, *_rest in rows]))))
    per_attempt: dict[int, tuple[Attempt, list]] = {}
    for item, attempt, qid, qtype in rows:
        new = changed[qid]
        if item.id in overridden or item.grader_id is not None or new.type != qtype:
            continue
        grade = question_types.grade(new.type, new.data, item.answer,
                                     partial_credit=attempt.scored_with_partial_credit)
        if grade.fraction is None:
            continue
        after = _fraction_points(grade.fraction, item.points)
        if item.awarded is not None and abs(after - item.awarded) < 1e-9:
            continue
        per_attempt.setdefault(attempt.id, (attempt, []))[1].append(ItemChange(item.id, new.id, item.awarded, after))
    out = []
    for attempt, items in per_attempt.values():
        new_awarded = {c.item_id: c.after for c in items}
        all_items = list(attempt.items)
        waiting = attempt.state == AttemptState.GRADING
        after_percent = after_passed = None
        if not waiting:
            total = sum(new_awarded.get(i.id, i.awarded or 0.0) for i in all_items)
            maximum = sum(i.points for i in all_items)
            after_percent = round(total / maximum * 100, 2) if maximum else 0.0
            after_passed = after_percent + 1e-9 >= attempt.judged_pass_mark
        out.append(AttemptChange(
            attempt_id=attempt.id, learner=attempt.user.name, employee_no=attempt.user.employee_no,
            exam=attempt.exam.slug, number=attempt.number, waiting=waiting,
            before_percent=attempt.percent, after_percent=after_percent,
            before_passed=attempt.passed, after_passed=after_passed, items=items))
    out.sort(key=lambda c: (c.exam, c.employee_no, c.number))
    return out


def summary(changes: list[AttemptChange]) -> dict:
    """Plain values for the plan and the audit log."""
    return {"attempts": len(changes),
            "questions": sorted({i.question for c in changes for i in c.items}),
            "to_fail": [c.who() for c in changes if c.flip == "to_fail"],
            "to_pass": [c.who() for c in changes if c.flip == "to_pass"],
            "waiting": sum(1 for c in changes if c.waiting)}


def _notebook(attempt: Attempt, item: AttemptItem, before: float | None, now) -> None:
    """Bring the learner's 错题本 in line with the answer's new outcome."""
    old, new = outcome_of(before, item.points), item.outcome
    wrong = ("wrong", "partly")
    version = item.question_version
    if new in wrong and old not in wrong:
        note_wrong(attempt.user_id, version, new == "partly", now, answered_now=False)
        return
    entry = db.session.scalar(select(NotebookEntry).where(
        NotebookEntry.user_id == attempt.user_id, NotebookEntry.question_id == version.question_id))
    if entry is not None and old in wrong and new not in wrong:
        # The answer was right all along: this attempt no longer puts the question there.
        if entry.times_wrong <= 1:
            db.session.delete(entry)
        else:
            entry.times_wrong -= 1
    elif entry is not None and new in wrong:
        entry.version_id = version.id
        entry.partly_right = new == "partly"


def apply(changes: list[AttemptChange], reason: str, actor=None, release_id: int | None = None) -> int:
    """Re-grade the attempts of ``changes`` against the current versions of
    their questions (publish has just made them current). Joins the caller's
    transaction (``publish``); returns how many attempts changed."""
    now = clock.now()
    done = 0
    for change in changes:
        attempt = db.session.get(Attempt, change.attempt_id)
        if attempt is None or attempt.is_open:
            continue
        before = {"percent": attempt.percent, "passed": attempt.passed, "score": attempt.score}
        moved = []
        for item_change in change.items:
            item = db.session.get(AttemptItem, item_change.item_id)
            question = db.session.get(Question, item.question_version.question_id)
            version = db.session.get(QuestionVersion, question.current_version_id)
            grade = question_types.grade(version.type, version.data, item.answer,
                                         partial_credit=attempt.scored_with_partial_credit)
            if grade.fraction is None:
                continue
            old_awarded = item.awarded
            old_version = item.question_version.version
            item.question_version_id = version.id
            item.question_version = version
            item.grade_json = json.dumps(grade.to_dict())
            item.awarded = _fraction_points(grade.fraction, item.points)
            item.correct = grade.fraction >= 1.0
            item.needs_grading = False
            _notebook(attempt, item, old_awarded, now)
            moved.append({"position": item.position, "question": question.slug, "version_before": old_version,
                          "version_after": version.version, "before": old_awarded, "after": item.awarded})
        if not moved:
            continue
        db.session.flush()
        recompute_result(attempt, now)
        audit.record("attempt.regraded", attempt, actor=actor, exam=attempt.exam.slug,
                     learner=attempt.user.employee_no, reason=reason, release=release_id, items=moved,
                     percent_before=before["percent"], percent_after=attempt.percent,
                     passed_before=before["passed"], passed_after=attempt.passed)
        send_after_commit(attempt_regraded, attempt.id)
        done += 1
    db.session.flush()
    return done


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
        .order_by(AttemptItem.id)).all()
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
    for new, item_ids in moves.items():
        db.session.execute(update(AttemptItem).where(AttemptItem.id.in_(item_ids))
                           .values(question_version_id=new).execution_options(synchronize_session=False))
    db.session.expire_all()
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
    actor = db.session.get(User, release.actor_id) if release.actor_id is not None else None
    return apply(changes, later["reason"], actor, release.id)


def regrades_of(attempt_id: int) -> list:
    """The ``attempt.regraded`` events of one attempt, oldest first: what the
    learner's result page says about them."""

    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "attempt.regraded", AuditEvent.object_type == "attempt",
        AuditEvent.object_id == str(attempt_id)).order_by(AuditEvent.seq))
    return [(event.at, json.loads(event.details)) for event in events]
