"""错题本 — the wrong-answer notebook.

The exam engine writes a ``NotebookEntry`` when a finalised attempt holds a
question the learner got wrong. Here the learner reads their entries grouped by
knowledge point (the tags of the version they got wrong) and practises them:
one question at a time, always the question's *current* version, graded on the
spot and never recorded as an attempt. A correct answer clears the entry.

A learner only ever sees their own entries (``entry_for`` is the one place that
loads an entry and checks its owner).

The notebook follows the review policy of the exams the question came from
(``exam_results.review_allowed``): until the learner may review an attempt that
held the question, its entry says only "wrong" (or "partly right") — what the
result page of that attempt says, the notebook says — and it cannot be
practised (``PracticeWithheld``): graded on the spot, practice would say
"right" to one of A, B, C, and so give away the key the exam keeps back.
The same holds while another exam the learner can still sit asks the
question and keeps its key from them (``lms.exams.shared_keys``), even when
the exam they got it wrong in shows its answers.
The entry stays listed with the sentence that says when practice opens
(``Withheld.practice_opens``); ``next_entry`` passes over it; ``practise``
refuses it whatever the page asked.

A question the trainer retired (deleted from its bank) is no longer asked:
its entries stay listed as history, marked retired, with the question as it
was last published (a corrected key included) once its key may be shown, but
they are not practised (``QuestionRetired``) and count neither as open nor as
cleared — not on the notebook page, the home panel nor the mentor's desk.

While the learner has an exam open that holds the question (a retake drew it
again), practice of that entry is refused (``QuestionInExam``): graded on the
spot, it would tell the learner in another tab which answer to give.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_datetime, gettext as _, lazy_gettext as _l
from sqlalchemy import case, func, select, update

from lms import questions as question_types
from lms import clock
from lms.content.models import Exam, Question, QuestionTag, QuestionVersion
from lms.database import transaction
from lms.exams import results as exam_results, shared_keys
from lms.exams.models import Attempt, AttemptItem, NotebookEntry
from lms.extensions import db

UNTAGGED = ""  # the group of entries whose version has no knowledge point
UNTAGGED_LABEL = _l("Without knowledge point")


def _retired():
    """True for an entry whose question was retired (see the module's docstring)."""
    return select(Question.id).where(Question.id == NotebookEntry.question_id, Question.retired.is_(True)).exists()


def _live():
    return ~_retired()


def retired_questions(question_ids) -> set[int]:
    """Of these questions, those the trainer retired."""
    ids = sorted(set(question_ids))
    if not ids:
        return set()
    return set(db.session.scalars(select(Question.id).where(Question.id.in_(ids), Question.retired.is_(True))))


@dataclass
class KnowledgePoint:
    tag: str  # UNTAGGED for entries without tags
    open: int  # entries not cleared yet (of questions still asked)
    cleared: int
    retired: int = 0  # not cleared, but the question was retired: history only

    @property
    def label(self):
        return self.tag or UNTAGGED_LABEL


def knowledge_points(user) -> list[KnowledgePoint]:
    """The learner's entries counted per knowledge point, in SQL. An entry
    whose question has several tags counts under each of them."""
    tag = func.coalesce(QuestionTag.tag, UNTAGGED)
    retired_open = case((NotebookEntry.cleared_at.is_(None) & _retired(), 1), else_=0)
    rows = db.session.execute(
        select(tag.label("tag"), func.count(NotebookEntry.id), func.count(NotebookEntry.cleared_at),
               func.sum(retired_open))
        .select_from(NotebookEntry)
        .outerjoin(QuestionTag, QuestionTag.version_id == NotebookEntry.version_id)
        .where(NotebookEntry.user_id == user.id)
        .group_by(tag)
    ).all()
    points = [KnowledgePoint(t, int(n) - int(c) - int(r or 0), int(c), int(r or 0)) for t, n, c, r in rows]
    # Most to practise first; the untagged group last.
    return sorted(points, key=lambda p: (p.tag == UNTAGGED, -p.open, p.tag))


def entries(user, tag: str | None = None, include_cleared: bool = False,
            live_only: bool = False) -> list[tuple[NotebookEntry, QuestionVersion]]:
    """The learner's entries with the version got wrong (optionally of one
    knowledge point), most often wrong first; those of retired questions
    after the ones to practise, the cleared ones last."""
    stmt = (select(NotebookEntry, QuestionVersion)
            .join(QuestionVersion, QuestionVersion.id == NotebookEntry.version_id)
            .where(NotebookEntry.user_id == user.id)
            .order_by(NotebookEntry.cleared_at.is_not(None), _retired(), NotebookEntry.times_wrong.desc(),
                      NotebookEntry.last_wrong_at.desc(), NotebookEntry.id))
    if not include_cleared:
        stmt = stmt.where(NotebookEntry.cleared_at.is_(None))
    if tag is not None:
        stmt = stmt.where(_tag_filter(tag))
    if live_only:
        stmt = stmt.where(_live())
    return [(entry, version) for entry, version in db.session.execute(stmt)]


def _tag_filter(tag: str):
    tagged = select(QuestionTag.version_id).where(QuestionTag.version_id == NotebookEntry.version_id)
    if tag == UNTAGGED:
        return ~tagged.exists()
    return tagged.where(QuestionTag.tag == tag).exists()


def counts(user) -> tuple[int, int]:
    """(entries to practise, entries cleared); an entry of a retired question
    is neither."""
    row = db.session.execute(
        select(func.count(NotebookEntry.id), func.count(NotebookEntry.cleared_at),
               func.sum(case((NotebookEntry.cleared_at.is_(None) & _retired(), 1), else_=0)))
        .where(NotebookEntry.user_id == user.id)).one()
    total, cleared, retired = int(row[0] or 0), int(row[1] or 0), int(row[2] or 0)
    return total - cleared - retired, cleared


def entry_for(user, entry_id: int) -> NotebookEntry | None:
    """The learner's own entry, or None (another learner's entry is not found)."""
    return db.session.scalar(select(NotebookEntry).where(NotebookEntry.id == entry_id,
                                                         NotebookEntry.user_id == user.id))


def next_entry(user, tag: str | None = None, after_id: int | None = None) -> NotebookEntry | None:
    """The next open entry to practise, in the order of ``entries``: the one
    after ``after_id`` (wrapping round, never ``after_id`` itself). Entries
    whose exam keeps the key back (``withheld``) and those of retired
    questions are passed over."""
    open_ = [entry for entry, _version in entries(user, tag, live_only=True)]
    hidden = withheld(user, list({e.question_id for e in open_}))
    open_ = [e for e in open_ if e.question_id not in hidden or e.id == after_id]
    ids = [e.id for e in open_]
    if after_id in ids:
        index = ids.index(after_id)
        open_ = open_[index + 1:] + open_[:index]  # the ones after it, then from the start
    return open_[0] if open_ else None


def practice_version(entry: NotebookEntry) -> QuestionVersion:
    """Practice always shows the question as it is now (its current version);
    the version got wrong is kept for the grouping."""
    question = db.session.get(Question, entry.question_id)
    if question is not None and question.current_version_id:
        return db.session.get(QuestionVersion, question.current_version_id)
    return db.session.get(QuestionVersion, entry.version_id)


@dataclass
class Withheld:
    """The key of an entry's question is not shown yet: the exam it came from
    and, in that exam's words, why."""
    exam: Exam
    reason: str
    # Another exam the learner can still sit asks the question and keeps its key
    # back (``shared_keys``): ``reason`` names it.
    shared: bool = False

    @property
    def practice_opens(self) -> str:
        """When the entry may be practised, in the words of the exam's policy."""
        exam = self.exam
        if self.shared:
            return _("You can practise this question once you have finished “%(exam)s”, which asks it too.",
                     exam=exam.title)
        if exam.review_policy == "after_pass":
            return _("You can practise this question once you have passed “%(exam)s”: that exam shows its answers "
                     "only after you pass it.", exam=exam.title)
        if exam.review_policy == "after_close" and exam.closes_at is not None:
            return _("You can practise this question once “%(exam)s” closes (%(when)s): that exam shows its answers "
                     "only then.", exam=exam.title, when=format_datetime(exam.closes_at, "yyyy-MM-dd HH:mm"))
        return _("“%(exam)s” does not show its answers, so this question cannot be practised here.", exam=exam.title)


def withheld(user, question_ids: list[int]) -> dict[int, Withheld]:
    """Of these questions, those whose key the learner may not see yet:
    every finalised attempt of theirs that held the question keeps its
    answers back (review policy after passing, after closing, or never),
    or an exam they can still sit asks it too and keeps its key from them
    (``shared_keys``: practice must not give away what that exam will ask).
    Otherwise a question reviewable in any attempt is not withheld: its key
    is on that attempt's result page already."""
    if not question_ids:
        return {}
    # Whether an attempt's review shows the key depends on its exam only (the
    # attempts are finalised): one row per question and exam, the exam's latest
    # attempt first, not every attempt loaded with its exam.
    rows = db.session.execute(
        select(QuestionVersion.question_id, Exam)
        .join(AttemptItem, AttemptItem.question_version_id == QuestionVersion.id)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(Exam, Exam.id == Attempt.exam_id)
        .where(Attempt.user_id == user.id, Attempt.state == "finalised",
               QuestionVersion.question_id.in_(question_ids))
        .group_by(QuestionVersion.question_id, Exam.id)
        .order_by(func.max(Attempt.finalised_at).desc(), func.max(Attempt.id).desc())).all()
    allowed = _reviews_allowed(user, list({exam.id: exam for _q, exam in rows}.values()))
    reviewable: set[int] = set()
    hidden: dict[int, Withheld] = {}
    for question_id, exam in rows:
        if allowed[exam.id]:
            reviewable.add(question_id)
        elif question_id not in hidden:  # the latest attempt that keeps it back
            hidden[question_id] = Withheld(exam, str(exam_results.review_withheld(exam)))
    out = {qid: w for qid, w in hidden.items() if qid not in reviewable}
    for question_id, exam in shared_keys.keys_held_back(user, question_ids).items():
        if question_id not in out:  # reviewable here, but an exam still to sit asks it too
            out[question_id] = Withheld(exam, str(shared_keys.held_back_sentence(exam)), shared=True)
    return out


def _reviews_allowed(user, exams: list[Exam]) -> dict[int, bool]:
    """Per exam, whether the review of the learner's finalised attempts shows
    the key (``exam_results.review_allowed``, which depends on the exam only);
    the exams shown after passing read the learner's attempts at them once."""
    after_pass = [exam for exam in exams if exam.review_policy == "after_pass"]
    attempts: dict[int, list[Attempt]] = {exam.id: [] for exam in after_pass}
    if after_pass:
        for attempt in db.session.scalars(select(Attempt).where(
                Attempt.user_id == user.id, Attempt.exam_id.in_(list(attempts))).order_by(Attempt.number)):
            attempts[attempt.exam_id].append(attempt)
    now = clock.now()
    out = {}
    for exam in exams:
        result = exam_results.counting_attempt(exam, attempts[exam.id]) if exam.id in attempts else None
        out[exam.id] = exam_results.policy_shows_key(exam, bool(result and result.passed), now)
    return out


def withheld_for(user, entry: NotebookEntry) -> Withheld | None:
    return withheld(user, [entry.question_id]).get(entry.question_id)


class PracticeWithheld(Exception):
    """The entry's question comes from an exam that keeps its key back."""

    def __init__(self, why: Withheld):
        super().__init__(why.exam.title)
        self.withheld = why


class QuestionRetired(Exception):
    """The entry's question was retired: it is history, not practised."""


def is_retired(entry: NotebookEntry) -> bool:
    question = db.session.get(Question, entry.question_id)
    return question is not None and question.retired


class QuestionInExam(Exception):
    """The entry's question is in an exam the learner is taking now."""

    def __init__(self, exam: Exam):
        super().__init__(exam.title)
        self.exam = exam


def open_exam_with(user, question_id: int, now=None) -> Exam | None:
    """The exam the learner is taking now (an open attempt within deadline +
    grace) that holds a version of this question, or None."""
    return exam_results.exam_in_progress_with(user, [question_id], now)


@dataclass
class PracticeResult:
    entry: NotebookEntry
    version: QuestionVersion
    answer: object
    fraction: float | None  # None: an essay (no automatic grade; compare with the rubric)
    grade: dict

    @property
    def correct(self) -> bool:
        return self.fraction is not None and self.fraction >= 1.0

    @property
    def cleared(self) -> bool:
        return self.entry.cleared_at is not None


@transaction(immediate=True)
def practise(user, entry: NotebookEntry, answer) -> PracticeResult:
    """Grade one practice answer against the current version. Nothing is
    recorded as an attempt; a fully correct answer clears the entry.
    All-or-nothing for multiple choice: practice is about getting it right.
    Refused (``QuestionInExam``) while an open exam of the learner holds the
    question, and (``PracticeWithheld``) while the exams it came from keep
    their key back."""

    if entry.user_id != user.id:
        raise PermissionError("not this learner's entry")
    if is_retired(entry):
        raise QuestionRetired(entry.question_id)
    exam = open_exam_with(user, entry.question_id)
    if exam is not None:
        raise QuestionInExam(exam)
    why = withheld_for(user, entry)
    if why is not None:
        raise PracticeWithheld(why)
    version = practice_version(entry)
    grade = question_types.grade(version.type, version.data, answer, partial_credit=False)
    if grade.fraction is not None and grade.fraction >= 1.0:
        _clear(entry)
    return PracticeResult(entry=entry, version=version, answer=answer, fraction=grade.fraction, grade=grade.to_dict())


@transaction(immediate=True)
def mark_reviewed(user, entry: NotebookEntry) -> None:
    """Clear an entry by hand: for essays, which nothing grades on the spot,
    once the learner has compared their answer with the rubric (so not while
    the rubric is withheld: ``PracticeWithheld``)."""
    if entry.user_id != user.id:
        raise PermissionError("not this learner's entry")
    if is_retired(entry):
        raise QuestionRetired(entry.question_id)
    why = withheld_for(user, entry)
    if why is not None:
        raise PracticeWithheld(why)
    _clear(entry)


def _clear(entry: NotebookEntry) -> None:
    """The first clearing wins: one conditional UPDATE, so a second tab that
    loaded the entry before another cleared it (PostgreSQL reads it as it was)
    leaves the time of the first — the time a later wrong exam answer is
    compared with (``results.note_wrong``)."""
    db.session.flush()
    db.session.execute(update(NotebookEntry).where(NotebookEntry.id == entry.id, NotebookEntry.cleared_at.is_(None))
                       .values(cleared_at=clock.now()).execution_options(synchronize_session=False))
    db.session.refresh(entry, ["cleared_at"])


def open_question_ids(user) -> list[int]:
    """The questions of the learner's open entries (not cleared, not retired), one per entry."""
    return list(db.session.scalars(
        select(NotebookEntry.question_id).where(NotebookEntry.user_id == user.id, NotebookEntry.cleared_at.is_(None),
                                                _live())))


def waiting(user, question_ids: list[int] | None = None, hidden: dict[int, Withheld] | None = None) -> int:
    """Open entries that cannot be practised yet (their exam keeps the key back).
    A page that has read ``open_question_ids`` and judged ``withheld`` for
    them already (the 错题本 does, for its rows too) passes both: the rule's
    statements (every exam the learner can still sit) are read once a page."""
    if question_ids is None:
        question_ids = open_question_ids(user)
    if hidden is None:
        hidden = withheld(user, list(set(question_ids)))
    return sum(1 for qid in question_ids if qid in hidden)


def awaiting_grading(user) -> int:
    """The learner's submitted attempts waiting for a trainer's grading: their
    wrong answers reach the notebook only when the attempt is finalised, so an
    empty notebook right after a failed exam says why."""
    return int(db.session.scalar(select(func.count(Attempt.id)).where(
        Attempt.user_id == user.id, Attempt.state == "grading")) or 0)


def notebook_panel(user) -> dict:
    to_practise, cleared = counts(user)
    return {"to_practise": to_practise, "cleared": cleared, "points": knowledge_points(user)[:5],
            "waiting": waiting(user) if to_practise else 0, "in_grading": awaiting_grading(user)}
