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
  (week 3 → week 4, its dates; its passes go with it), or given another
  exam at the same place (the passes of the old exam no longer count for it);
  the certifications and eligibility rules that count that programme's weeks.

Read only; ``planning.plan`` computes these for every changed or retired item
(no query when nothing is changed or retired). Sentences are made at display
time (``describe``), in the reader's language.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from sqlalchemy import distinct, func, select

from lms import clock
from lms.content.models import (
    Certification, EligibilityRule, Exam, Lesson, LessonView, Programme, ProgrammeItem, Question, QuestionVersion,
    REVIEW_POLICY_LABELS, SCORING_LABELS,
)
from lms.extensions import db
from lms.scores import score as format_score


@dataclass
class Effect:
    """One consequence for learners. kind: question_version | question_reverted
    | exam_settings | exam_retired | week_retired | week_added | week_moved
    | week_exam_changed | weeks_counted | lesson_retired | question_retired."""
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
    from lms.exams.models import Attempt  # the exams domain builds on content, not the other way round

    counts: dict[int, dict[str, int]] = {}
    if exam_ids:
        for exam_id, state, n in db.session.execute(
                select(Attempt.exam_id, Attempt.state, func.count()).where(Attempt.exam_id.in_(list(exam_ids)))
                .group_by(Attempt.exam_id, Attempt.state)):
            counts.setdefault(exam_id, {})[state] = n
    return counts


def _passed_learners(exam_ids) -> dict[int, int]:
    from lms.exams.models import Attempt

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
    from lms.exams.models import Attempt, AttemptItem

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
    drawn: dict[int, dict[str, set]] = {}
    for qid, version, state, attempt_id in db.session.execute(
            select(QuestionVersion.question_id, QuestionVersion.version, Attempt.state, Attempt.id)
            .join(AttemptItem, AttemptItem.question_version_id == QuestionVersion.id)
            .join(Attempt, Attempt.id == AttemptItem.attempt_id)
            .where(QuestionVersion.question_id.in_(list(changed)))):
        seen = drawn.setdefault(qid, {"open": set(), "done": set(), "versions": set()})
        seen["open" if state == "open" else "done"].add(attempt_id)
        seen["versions"].add(version)
    for qid, seen in sorted(drawn.items(), key=lambda kv: changed[kv[0]]):
        effects.append(Effect("question_version", changed[qid],
                              {"open": len(seen["open"]), "done": len(seen["done"]),
                               "versions": sorted(seen["versions"])}))
    return effects


def _retired_question_effects(work: dict) -> list[Effect]:
    """A question deleted from its bank while attempts hold it: they keep it
    (an open one is submitted and graded with it); notebooks keep it too."""
    from lms.exams.models import Attempt, AttemptItem, NotebookEntry

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
    from lms.exams import regrade

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
                                                              "week_exam_changed")}
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
    from lms.exams.models import Attempt
    from lms.programmes.audience import members

    if not item.due_on < today <= row.due_on or row.exam_id is None:
        return 0
    passed = set(db.session.scalars(select(Attempt.user_id).where(
        Attempt.exam_id == row.exam_id, Attempt.passed.is_(True))))
    return sum(1 for m in members(row.programme, today) if m.enrolled_on <= item.due_on and m.user.id not in passed)


def _added_weeks(added: list, today) -> list[Effect]:
    """A week inserted in a published programme: who must pass it now."""
    from lms.programmes.audience import members  # the programmes domain builds on content

    programmes = {p.slug: p for p in db.session.scalars(
        select(Programme).where(Programme.slug.in_({slug for slug, _item in added}), Programme.retired.is_(False)))}
    people: dict[str, list] = {}
    effects = []
    for slug, item in added:
        programme = programmes.get(slug)
        if programme is None:
            continue  # a new programme: nobody is in the middle of it
        data = {"title": item.title, "programme": programme.title, "number": item.number,
                "opens": item.opens_on.isoformat(), "due": item.due_on.isoformat(), "learners": 0, "overdue": 0}
        if item.opens_on <= today:
            if slug not in people:
                people[slug] = members(programme, today)
            data["learners"] = len(people[slug])
            if item.due_on < today:
                data["overdue"] = sum(1 for m in people[slug] if m.enrolled_on <= item.due_on)
        effects.append(Effect("week_added", f"{slug}/{item.key}", data))
    return effects


def _lesson_effects(work: dict) -> list[Effect]:
    ids = list(work.get("retire_lessons", []))
    if not ids:
        return []
    readers = dict(db.session.execute(
        select(LessonView.lesson_id, func.count()).where(LessonView.lesson_id.in_(ids))
        .group_by(LessonView.lesson_id)).all())
    effects = []
    for lesson in db.session.scalars(select(Lesson).where(Lesson.id.in_(ids)).order_by(Lesson.slug)):
        if readers.get(lesson.id):
            effects.append(Effect("lesson_retired", f"{lesson.course.slug}/{lesson.slug}",
                                  {"title": lesson.title, "readers": readers[lesson.id]}))
    return effects


# --- in words -----------------------------------------------------------------

def _setting_label(name: str) -> str:
    return {"pass_mark": _("Pass mark"), "time_limit": _("Time limit"), "attempts": _("Attempts"),
            "cooldown": _("Cooldown"), "review": _("Review"), "scoring": _("Scoring"),
            "partial": _("Partial credit"), "shuffle": _("Shuffle options"), "focus": _("Tab-switch limit"),
            "closes_at": _("Closes"), "open_to_all": _("Open to all learners"), "draw": _("Draw rules")}[name]


def _setting_value(name: str, value) -> str:
    if value is None:
        return {"attempts": _("unlimited")}.get(name, "—")
    if name == "pass_mark":
        return f"{format_score(value)}%"
    if name in ("time_limit", "cooldown"):
        return _("%(n)d min", n=value)
    if name == "review":
        return str(REVIEW_POLICY_LABELS.get(value, value))
    if name == "scoring":
        return str(SCORING_LABELS.get(value, value))
    if name == "closes_at":
        if isinstance(value, str):  # as the audit log keeps it
            value = datetime.fromisoformat(value)
        return format_datetime(value, "yyyy-MM-dd HH:mm")  # stored in UTC, shown in the bank's zone
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


# Settings read when they are used, so a change reaches attempts already
# started or finished: when answers are shown, how many attempts and how long
# between them, which attempt counts, the closing time, the tab-switch limit.
AT_ONCE = ("review", "attempts", "cooldown", "scoring", "closes_at", "focus", "open_to_all")


def _join(parts: list[str]) -> str:
    locale = get_locale()
    return ("；" if locale is None or locale.language == "zh" else "; ").join(parts)


def settings_text(settings: dict) -> str:
    parts = []
    for name, (before, after) in settings.items():
        if name == "draw":
            parts.append(_("the draw rules change"))
        else:
            parts.append(f"{_setting_label(name)} {_setting_value(name, before)} → {_setting_value(name, after)}")
    return _join(parts)


def describe(effect: Effect) -> str:
    """The effect as one sentence for the trainer, in the reader's language."""
    d = effect.data
    if effect.kind == "question_version":
        return _("question %(id)s: %(open)d attempts in progress and %(done)d submitted drew version %(versions)s and "
                 "keep it: they are graded against it, and their results, review, wrong-answer notebook and item "
                 "analysis show it. Only attempts started after publishing get the new version; to correct a "
                 "submitted score, override it under Grading.",
                 id=effect.key, open=d["open"], done=d["done"], versions=", ".join(str(v) for v in d["versions"]))
    if effect.kind == "question_retired":
        sentence = _("question %(id)s is retired (no longer in its bank): new attempts do not draw it; "
                     "%(open)d attempts in progress and %(done)d submitted drew it and keep it: they are graded "
                     "against it, and their results, review and item analysis show it.",
                     id=effect.key, open=d["open"], done=d["done"])
        if d["notebooks"]:
            sentence += " " + _("%(n)d learners still have it to practise in their wrong-answer notebook.",
                                n=d["notebooks"])
        return sentence
    if effect.kind == "answers_regraded":
        sentence = _("corrected answers (%(questions)s): %(n)d submitted attempts would score differently under the "
                     "new key (each against its own pass mark and partial-credit rule); their pass or fail would "
                     "flip for %(to_fail)d (passed → failed) and %(to_pass)d (failed → passed).",
                     questions=effect.key, n=d["attempts"], to_fail=len(d["to_fail"]), to_pass=len(d["to_pass"]))
        if d["to_fail"]:
            sentence += " " + _("Would fail: %(people)s.", people=_join(d["to_fail"]))
        if d["to_pass"]:
            sentence += " " + _("Would pass: %(people)s.", people=_join(d["to_pass"]))
        if d["waiting"]:
            sentence += " " + _("%(n)d of them still wait for essay grading.", n=d["waiting"])
        return sentence + " " + _("Publishing asks you to choose, with a reason: re-grade these attempts or leave "
                                  "their results as they are.")
    if effect.kind == "question_reverted":
        return _("question %(id)s goes back to the text of version %(version)s (published %(published)s), although "
                 "version %(latest)s is newer: is this an older copy of the file?",
                 id=effect.key, version=d["version"], published=format_datetime(d["published"], "yyyy-MM-dd HH:mm"),
                 latest=d["latest"])
    if effect.kind == "exam_settings":
        sentence = _("exam %(id)s: %(settings)s. %(open)d attempts in progress keep their questions, deadline, "
                     "pass mark and partial-credit rule; %(passed)d learners who passed stay passed; new attempts "
                     "follow the new settings.",
                     id=effect.key, settings=settings_text(d["settings"]), open=d["open"], passed=d["passed"])
        at_once = [_setting_label(name) for name in d["settings"] if name in AT_ONCE]
        if at_once:
            sentence += " " + _("%(settings)s apply at once to every learner, finished attempts too.",
                                settings=_join(at_once))
        return sentence
    if effect.kind == "exam_retired":
        return _("exam %(id)s is retired: nobody can start it; %(open)d attempts in progress can still be submitted; "
                 "%(done)d submitted attempts (%(passed)d learners passed) stay in their records.",
                 id=effect.key, open=d["open"], done=d["done"], passed=d["passed"])
    if effect.kind == "week_retired":
        return _("%(week)s of %(programme)s is retired: it no longer counts toward progress, the roster or "
                 "certificates; %(passed)d learners passed its exam (their results stay).",
                 week=d["title"], programme=d["programme"], passed=d["passed"])
    if effect.kind == "week_added":
        sentence = _("%(programme)s: “%(week)s” is inserted as week %(n)s (%(opens)s – %(due)s); the weeks after "
                     "it that have no dates of their own move with it.",
                     programme=d["programme"], week=d["title"], n=d["number"], opens=d["opens"], due=d["due"])
        if d["overdue"]:
            sentence += " " + _("It is already past its due date: %(overdue)d learners are overdue on it at once "
                                "(they are told, and so are their mentors and managers); give it later dates to "
                                "avoid this.", overdue=d["overdue"])
        elif d["learners"]:
            sentence += " " + _("It is open now: %(learners)d learners must pass it.", learners=d["learners"])
        return sentence
    if effect.kind == "week_moved":
        sentence = _("%(programme)s: “%(week)s” moves from week %(before)s to week %(after)s (due %(due_before)s → "
                     "%(due_after)s); it stays the same week: %(passed)d learners who passed it stay passed, its "
                     "notifications are not sent again.",
                     programme=d["programme"], week=d["title"], before=d["before"], after=d["after"],
                     due_before=d["due_before"], due_after=d["due_after"], passed=d["passed"])
        if d.get("overdue"):
            sentence += " " + _("It is now past its due date: %(overdue)d learners who have not passed it are "
                                "overdue at once (they are told, and so are their mentors and managers); give it "
                                "later dates to avoid this.", overdue=d["overdue"])
        return sentence
    if effect.kind == "week_exam_changed":
        return _("%(programme)s: week %(n)s “%(week)s” gets another exam (%(before)s → %(after)s): the %(passed)d "
                 "learners who passed %(before)s no longer have this week passed until they pass %(after)s.",
                 programme=d["programme"], n=d["number"], week=d["title"], before=d["before"], after=d["after"],
                 passed=d["passed"])
    if effect.kind == "weeks_counted":
        parts = []
        if d["certifications"]:
            parts.append(_("%(programme)s: certifications that require it completed (%(certifications)s) count its "
                           "weeks as they are after publishing: a learner who had every week passed has not while an "
                           "inserted week is not passed, and one who missed only a removed week now has; "
                           "certificates already issued stay.", programme=d["programme"],
                           certifications=_join(d["certifications"])))
        if d["rules"]:
            parts.append(_("%(programme)s: eligibility rules that count its recent weeks passed (%(rules)s) count "
                           "the weeks as they are after publishing: who meets them may change.",
                           programme=d["programme"], rules=_join(d["rules"])))
        return " ".join(parts)
    if effect.kind == "lesson_retired":
        return _("lesson %(id)s (%(title)s) is retired: %(readers)d learners read it; it leaves the course and its "
                 "weeks.", id=effect.key, title=d["title"], readers=d["readers"])
    raise ValueError(effect.kind)
