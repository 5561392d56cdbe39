"""What a publish does to learners who are in the middle of the course: the
part of a plan a trainer must read before changing something live.

- a question that gets a new version: how many attempts in progress and how
  many submitted ones drew an earlier version (they keep it: they are graded,
  reviewed, put in the wrong-answer notebook and analysed with the version
  they were asked);
- a question whose file goes back to the text of an earlier version (an
  older copy published over a newer one);
- a corrected key: the submitted attempts the new versions would score
  differently, and whose pass or fail would flip (both ways); ``publish``
  wants the trainer's decision for them (``lms.exams.regrade``);
- an exam whose settings change: each setting before → after, with the
  attempts in progress (they keep their questions, deadline, pass mark and
  partial-credit rule)
  and the learners who passed (they stay passed);
- a retired exam, week or lesson: the learners with attempts, passes or
  reads of it (their history stays; the week no longer counts);
- a retired question (deleted from its bank): the attempts in progress and
  submitted that drew it (they keep it) and the wrong-answer notebooks that
  still hold it;
- a week inserted (open already, or already past its due date: the learners
  who must now pass it, or are overdue at once), moved to another place
  (week 3 → week 4, its dates; its passes go with it), given other dates at
  the same place (its passes stay; who is overdue at once), or given another
  exam at the same place (the passes of the old exam no longer count for it);
- a new programme whose first weeks are already past due (its audience is
  overdue on them the day it is published);
  the certifications and eligibility rules that count that programme's weeks.

Read only; ``planning.plan`` computes these for every changed or retired item
(no query when nothing is changed or retired). Sentences are made at display
time (``lms.content.publishing.wording``), in the reader's language.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import distinct, func, select

from lms import clock
from lms.content.models import (
    Certification, EligibilityRule, Exam, Lesson, LessonView, Programme, ProgrammeItem, Question, QuestionVersion,
)
from lms.exams import regrade
from lms.exams.models import Attempt, AttemptItem, NotebookEntry
from lms.extensions import db
from lms.programmes.audience import members


@dataclass
class Effect:
    """One consequence for learners. kind: question_version | question_reverted
    | exam_settings | exam_retired | week_retired | week_added | week_moved
    | week_dates_changed | week_exam_changed | weeks_counted | lesson_retired | question_retired
    | programme_past_due."""
    kind: str
    key: str
    data: dict = field(default_factory=dict)


def _exam_settings(exam) -> dict:
    """The settings a learner meets, as comparable plain values."""
    return {"pass_mark": float(exam.pass_mark), "time_limit": exam.time_limit_minutes,
            "attempts": exam.max_attempts, "cooldown": exam.cooldown_minutes, "review": exam.review_policy,
            "scoring": exam.scoring, "partial": bool(exam.partial_credit), "shuffle": bool(exam.shuffle_options),
            "focus": exam.focus_loss_limit,
            "closes_at": exam.closes_at,
            "open_to_all": bool(exam.open_to_all)}


def _attempts_by_state(exam_ids) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {}
    if exam_ids:
        for exam_id, state, n in db.session.execute(
                select(Attempt.exam_id, Attempt.state, func.count()).where(Attempt.exam_id.in_(list(exam_ids)))
                .group_by(Attempt.exam_id, Attempt.state)):
            counts.setdefault(exam_id, {})[state] = n
    return counts


def _passed_learners(exam_ids) -> dict[int, int]:
    if not exam_ids:
        return {}
    return dict(db.session.execute(
        select(Attempt.exam_id, func.count(distinct(Attempt.user_id)))
        .where(Attempt.exam_id.in_(list(exam_ids)), Attempt.passed.is_(True)).group_by(Attempt.exam_id)).all())


def learner_effects(work: dict, kinds: dict) -> list[Effect]:
    """The effects of a plan's work (``Plan._work``) on learners."""
    effects: list[Effect] = []
    effects += _question_effects(work)
    effects += _retired_question_effects(work)
    effects += _regrade_effects(work)
    effects += _exam_effects(work, kinds)
    weeks = _week_effects(work) + _item_effects(work)
    effects += weeks
    effects += _counted_weeks(weeks)
    effects += _lesson_effects(work)
    return effects


def _question_effects(work: dict) -> list[Effect]:
    changed = {qid: q.id for state, q, _h, qid, _last, new_version in work.get("questions", [])
               if state == "changed" and new_version}
    if not changed:
        return []
    hashes = {qid: h for state, _q, h, qid, _last, new_version in work["questions"]
              if state == "changed" and new_version}
    effects = []
    # An older copy: the file's text is that of an earlier (not the current) version.
    latest = dict(db.session.execute(
        select(QuestionVersion.question_id, func.max(QuestionVersion.version))
        .where(QuestionVersion.question_id.in_(list(changed))).group_by(QuestionVersion.question_id)).all())
    for qid, version, h, created in db.session.execute(
            select(QuestionVersion.question_id, QuestionVersion.version, QuestionVersion.content_hash,
                   QuestionVersion.created_at)
            .where(QuestionVersion.question_id.in_(list(changed)),
                   QuestionVersion.content_hash.in_(sorted(set(hashes.values()))))
            .order_by(QuestionVersion.question_id, QuestionVersion.version.desc())):
        if h == hashes[qid] and not any(e.key == changed[qid] for e in effects):
            effects.append(Effect("question_reverted", changed[qid],
                                  {"version": version, "latest": latest[qid],
                                   "published": created}))
    parsed = {qid: q for state, q, _h, qid, _last, new_version in work["questions"]
              if state == "changed" and new_version}
    drawn: dict[int, dict[str, set]] = {}
    open_items = []  # (question id, version id, attempt id)
    for qid, vid, version, state, attempt_id in db.session.execute(
            select(QuestionVersion.question_id, QuestionVersion.id, QuestionVersion.version, Attempt.state, Attempt.id)
            .join(AttemptItem, AttemptItem.question_version_id == QuestionVersion.id)
            .join(Attempt, Attempt.id == AttemptItem.attempt_id)
            .where(QuestionVersion.question_id.in_(list(changed)))):
        seen = drawn.setdefault(qid, {"open": set(), "done": set(), "versions": set(), "moving": set()})
        if state == "open":
            open_items.append((qid, vid, version, attempt_id))
        else:
            seen["done"].add(attempt_id)
            seen["versions"].add(version)
    # An open attempt whose learner sees the same question in the new version moves to it at publish
    # (``lms.exams.regrade.move_open_attempts``); the others keep the version they were shown.
    shown = {v.id: regrade.seen(v.type, v.stem_md, v.data) for v in db.session.scalars(
        select(QuestionVersion).where(QuestionVersion.id.in_({vid for _q, vid, _v, _a in open_items})))}
    for qid, vid, version, attempt_id in open_items:
        q = parsed[qid]
        same = shown[vid] == regrade.seen(q.type, q.stem_md, q.data)
        drawn[qid]["moving" if same else "open"].add(attempt_id)
        if not same:
            drawn[qid]["versions"].add(version)
    # What publish compares with once it holds the open attempts (a submit may commit in between).
    work["drawn"] = {"questions": sorted(changed), "done": {a for seen in drawn.values() for a in seen["done"]}}
    for qid, seen in sorted(drawn.items(), key=lambda kv: changed[kv[0]]):
        effects.append(Effect("question_version", changed[qid],
                              {"open": len(seen["open"]), "done": len(seen["done"]), "moving": len(seen["moving"]),
                               "versions": sorted(seen["versions"])}))
    return effects


def _retired_question_effects(work: dict) -> list[Effect]:
    """A question deleted from its bank while attempts hold it: they keep it
    (an open one is submitted and graded with it); notebooks keep it too."""
    ids = list(work.get("retire_questions", []))
    if not ids:
        return []
    drawn: dict[int, dict[str, set]] = {}
    for qid, state, attempt_id in db.session.execute(
            select(QuestionVersion.question_id, Attempt.state, Attempt.id)
            .join(AttemptItem, AttemptItem.question_version_id == QuestionVersion.id)
            .join(Attempt, Attempt.id == AttemptItem.attempt_id)
            .where(QuestionVersion.question_id.in_(ids))):
        drawn.setdefault(qid, {"open": set(), "done": set()})["open" if state == "open" else "done"].add(attempt_id)
    notebooks = dict(db.session.execute(
        select(NotebookEntry.question_id, func.count(distinct(NotebookEntry.user_id)))
        .where(NotebookEntry.question_id.in_(ids), NotebookEntry.cleared_at.is_(None))
        .group_by(NotebookEntry.question_id)).all())
    effects = []
    for qid, slug in db.session.execute(select(Question.id, Question.slug).where(Question.id.in_(ids))
                                        .order_by(Question.slug)):
        seen = drawn.get(qid)
        if seen:
            effects.append(Effect("question_retired", slug, {
                "open": len(seen["open"]), "done": len(seen["done"]), "notebooks": notebooks.get(qid, 0)}))
    return effects


def _regrade_effects(work: dict) -> list[Effect]:
    """Submitted attempts a corrected key would score differently; kept in
    ``work["regrade"]`` for publish (which re-grades them or leaves them, as
    the trainer decides)."""

    changed = {qid: q for state, q, _h, qid, _last, new_version in work.get("questions", [])
               if state == "changed" and new_version}
    changes = regrade.affected_attempts(changed)
    work["regrade"] = changes
    if not changes:
        return []
    data = regrade.summary(changes)
    data["sources"] = {q.id: [q.source.path, q.source.line] for q in changed.values() if q.id in data["questions"]}
    return [Effect("answers_regraded", ", ".join(data["questions"]), data)]


def _exam_effects(work: dict, kinds: dict) -> list[Effect]:
    changed = {eid: e for state, e, _h, eid in work.get("exams", []) if state == "changed"}
    retired = list(work.get("retire_exams", []))
    if not changed and not retired:
        return []
    rows = {exam.id: exam for exam in db.session.scalars(select(Exam).where(Exam.id.in_([*changed, *retired])))}
    attempts = _attempts_by_state([*changed, *retired])
    passed = _passed_learners([*changed, *retired])
    effects = []
    for eid, parsed in changed.items():
        before = _exam_settings(rows[eid])
        after = _exam_settings(parsed)
        settings = {name: [before[name], after[name]] for name in before if before[name] != after[name]}
        if json.loads(rows[eid].draw_json) != [{k: v for k, v in r.items() if k != "line"} for r in parsed.draw]:
            settings["draw"] = [None, None]
        if not settings or rows[eid].retired:
            continue
        counts = attempts.get(eid, {})
        effects.append(Effect("exam_settings", parsed.id, {
            "settings": settings, "open": counts.get("open", 0),
            "done": sum(n for state, n in counts.items() if state != "open"), "passed": passed.get(eid, 0)}))
    for eid in retired:
        counts = attempts.get(eid, {})
        if counts:
            effects.append(Effect("exam_retired", rows[eid].slug, {
                "open": counts.get("open", 0), "done": sum(n for state, n in counts.items() if state != "open"),
                "passed": passed.get(eid, 0)}))
    return effects


def _week_effects(work: dict) -> list[Effect]:
    ids = list(work.get("retire_items", []))
    if not ids:
        return []
    effects = []
    items = list(db.session.scalars(select(ProgrammeItem).where(ProgrammeItem.id.in_(ids), ProgrammeItem.kind == "week")))
    passed = _passed_learners({item.exam_id for item in items if item.exam_id})
    for item in sorted(items, key=lambda i: (i.programme.slug, i.number)):
        effects.append(Effect("week_retired", f"{item.programme.slug}/{item.key}", {
            "title": item.title, "programme": item.programme.title, "number": item.number,
            "passed": passed.get(item.exam_id, 0) if item.exam_id else 0}))
    return effects


def _item_effects(work: dict) -> list[Effect]:
    """Weeks inserted, moved to another place, or given another exam in a
    programme that is already published."""

    items = [(state, slug, item, iid) for state, slug, item, iid in work.get("items", [])
             if item.kind == "week" and state != "unchanged"]
    if not items:
        return []
    today = clock.today()
    old = {row.id: row for row in db.session.scalars(
        select(ProgrammeItem).where(ProgrammeItem.id.in_([iid for *_rest, iid in items if iid])))}
    exam_ids = dict(db.session.execute(select(Exam.slug, Exam.id)).all())
    effects: list[Effect] = []
    added = []
    for state, slug, item, iid in items:
        row = old.get(iid)
        if row is None or row.retired:
            added.append((slug, item))
            continue
        key = f"{slug}/{item.key}"
        if row.number != item.number:
            effects.append(Effect("week_moved", key, {
                "title": item.title, "programme": row.programme.title, "before": row.number, "after": item.number,
                "due_before": row.due_on.isoformat(), "due_after": item.due_on.isoformat(),
                "passed": _passed_learners([row.exam_id]).get(row.exam_id, 0) if row.exam_id else 0,
                "overdue": _newly_overdue(row, item, today)}))
        elif (row.opens_on, row.due_on) != (item.opens_on, item.due_on):
            # The same week at the same place with other dates (moved past a holiday, made longer).
            effects.append(Effect("week_dates_changed", key, {
                "title": item.title, "programme": row.programme.title, "number": item.number,
                "opens_before": row.opens_on.isoformat(), "due_before": row.due_on.isoformat(),
                "opens_after": item.opens_on.isoformat(), "due_after": item.due_on.isoformat(),
                "passed": _passed_learners([row.exam_id]).get(row.exam_id, 0) if row.exam_id else 0,
                "overdue": _newly_overdue(row, item, today)}))
        new_exam = exam_ids.get(item.exam_id)
        if row.exam_id is not None and new_exam != row.exam_id:
            effects.append(Effect("week_exam_changed", key, {
                "title": item.title, "programme": row.programme.title, "number": item.number,
                "before": row.exam.slug, "after": item.exam_id,
                "passed": _passed_learners([row.exam_id]).get(row.exam_id, 0)}))
    if added:
        effects += _added_weeks(added, today)
    return effects


def _counted_weeks(weeks: list[Effect]) -> list[Effect]:
    """Certifications that require a programme completed, and eligibility
    rules that count its recent weeks passed, of the programmes whose weeks
    are inserted, removed, moved or given another exam: they read the weeks
    as they are after publishing."""

    slugs = {e.key.split("/")[0] for e in weeks if e.kind in ("week_retired", "week_added", "week_moved",
                                                              "week_dates_changed", "week_exam_changed")}
    if not slugs:
        return []
    certifications = [c for c in db.session.scalars(select(Certification).where(Certification.retired.is_(False))
                                                    .order_by(Certification.title, Certification.slug))]
    rules = [r for r in db.session.scalars(select(EligibilityRule).where(EligibilityRule.retired.is_(False))
                                           .order_by(EligibilityRule.title, EligibilityRule.slug))]
    titles = dict(db.session.execute(select(Programme.slug, Programme.title).where(Programme.slug.in_(slugs))).all())
    effects = []
    for slug in sorted(slugs):
        certs = [c.title for c in certifications if slug in (c.requirements.get("programmes") or [])]
        counting = [r.title for r in rules if (r.requirements.get("weeks_passed") or {}).get("programme") == slug]
        if certs or counting:
            effects.append(Effect("weeks_counted", slug, {"programme": titles.get(slug, slug),
                                                          "certifications": certs, "rules": counting}))
    return effects


def _newly_overdue(row: ProgrammeItem, item, today) -> int:
    """A week moved to dates already past: the learners of the programme who
    have not passed it and become overdue on it at once."""
    if not item.due_on < today <= row.due_on or row.exam_id is None:
        return 0
    passed = set(db.session.scalars(select(Attempt.user_id).where(
        Attempt.exam_id == row.exam_id, Attempt.passed.is_(True))))
    return sum(1 for m in members(row.programme, today) if m.enrolled_on <= item.due_on and m.user.id not in passed)


def _added_weeks(added: list, today) -> list[Effect]:
    """A week inserted in a published programme: who must pass it now."""
    programmes = {p.slug: p for p in db.session.scalars(
        select(Programme).where(Programme.slug.in_({slug for slug, _item in added}), Programme.retired.is_(False)))}
    people: dict[str, list] = {}
    effects = []
    past_due: dict[str, list] = {}
    for slug, item in added:
        programme = programmes.get(slug)
        if programme is None:
            # A new programme: nobody is in the middle of it, but weeks already
            # past due make its whole audience overdue on them the day it is published.
            if item.due_on < today:
                past_due.setdefault(slug, []).append(item)
            continue
        data = {"title": item.title, "programme": programme.title, "number": item.number,
                "opens": item.opens_on.isoformat(), "due": item.due_on.isoformat(), "learners": 0, "overdue": 0}
        if item.opens_on <= today:
            if slug not in people:
                people[slug] = members(programme, today)
            data["learners"] = len(people[slug])
            if item.due_on < today:
                data["overdue"] = sum(1 for m in people[slug] if m.enrolled_on <= item.due_on)
        effects.append(Effect("week_added", f"{slug}/{item.key}", data))
    for slug, items in past_due.items():
        effects.append(Effect("programme_past_due", slug, {
            "weeks": [item.number for item in items], "first_due": min(i.due_on for i in items).isoformat(),
            "last_due": max(i.due_on for i in items).isoformat(), "today": today.isoformat()}))
    return effects


def _lesson_effects(work: dict) -> list[Effect]:
    ids = list(work.get("retire_lessons", []))
    if not ids:
        return []
    readers = dict(db.session.execute(
        select(LessonView.lesson_id, func.count()).where(LessonView.lesson_id.in_(ids))
        .group_by(LessonView.lesson_id)).all())
    added = [lesson for state, lesson, *_rest in work.get("lessons", []) if state == "added"]
    effects = []
    for lesson in db.session.scalars(select(Lesson).where(Lesson.id.in_(ids)).order_by(Lesson.slug)):
        data = {"title": lesson.title, "readers": readers.get(lesson.id, 0)}
        successor = _renamed_to(lesson, added)
        if successor is not None:
            # A file renamed (01-account-types.md → 01-account-kinds.md) is another lesson id: the
            # old lesson, its readers and every link to it would go without the trainer meaning it.
            data["renamed"] = {"key": f"{successor.course_id}/{successor.id}", "file": successor.source.path}
        if data["readers"] or successor is not None:
            effects.append(Effect("lesson_retired", f"{lesson.course.slug}/{lesson.slug}", data))
    return effects


def _renamed_to(lesson, added: list):
    """The added lesson of the same course that looks like ``lesson`` under a
    new file name (the same text, or the same place in the course), or None."""
    same_course = [new for new in added if new.course_id == lesson.course.slug]
    return next((new for new in same_course if new.body_md == lesson.body_md),
                next((new for new in same_course if new.position == lesson.position), None))
