"""One question in several exams: the strictest review policy protects the key.

Exams draw from shared banks (``lms.content.draws.draw_pool``: type, tags,
difficulty, course; or named questions), so one question can be asked by an
exam that shows its answers right after submitting (A) and by one that shows
them only after passing, after closing or never (B). A learner who sat A
first must not walk into B knowing the answer. The rule, kept here for every
page that shows a key or an explanation (A's result page, the read-only
attempt pages of a mentor, HR or a branch manager, the 错题本 and its
practice):

- a learner sees a question's key only when every exam that can ask it
  (its draw pool holds the question, whatever version they answered) and
  that they can still sit would show it to them now;
- an exam they can still sit: not withdrawn, not closed, theirs (open to all,
  or a week of a programme whose audience holds them — opened or scheduled
  later), not passed, and with attempts left (or one open now);
- it would show the key now: after submitting, always — except while they
  are sitting it (an open attempt): its owner shows answers once sat, so it
  keeps back nothing another exam's review shows, but a second tab must not
  help during the exam; after passing once passed (never before: not passed
  is part of "can still sit"); never and after closing not while it can be sat.

So the key appears once the other exam is passed, closed, withdrawn, or its
attempts are used up — and an exam that shows its answers after submitting
holds keys only while it is being sat (weekly exams drawing from one pool
keep their reviews). ``keys_held_back`` answers for a page's
questions in a fixed number of statements, whatever their number.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from flask_babel import lazy_gettext as _
from sqlalchemy import Integer, literal, or_, select, union_all

from lms import clock
from lms.content.draws import draw_pool
from lms.content.models import Course, Exam, Programme, ProgrammeItem, Question, QuestionVersion
from lms.exams.models import Attempt
from lms.exams.results import counting_attempt
from lms.extensions import db
from lms.programmes.audience import first_days, memberships

# SQLite refuses a compound SELECT of more than 500 terms; a year of weekly
# exams with a few draw rules each stays far below one batch.
_TERMS_PER_STATEMENT = 200


def exams_holding_keys(user, now: datetime | None = None) -> list[Exam]:
    """The exams ``user`` can still sit whose review would not show them the
    key now (the module's rule), by id: the exams that protect the keys of
    every question they can ask."""
    now = now or clock.now()
    live = {exam.id: exam for exam in db.session.scalars(
        select(Exam).where(Exam.retired.is_(False), or_(Exam.closes_at.is_(None), Exam.closes_at > now))
        .order_by(Exam.id))}
    if not live:
        return []
    weeks = db.session.execute(
        select(ProgrammeItem.exam_id, Programme)
        .join(Programme, Programme.id == ProgrammeItem.programme_id)
        .where(ProgrammeItem.exam_id.in_(list(live)), ProgrammeItem.retired.is_(False),
               Programme.retired.is_(False))).all()
    programmes = list({programme.id: programme for _exam_id, programme in weeks}.values())
    # Judged on the last first day among them: a programme that starts later
    # (its weeks scheduled, nobody enrolled yet) holds its audience's keys
    # already; a later day only ever admits more people, never fewer.
    starts = first_days(programmes)  # one statement, not every week of every programme loaded
    day = max([clock.local_date(now), *filter(None, starts.values())])
    member_of = memberships(user, programmes, day, starts=starts) if programmes else {}
    theirs = {exam_id for exam_id, programme in weeks if programme.id in member_of}
    theirs.update(exam_id for exam_id, exam in live.items() if exam.open_to_all)
    if not theirs:
        return []
    attempts: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in db.session.scalars(select(Attempt).where(
            Attempt.user_id == user.id, Attempt.exam_id.in_(list(theirs))).order_by(Attempt.number)):
        attempts[attempt.exam_id].append(attempt)
    return [live[exam_id] for exam_id in sorted(theirs) if _holds_keys(live[exam_id], attempts[exam_id], now)]


def _holds_keys(exam: Exam, attempts: list[Attempt], now: datetime) -> bool:
    """May the learner still sit ``exam`` (live and theirs already), and would
    its review keep the key from them now?"""
    result = counting_attempt(exam, attempts)
    if result is not None and result.passed:
        return False  # passed: every policy but "never" shows it, and the exam is behind them
    sitting = any(a.is_open and not a.is_expired(now) for a in attempts)
    taken = sum(1 for a in attempts if a.counts_as_taken(now))
    if not sitting and exam.max_attempts is not None and taken >= exam.max_attempts:
        return False  # attempts used up: it will not ask them again
    if exam.review_policy == "after_submit":
        # Its owner shows the answers once sat; it keeps them back only while
        # the learner is sitting it (another exam's review must not help).
        return sitting
    return True  # after passing (not passed), after closing (still open), never


def keys_held_back(user, question_ids, now: datetime | None = None) -> dict[int, Exam]:
    """Of these questions, those whose key ``user`` may not see now because an
    exam they can still sit can ask them and keeps its answers from them:
    question id → that exam (the first by id when several do)."""
    question_ids = sorted(set(question_ids))
    if not question_ids:
        return {}
    exams = exams_holding_keys(user, now)
    if not exams:
        return {}
    # A rule can ask a question only from its course (the rule's, or the
    # exam's) or by its slug: the rules that cannot ask any of these are left
    # out before the database is asked (a year of weekly exams of other courses
    # made a union of one term per rule, the most of the 错题本's time).
    courses, slugs = set(), set()
    for course_id, course_slug, slug in db.session.execute(
            select(Question.course_id, Course.slug, Question.slug)
            .outerjoin(Course, Course.id == Question.course_id).where(Question.id.in_(question_ids))):
        courses.update({("id", course_id), ("slug", course_slug)})
        slugs.add(slug)
    terms = []
    for exam in exams:
        for rule in exam.draw:
            if "questions" in rule:
                if slugs.isdisjoint(rule["questions"]):
                    continue
            elif ("slug", rule["course"]) not in courses if rule.get("course") else \
                    exam.course_id is not None and ("id", exam.course_id) not in courses:
                continue
            tag = literal(exam.id, Integer).label("exam_id")
            if "questions" in rule:
                terms.append(select(tag, Question.id.label("question_id")).where(
                    Question.slug.in_(list(rule["questions"])), Question.retired.is_(False),
                    Question.id.in_(question_ids)))
            else:
                terms.append(draw_pool(rule, exam.course_id).where(QuestionVersion.question_id.in_(question_ids))
                             .with_only_columns(tag, QuestionVersion.question_id.label("question_id")))
    if not terms:
        return {}
    by_id = {exam.id: exam for exam in exams}
    held: dict[int, Exam] = {}
    for start in range(0, len(terms), _TERMS_PER_STATEMENT):
        batch = terms[start:start + _TERMS_PER_STATEMENT]
        statement = batch[0] if len(batch) == 1 else union_all(*batch)
        for exam_id, question_id in db.session.execute(statement):
            if question_id not in held or exam_id < held[question_id].id:
                held[question_id] = by_id[exam_id]
    return held


def held_back_sentence(exam: Exam) -> str:
    """Why the learner does not see a question's key: another exam asks it."""
    return _("This question is also in “%(exam)s”, which you have not finished yet: its answer and explanation "
             "are shown once that exam shows them to you.", exam=exam.title)


def held_back_items(viewer, attempt: Attempt, now: datetime | None = None) -> dict[int, str]:
    """The items of a finalised attempt whose key the review must not show to
    ``viewer``, with the sentence that says why (item id → sentence): those the
    learner may not see yet (the rule above, judged for the learner: every
    reader sees at most what the learner sees), and, for a reader who is not
    the learner, those the reader may not see (judged for the reader; trainers
    see every key in the console already)."""
    items = list(attempt.items)
    question_of = {item.id: item.question_version.question_id for item in items}
    learner = attempt.user
    owner_held = keys_held_back(learner, question_of.values(), now)
    reader_held = {} if viewer.id == learner.id or viewer.has_role("trainer") or not viewer.has_role("learner") \
        else keys_held_back(viewer, question_of.values(), now)
    sentences: dict[int, str] = {}
    for item_id, question_id in question_of.items():
        if question_id in reader_held:
            sentences[item_id] = str(held_back_sentence(reader_held[question_id]))
        elif question_id in owner_held:
            exam = owner_held[question_id]
            sentences[item_id] = str(held_back_sentence(exam)) if viewer.id == learner.id else str(_(
                "This question is also in “%(exam)s”, which %(name)s has not finished yet: its answer and "
                "explanation are shown once that exam shows them.", exam=exam.title, name=learner.name))
    return sentences
