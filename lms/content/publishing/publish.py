"""Publishing a checked bundle: what it would change (``plan``, from
``lms.content.publishing.planning``) and doing it (``publish``), atomically.

Rules:
- Nothing is deleted. What the bundle's scope covers but the bundle lacks is
  *retired*; a retired item that comes back is restored.
- Items are compared by ``content_hash`` (sha256 of a canonical JSON of what
  the file says); unchanged items are not touched.
- A question whose content changed gets a new ``QuestionVersion`` (version+1)
  that becomes current; old versions stay as they were, for the attempts that
  drew them.
- Lessons, stems and explanations are rendered (``render_markdown``) at
  publish; relative links become ``/assets/<course>/<path>`` URLs.
- One transaction: on any error nothing changes. A publish that changes
  something writes a ``ContentRelease`` and one ``content.published`` audit
  event with the summary.
"""
from __future__ import annotations

import json
from collections.abc import Callable

from flask_babel import gettext as _
from sqlalchemy import func, select, text, update

from lms import clock
from lms.audit.services import record
from lms.content.source.checks import check
from lms.content.source.links import course_link_resolver
from lms.database import transaction
from lms.content.models import (
    Asset, ContentRelease, Course, Exam, Lesson, Programme, ProgrammeItem, ProgrammeItemLesson, Question,
    QuestionTag, QuestionVersion,
)
from lms.content.publishing.credentials import apply_credentials
from lms.content.publishing.planning import KINDS, Plan, content_hash, exam_draw, plan  # noqa: F401  (this module's API)
from lms.content.rendering_fast import render
from lms.content.schema import ContentBundle, Problem, Source
from lms.exams import regrade
from lms.exams.models import Attempt, AttemptItem, AttemptState
from lms.extensions import db
from lms.numbers import counted, reading_number
from lms.own_case import own_case
from lms.punctuation import aside

_PG_LOCK_KEY = 7_340_222  # serialises publishes on PostgreSQL (SQLite: BEGIN IMMEDIATE does)


class ContentProblems(Exception):
    """The bundle has problems: nothing was published."""

    def __init__(self, problems: list[Problem]):
        super().__init__(counted("%(num)s problem in the content", "%(num)s problems in the content", len(problems)))
        self.problems = problems


class PlanChanged(Exception):
    """What publishing would change now is not the plan the trainer reviewed
    (its ``fingerprint``): nothing was published; ``plan`` is what it would
    change now, to show instead."""

    def __init__(self, plan: Plan):
        super().__init__("the plan changed since it was reviewed")
        self.plan = plan


# --- publishing -----------------------------------------------------------------

class _Progress:
    def __init__(self, callback, total: int):
        self.callback, self.total, self.done = callback, total, 0

    def step(self, n: int = 1) -> None:
        self.done += n
        if self.callback and n:
            self.callback(self.done, self.total)


def _bulk_insert(model, rows: list[dict]) -> None:
    # Core executemany: no ORM bookkeeping per row (tens of thousands of rows).
    if rows:
        db.session.execute(model.__table__.insert(), rows)


def _bulk_update(model, rows: list[dict]) -> None:
    if rows:
        db.session.execute(update(model), rows)


def _retire(model, ids: list[int], progress: _Progress, **extra) -> None:
    if ids:
        db.session.execute(update(model), [{"id": i, "retired": True, **extra} for i in ids])
        progress.step(len(ids))


def regrade_problems(result: Plan, decision) -> list[Problem]:
    """A corrected key changes submitted scores: without the trainer's
    decision (re-grade or leave them) and its reason, publishing is refused,
    each question named at its file and line."""

    effect = next((e for e in result.effects if e.kind == "answers_regraded"), None)
    if decision is not None and decision.reason:
        return []
    if effect is None:
        return _open_reason_problems(result, decision)
    d = effect.data
    problems = []
    for slug in d["questions"]:
        if decision is None:
            message = counted(
                "question %(id)s: the corrected key changes the score of %(num)s submitted attempt (%(to_fail)s "
                "would fail, %(to_pass)s would pass); choose to re-grade it or to leave its result, and give the "
                "reason (command line: --regrade or --keep-results with --reason).",
                "question %(id)s: the corrected key changes the score of %(num)s submitted attempts (%(to_fail)s "
                "would fail, %(to_pass)s would pass); choose to re-grade them or to leave their results, and give "
                "the reason (command line: --regrade or --keep-results with --reason).", d["attempts"], id=slug,
                to_fail=reading_number(len(d["to_fail"])), to_pass=reading_number(len(d["to_pass"])))
        else:
            message = counted("question %(id)s: give the reason for your decision on the %(num)s submitted attempt "
                              "the corrected key changes.",
                              "question %(id)s: give the reason for your decision on the %(num)s submitted attempts "
                              "the corrected key changes.", d["attempts"], id=slug)
        path, line = d["sources"].get(slug, ["", 0])
        problems.append(Problem(Source(path, line), message))
    return problems


def own_attempt_problems(result: Plan, actor) -> list[Problem]:
    """Whether the corrected key's change to submitted scores stands (re-graded
    or kept) decides each learner's result: a trainer who sat the exam does not
    decide their own (``lms.own_case``); another trainer publishes the release."""
    own = [c for c in result._work.get("regrade") or [] if own_case(actor, c.user_id)]
    effect = next((e for e in result.effects if e.kind == "answers_regraded"), None)
    sources = effect.data["sources"] if effect is not None else {}
    problems = []
    for slug in dict.fromkeys(item.question for change in own for item in change.items):
        attempts = ", ".join(c.who() for c in own if any(i.question == slug for i in c.items))
        path, line = sources.get(slug, ["", 0])
        problems.append(Problem(Source(path, line), _(
            "question %(id)s: the corrected key changes the score of your own attempt (%(attempts)s); another "
            "trainer decides on it and publishes this change.", id=slug, attempts=attempts)))
    for slug, attempts in _own_open_attempts(result, actor).items():
        path, line = sources.get(slug) or _question_source(result, slug)
        problems.append(Problem(Source(path, line), _(
            "question %(id)s: the corrected key would grade your own attempt in progress (%(attempts)s) when you "
            "submit it; another trainer publishes this change.", id=slug, attempts=", ".join(attempts))))
    return problems


def _own_open_attempts(result: Plan, actor) -> dict[str, list[str]]:
    """Question id → the actor's open attempts that hold it under another key:
    an open attempt is graded at submit with the key of then (moved to the new
    version, or re-graded at submit), so publishing it would decide the
    publisher's own result just as re-grading a submitted one would."""
    if actor is None:
        return {}
    new = {qid: (q.id, q.type, q.data) for state, q, _h, qid, _last, new_version in result._work.get("questions", [])
           if state == "changed" and new_version}
    if not new:
        return {}
    found: dict[str, list[str]] = {}
    for qid, qtype, data_json, exam_slug, number in db.session.execute(
            select(QuestionVersion.question_id, QuestionVersion.type, QuestionVersion.data_json, Exam.slug,
                   Attempt.number)
            .join(AttemptItem, AttemptItem.question_version_id == QuestionVersion.id)
            .join(Attempt, Attempt.id == AttemptItem.attempt_id).join(Exam, Exam.id == Attempt.exam_id)
            .where(Attempt.user_id == actor.id, Attempt.state == AttemptState.OPEN,
                   QuestionVersion.question_id.in_(list(new)))
            .order_by(Exam.slug, Attempt.number)):
        slug, new_type, new_data = new[qid]
        if (qtype, json.loads(data_json)) != (new_type, new_data):
            found.setdefault(slug, []).append(f"{actor.name}{aside(actor.employee_no)} {exam_slug} #{number}")
    return found


def _question_source(result: Plan, slug: str) -> tuple[str, int]:
    source = next((q.source for state, q, *_rest in result._work.get("questions", [])
                   if state == "changed" and q.id == slug), None)
    return (source.path, source.line) if source is not None else ("", 0)


def _open_reason_problems(result: Plan, decision) -> list[Problem]:
    """Re-grading attempts in progress that keep an earlier text (at their
    submit) is a decision the learners read the reason of: refused without one."""
    if decision is None or decision.choice != regrade.REGRADE:
        return []
    sources = {q.id: q.source for state, q, *_rest in result._work.get("questions", []) if state == "changed"}
    problems = []
    for e in result.effects:
        if e.kind == "question_version" and e.data.get("open"):
            source = sources.get(e.key)
            problems.append(Problem(Source(source.path if source else "", source.line if source else 0), counted(
                "question %(id)s: give the reason for re-grading the %(num)s attempt in progress that was shown "
                "another text (the learner reads it when it is re-graded).",
                "question %(id)s: give the reason for re-grading the %(num)s attempts in progress that were shown "
                "another text (the learners read it when they are re-graded).", e.data["open"], id=e.key)))
    return problems


@transaction(immediate=True)
def publish(bundle: ContentBundle, actor=None, source: str = "", *, checked: bool = False,
            progress: Callable[[int, int], None] | None = None, decision=None, reviewed: str | None = None) -> Plan:
    """Check (unless ``checked``), plan and apply the bundle in one
    transaction. Raises ``ContentProblems`` (nothing changed) when the bundle
    has problems; any other error rolls everything back too. When a corrected
    key changes submitted scores, ``decision`` (``lms.exams.regrade.Decision``:
    re-grade them or keep them, with a reason) is required. ``reviewed``: the
    ``Plan.fingerprint`` the trainer was shown; a plan that would write
    anything else raises ``PlanChanged`` (nothing changed) with the plan of now."""
    try:
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        if not checked:
            problems = check(bundle)
            if problems:
                raise ContentProblems(problems)
        result = plan(bundle)
        if regrade.submitted_since_planned(result._work.get("drawn")):
            # A learner's submit committed while planning, graded with the old key: plan again, the open
            # attempts now held, so the trainer decides about it as about every other submitted attempt.
            result = plan(bundle)
        result._work["lesson_files"] = bundle.lesson_files  # links between lessons
        if reviewed and result.has_changes and result.fingerprint != reviewed:
            raise PlanChanged(result)
        refused = own_attempt_problems(result, actor) or regrade_problems(result, decision)
        if refused:
            raise ContentProblems(refused)
        if not result.has_changes:
            db.session.commit()  # ends the transaction (and its lock); nothing of ours was written
            return result
        _apply(result, _Progress(progress, result.size))
        # Open attempts: a key-only fix moves them to the new version now; the others keep theirs.
        new_versions = [qid for state, _q, _h, qid, _last, new_version in result._work["questions"]
                        if state == "changed" and new_version]
        moves = regrade.move_open_attempts(new_versions)
        later = regrade.open_regrade(moves, decision, new_versions)
        release = ContentRelease(at=clock.now(), actor_id=actor.id if actor is not None else None,
                                 source=source[:255] or bundle.scope.describe()[:255],
                                 summary_json=json.dumps(
                                     {"scope": bundle.scope.describe(), "counts": result.summary(),
                                      **({"regrade_open": later} if later else {})},
                                     ensure_ascii=False, sort_keys=True))
        db.session.add(release)
        db.session.flush()
        counts = {kind: {n: v for n, v in c.items() if n != "unchanged" and v}
                  for kind, c in result.summary().items()}
        # Which exam settings changed, before → after (a pass mark raised mid-week is on the record).
        settings = {e.key: e.data["settings"] for e in result.effects if e.kind == "exam_settings"}
        extra = {"exam_settings": settings} if settings else {}
        if moves.moved or moves.kept:
            extra["open_attempts"] = {"moved": moves.moved, "kept": len(moves.kept),
                                      "regrade_at_submit": later is not None}
        changes = result._work.get("regrade") or []
        if changes:
            regraded = regrade.apply(changes, decision.reason, actor, release.id) \
                if decision.choice == regrade.REGRADE else 0
            extra["regrade"] = {"choice": decision.choice, "reason": decision.reason, "regraded": regraded,
                                **{k: v for k, v in regrade.summary(changes).items() if k != "questions"},
                                "questions": regrade.summary(changes)["questions"]}
            result.regraded = regraded
        record("content.published", release, actor=actor, scope=bundle.scope.describe(), source=release.source,
               changes={kind: c for kind, c in counts.items() if c}, **extra)
        db.session.commit()
        result.release_id = release.id
        return result
    except BaseException:
        db.session.rollback()
        raise


def _resolver(work: dict, course_id: str):
    return course_link_resolver(course_id, work.get("lesson_files", {}).get(course_id))


def _apply(result: Plan, progress: _Progress) -> None:
    work = result._work
    now = clock.now()

    # courses
    def course_row(c, h) -> dict:
        return {"title": c.title, "track": c.track, "summary": c.summary, "intro_md": c.intro_md,
                "intro_html": render(c.intro_md, _resolver(work, c.id)), "content_hash": h, "retired": False,
                "updated_at": now}

    _bulk_insert(Course, [{**course_row(c, h), "slug": c.id}
                          for state, c, h, _id in work["courses"] if state == "added"])
    _bulk_update(Course, [{**course_row(c, h), "id": cid}
                          for state, c, h, cid in work["courses"] if state == "changed"])
    progress.step(sum(1 for s, *_ in work["courses"] if s != "unchanged"))
    _retire(Course, work["retire_courses"], progress, updated_at=now)
    course_ids = dict(db.session.execute(select(Course.slug, Course.id)).all())

    # assets
    _bulk_insert(Asset, [{"course_id": course_ids[a.course_id], "path": a.path, "mimetype": a.mimetype,
                          "data": a.data, "content_hash": h, "retired": False}
                         for state, a, h, _id in work["assets"] if state == "added"])
    _bulk_update(Asset, [{"id": aid, "mimetype": a.mimetype, "data": a.data, "content_hash": h, "retired": False}
                         for state, a, h, aid in work["assets"] if state == "changed"])
    progress.step(sum(1 for s, *_ in work["assets"] if s != "unchanged"))
    _retire(Asset, work["retire_assets"], progress)

    # lessons
    new_rows, changed_rows = [], []
    for state, lesson, h, lid in work["lessons"]:
        if state == "unchanged":
            continue
        row = {"title": lesson.title, "position": lesson.position, "minutes": lesson.minutes,
               "objectives_json": json.dumps(lesson.objectives, ensure_ascii=False), "body_md": lesson.body_md,
               "body_html": render(lesson.body_md, _resolver(work, lesson.course_id)),
               "content_hash": h, "retired": False, "updated_at": now}
        if state == "added":
            new_rows.append({**row, "course_id": course_ids[lesson.course_id], "slug": lesson.id})
        else:
            changed_rows.append({**row, "id": lid})
        progress.step()
    _bulk_insert(Lesson, new_rows)
    _bulk_update(Lesson, changed_rows)
    _retire(Lesson, work["retire_lessons"], progress, updated_at=now)

    _apply_questions(work, course_ids, progress, now)

    # exams
    exam_rows = []
    for state, e, h, eid in work["exams"]:
        if state == "unchanged":
            continue
        row = {"slug": e.id, "title": e.title, "course_id": course_ids.get(e.course_id) if e.course_id else None,
               "draw_json": json.dumps(exam_draw(e), ensure_ascii=False), "time_limit_minutes": e.time_limit_minutes,
               "pass_mark": e.pass_mark, "max_attempts": e.max_attempts, "cooldown_minutes": e.cooldown_minutes,
               "shuffle_options": e.shuffle_options, "layout": e.layout, "review_policy": e.review_policy,
               "scoring": e.scoring, "partial_credit": e.partial_credit, "focus_loss_limit": e.focus_loss_limit,
               "closes_at": e.closes_at, "open_to_all": e.open_to_all, "content_hash": h, "retired": False}
        exam_rows.append((state, row, eid))
    _bulk_insert(Exam, [row for state, row, _id in exam_rows if state == "added"])
    _bulk_update(Exam, [{**row, "id": eid} for state, row, eid in exam_rows if state == "changed"])
    progress.step(len(exam_rows))
    _retire(Exam, work["retire_exams"], progress)

    _apply_programmes(work, progress)
    apply_credentials(work, progress)


def _apply_questions(work: dict, course_ids: dict, progress: _Progress, now) -> None:
    added = [(q, h) for state, q, h, _qid, _v, _nv in work["questions"] if state == "added"]
    _bulk_insert(Question, [{"slug": q.id, "course_id": course_ids.get(q.course_id) if q.course_id else None,
                             "bank": q.bank, "retired": False} for q, _h in added])
    question_ids = {}
    if added:
        wanted = {q.id for q, _h in added}
        question_ids = {slug: qid for slug, qid in db.session.execute(select(Question.slug, Question.id))
                        if slug in wanted}
    versions = []  # (question id, version, parsed, hash)
    moved = []
    for state, q, h, qid, last, new_version in work["questions"]:
        if state == "added":
            versions.append((question_ids[q.id], 1, q, h))
            continue
        moved.append({"id": qid, "course_id": course_ids.get(q.course_id) if q.course_id else None,
                      "bank": q.bank, "retired": False})
        if new_version:
            versions.append((qid, last + 1, q, h))
    _bulk_update(Question, moved)
    rows = []
    for qid, number, q, h in versions:
        resolve = _resolver(work, q.course_id) if q.course_id else None
        rows.append({"question_id": qid, "version": number, "type": q.type, "stem_md": q.stem_md,
                     "stem_html": render(q.stem_md, resolve),
                     "data_json": json.dumps(q.data, ensure_ascii=False, sort_keys=True),
                     "points": float(q.points), "difficulty": q.difficulty, "explanation_md": q.explanation_md,
                     "explanation_html": render(q.explanation_md, resolve) if q.explanation_md else "",
                     "content_hash": h, "created_at": now})
        progress.step()
    progress.step(sum(1 for state, *_rest, new_version in work["questions"] if state == "changed" and not new_version))
    _bulk_insert(QuestionVersion, rows)
    if versions:
        # The new versions' ids, looked up by (question, version).
        wanted = {(qid, number) for qid, number, _q, _h in versions}
        version_ids = {}
        for vid, qid, number in db.session.execute(
                select(QuestionVersion.id, QuestionVersion.question_id, QuestionVersion.version)
                .where(QuestionVersion.created_at == now)):
            if (qid, number) in wanted:
                version_ids[(qid, number)] = vid
        _bulk_insert(QuestionTag, [{"version_id": version_ids[(qid, number)], "tag": tag}
                                   for qid, number, q, _h in versions for tag in sorted(set(q.tags))])
        # Every question's newest version becomes current, in one statement
        # (versions are only ever appended, so the newest has the highest id).
        newest = (select(QuestionVersion.question_id, func.max(QuestionVersion.id).label("version_id"))
                  .group_by(QuestionVersion.question_id).subquery())
        db.session.execute(
            update(Question).values(current_version_id=newest.c.version_id)
            .where(newest.c.question_id == Question.id)
            .where(Question.current_version_id.is_(None) | (Question.current_version_id != newest.c.version_id))
            .execution_options(synchronize_session=False))
    _retire(Question, work["retire_questions"], progress)


def _apply_programmes(work: dict, progress: _Progress) -> None:
    _bulk_insert(Programme, [{"slug": p.id, "title": p.title, "summary": p.summary,
                              "audience_json": json.dumps(p.audience, ensure_ascii=False, sort_keys=True),
                              "in_order": p.in_order, "recurring": p.recurring, "content_hash": h, "retired": False}
                             for state, p, h, _id in work["programmes"] if state == "added"])
    _bulk_update(Programme, [{"id": pid, "title": p.title, "summary": p.summary,
                              "audience_json": json.dumps(p.audience, ensure_ascii=False, sort_keys=True),
                              "in_order": p.in_order, "recurring": p.recurring, "content_hash": h, "retired": False}
                             for state, p, h, pid in work["programmes"] if state == "changed"])
    progress.step(sum(1 for s, *_ in work["programmes"] if s != "unchanged"))
    _retire(Programme, work["retire_programmes"], progress)
    todo = [(state, slug, item, iid) for state, slug, item, iid in work["items"] if state != "unchanged"]
    if not todo:
        _retire(ProgrammeItem, work["retire_items"], progress)
        return
    programme_ids = dict(db.session.execute(select(Programme.slug, Programme.id)).all())
    exam_ids = dict(db.session.execute(select(Exam.slug, Exam.id)).all())
    lesson_ids = {f"{c}/{slug}": lid for lid, c, slug in db.session.execute(
        select(Lesson.id, Course.slug, Lesson.slug).join(Course, Course.id == Lesson.course_id))}
    rows = []
    for state, slug, item, iid in todo:
        row = {"key": item.key, "kind": item.kind, "number": item.number, "title": item.title,
               "exam_id": exam_ids.get(item.exam_id), "opens_on": item.opens_on, "due_on": item.due_on,
               "retired": False}
        rows.append((state, slug, item, iid, row))
    _bulk_insert(ProgrammeItem, [{**row, "programme_id": programme_ids[slug]}
                                 for state, slug, _i, _id, row in rows if state == "added"])
    _bulk_update(ProgrammeItem, [{**row, "id": iid} for state, _s, _i, iid, row in rows if state == "changed"])
    item_ids = {(pid, key): iid for iid, pid, key in db.session.execute(
        select(ProgrammeItem.id, ProgrammeItem.programme_id, ProgrammeItem.key)
        .where(ProgrammeItem.programme_id.in_({programme_ids[slug] for _s, slug, *_ in rows})))}
    touched = [item_ids[(programme_ids[slug], item.key)] for _s, slug, item, _i, _r in rows]
    db.session.execute(ProgrammeItemLesson.__table__.delete().where(ProgrammeItemLesson.item_id.in_(touched)))
    _bulk_insert(ProgrammeItemLesson, [
        {"item_id": item_ids[(programme_ids[slug], item.key)], "lesson_id": lesson_ids[ref], "position": position}
        for _s, slug, item, _i, _r in rows for position, ref in enumerate(dict.fromkeys(item.lessons), start=1)])
    progress.step(len(rows))
    _retire(ProgrammeItem, work["retire_items"], progress)
