"""Publishing a checked bundle: what it would change (``plan``) and doing it
(``publish``), atomically.

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

import difflib
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select, text, update

from lms import clock
from lms.audit.services import record
from lms.content.checks import check
from lms.content.links import course_link_resolver
from lms.content.models import (
    Asset, ContentRelease, Course, Exam, Lesson, Programme, ProgrammeItem, ProgrammeItemLesson, Question,
    QuestionTag, QuestionVersion,
)
from lms.content.rendering_fast import render
from lms.content.schema import ContentBundle, ParsedExam, ParsedQuestion, Problem, Scope
from lms.extensions import db

KINDS = ("course", "lesson", "asset", "question", "exam", "programme", "programme_item")
_PG_LOCK_KEY = 7_340_222  # serialises publishes on PostgreSQL (SQLite: BEGIN IMMEDIATE does)


class ContentProblems(Exception):
    """The bundle has problems: nothing was published."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the content")
        self.problems = problems


def content_hash(value) -> str:
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- canonical forms ----------------------------------------------------------

def course_fields(c) -> dict:
    return {"title": c.title, "track": c.track, "summary": c.summary, "intro": c.intro_md}


def lesson_fields(lesson) -> dict:
    return {"title": lesson.title, "minutes": lesson.minutes, "objectives": list(lesson.objectives),
            "body": lesson.body_md, "position": lesson.position}


def question_fields(q: ParsedQuestion) -> dict:
    return {"type": q.type, "stem": q.stem_md, "data": q.data, "points": float(q.points),
            "difficulty": q.difficulty, "tags": sorted(set(q.tags)), "explanation": q.explanation_md}


def exam_draw(exam: ParsedExam) -> list[dict]:
    """The draw rules as stored (the parser's line numbers left out)."""
    return [{k: v for k, v in rule.items() if k != "line"} for rule in exam.draw]


def exam_fields(e: ParsedExam) -> dict:
    return {"title": e.title, "course": e.course_id, "draw": exam_draw(e), "time_limit": e.time_limit_minutes,
            "pass_mark": float(e.pass_mark), "attempts": e.max_attempts, "cooldown": e.cooldown_minutes,
            "shuffle": e.shuffle_options, "layout": e.layout, "review": e.review_policy, "scoring": e.scoring,
            "partial": e.partial_credit, "focus": e.focus_loss_limit,
            "closes_at": e.closes_at.isoformat() if e.closes_at else None}


def programme_fields(p) -> dict:
    return {"title": p.title, "summary": p.summary, "audience": p.audience}


def item_fields(kind, number, title, lessons, exam, opens, due) -> dict:
    return {"kind": kind, "number": number, "title": title, "lessons": list(lessons), "exam": exam,
            "opens": opens.isoformat(), "due": due.isoformat()}


def lesson_text(title: str, minutes: int, objectives: list[str], body: str) -> str:
    head = [f"title: {title}", f"minutes: {minutes}"] + [f"objective: {o}" for o in objectives]
    return "\n".join(head) + "\n\n" + body.strip() + "\n"


def question_text(fields: dict) -> str:
    """A readable rendering of a question, for diffs."""
    out = [f"type: {fields['type']}", f"points: {fields['points']:g}", f"difficulty: {fields['difficulty']}",
           f"tags: {', '.join(fields['tags'])}", "", fields["stem"].strip(), ""]
    out += _data_text(fields["type"], fields["data"])
    if fields.get("explanation"):
        out += ["", "解析：" + fields["explanation"].strip()]
    return "\n".join(out).rstrip() + "\n"


def _data_text(qtype: str, data: dict) -> list[str]:
    lines: list[str] = []
    if qtype in ("single", "multiple"):
        correct = set(data.get("correct", []))
        lines += [f"- [{'x' if o['key'] in correct else ' '}] {o['text']}" for o in data.get("options", [])]
    elif qtype == "truefalse":
        lines.append(f"answer: {str(data.get('correct')).lower()}")
    elif qtype == "numeric":
        lines.append(f"answer: {data.get('answer')} ± {data.get('tolerance', 0)} {data.get('unit', '')}".rstrip())
    elif qtype == "fill":
        lines += [f"blank {i}: {' | '.join(b)}" for i, b in enumerate(data.get("blanks", []), start=1)]
    elif qtype == "essay":
        lines += ["评分要点：", data.get("rubric", "")]
    elif qtype == "case":
        for part in data.get("parts", []):
            lines += ["", f"### {part['id']}", f"type: {part['type']}", f"points: {part['points']:g}", "",
                      part["stem"], ""] + _data_text(part["type"], part["data"])
            if part.get("explanation"):
                lines += ["", "解析：" + part["explanation"]]
    return lines


# --- the plan -----------------------------------------------------------------

@dataclass
class KindChanges:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # restored items are changed too
    unchanged: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)  # were retired, come back

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "changed": len(self.changed), "unchanged": len(self.unchanged),
                "retired": len(self.retired)}


@dataclass
class Plan:
    """What publishing a bundle changes, per kind, with ids; for changed
    lessons and questions the text before and after (``diff()``)."""
    scope: Scope
    kinds: dict[str, KindChanges] = field(default_factory=lambda: {k: KindChanges() for k in KINDS})
    texts: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # (kind, id) -> (before, after)
    release_id: int | None = None
    _work: dict = field(default_factory=dict, repr=False)  # what publish() applies

    @property
    def has_changes(self) -> bool:
        return any(c.added or c.changed or c.retired for c in self.kinds.values())

    def summary(self) -> dict[str, dict[str, int]]:
        return {kind: changes.counts() for kind, changes in self.kinds.items()}

    @property
    def size(self) -> int:
        """How many items publishing writes (for a progress bar)."""
        return sum(len(c.added) + len(c.changed) + len(c.retired) for c in self.kinds.values())

    def diff(self, kind: str, ident: str) -> str:
        """A unified diff of a changed lesson or question ('' if none)."""
        before, after = self.texts.get((kind, ident), ("", ""))
        return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                            fromfile=f"{ident} (published)", tofile=f"{ident} (new)"))


def _classify(changes: KindChanges, ident: str, existing, new_hash: str) -> str:
    """existing: (hash, retired) or None → 'added' | 'changed' | 'unchanged'."""
    if existing is None:
        changes.added.append(ident)
        return "added"
    old_hash, retired = existing
    if retired:
        changes.restored.append(ident)
    if old_hash != new_hash or retired:
        changes.changed.append(ident)
        return "changed"
    changes.unchanged.append(ident)
    return "unchanged"


def plan(bundle: ContentBundle) -> Plan:
    """Compare the bundle with what is published (one query per kind)."""
    result = Plan(scope=bundle.scope)
    work = result._work
    scope = bundle.scope
    k = result.kinds

    # courses
    courses = {slug: (cid, h, retired) for cid, slug, h, retired in
               db.session.execute(select(Course.id, Course.slug, Course.content_hash, Course.retired))}
    course_slug = {cid: slug for slug, (cid, _h, _r) in courses.items()}
    work["courses"] = []
    for c in bundle.courses:
        h = content_hash(course_fields(c))
        old = courses.get(c.id)
        state = _classify(k["course"], c.id, old and (old[1], old[2]), h)
        work["courses"].append((state, c, h, old and old[0]))
    in_bundle = {c.id for c in bundle.courses}
    work["retire_courses"] = [cid for slug, (cid, _h, retired) in courses.items()
                              if not retired and slug not in in_bundle and scope.covers_course(slug)]
    k["course"].retired = sorted(course_slug[cid] for cid in work["retire_courses"])

    # lessons
    lessons = {}
    for lid, course_id, slug, h, retired in db.session.execute(
            select(Lesson.id, Lesson.course_id, Lesson.slug, Lesson.content_hash, Lesson.retired)):
        lessons[f"{course_slug.get(course_id)}/{slug}"] = (lid, h, retired, course_slug.get(course_id))
    work["lessons"] = []
    changed_lesson_ids = {}
    for lesson in bundle.lessons:
        key = f"{lesson.course_id}/{lesson.id}"
        h = content_hash(lesson_fields(lesson))
        old = lessons.get(key)
        state = _classify(k["lesson"], key, old and (old[1], old[2]), h)
        work["lessons"].append((state, lesson, h, old and old[0]))
        if state == "changed":
            changed_lesson_ids[old[0]] = (key, lesson)
    keys = {f"{lesson.course_id}/{lesson.id}" for lesson in bundle.lessons}
    work["retire_lessons"] = [lid for key, (lid, _h, retired, course) in lessons.items()
                              if not retired and key not in keys and course and scope.covers_lessons_of(course)]
    k["lesson"].retired = sorted(key for key, v in lessons.items() if v[0] in set(work["retire_lessons"]))
    if changed_lesson_ids:
        for lid, title, minutes, objectives, body in db.session.execute(
                select(Lesson.id, Lesson.title, Lesson.minutes, Lesson.objectives_json, Lesson.body_md)
                .where(Lesson.id.in_(list(changed_lesson_ids)))):
            key, lesson = changed_lesson_ids[lid]
            result.texts[("lesson", key)] = (
                lesson_text(title, minutes, json.loads(objectives), body),
                lesson_text(lesson.title, lesson.minutes, lesson.objectives, lesson.body_md))

    # assets
    assets = {}
    for aid, course_id, path, h, retired in db.session.execute(
            select(Asset.id, Asset.course_id, Asset.path, Asset.content_hash, Asset.retired)):
        assets[f"{course_slug.get(course_id)}/{path}"] = (aid, h, retired, course_slug.get(course_id))
    work["assets"] = []
    for asset in bundle.assets:
        key = f"{asset.course_id}/{asset.path}"
        h = content_hash({"data": hashlib.sha256(asset.data).hexdigest(), "mimetype": asset.mimetype})
        old = assets.get(key)
        state = _classify(k["asset"], key, old and (old[1], old[2]), h)
        work["assets"].append((state, asset, h, old and old[0]))
    keys = {f"{a.course_id}/{a.path}" for a in bundle.assets}
    work["retire_assets"] = [aid for key, (aid, _h, retired, course) in assets.items()
                             if not retired and key not in keys and course and scope.covers_assets_of(course)]
    retired_ids = set(work["retire_assets"])
    k["asset"].retired = sorted(key for key, v in assets.items() if v[0] in retired_ids)

    _plan_questions(bundle, result, course_slug)
    _plan_exams(bundle, result)
    _plan_programmes(bundle, result)
    return result


def _plan_questions(bundle: ContentBundle, result: Plan, course_slug: dict) -> None:
    work, scope, changes = result._work, bundle.scope, result.kinds["question"]
    last_version = dict(db.session.execute(
        select(QuestionVersion.question_id, func.max(QuestionVersion.version))
        .group_by(QuestionVersion.question_id)).all())
    existing = {}
    for qid, slug, course_id, bank, retired, h in db.session.execute(
            select(Question.id, Question.slug, Question.course_id, Question.bank, Question.retired,
                   QuestionVersion.content_hash)
            .outerjoin(QuestionVersion, QuestionVersion.id == Question.current_version_id)):
        existing[slug] = (qid, h, retired, course_slug.get(course_id), bank)
    work["questions"] = []
    changed_versions = {}
    for q in bundle.questions:
        fields = question_fields(q)
        h = content_hash(fields)
        old = existing.get(q.id)
        if old is None:
            changes.added.append(q.id)
            work["questions"].append(("added", q, h, None, 0, True))
            continue
        qid, old_hash, retired, old_course, old_bank = old
        new_version = old_hash != h
        moved = (old_course, old_bank) != (q.course_id, q.bank)
        if retired:
            changes.restored.append(q.id)
        if new_version or moved or retired:
            changes.changed.append(q.id)
            work["questions"].append(("changed", q, h, qid, last_version.get(qid, 0), new_version))
            if new_version:
                changed_versions[qid] = (q.id, fields)
        else:
            changes.unchanged.append(q.id)
    slugs = {q.id for q in bundle.questions}
    work["retire_questions"] = [qid for slug, (qid, _h, retired, course, bank) in existing.items()
                                if not retired and slug not in slugs and scope.covers_question(course, bank)]
    retired_ids = set(work["retire_questions"])
    changes.retired = sorted(slug for slug, v in existing.items() if v[0] in retired_ids)
    if changed_versions:
        ids = list(changed_versions)
        tags = defaultdict(list)
        rows = db.session.execute(
            select(Question.id, QuestionVersion.id, QuestionVersion.type, QuestionVersion.stem_md,
                   QuestionVersion.data_json, QuestionVersion.points, QuestionVersion.difficulty,
                   QuestionVersion.explanation_md)
            .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
            .where(Question.id.in_(ids))).all()
        for version_id, tag in db.session.execute(
                select(QuestionTag.version_id, QuestionTag.tag)
                .where(QuestionTag.version_id.in_([r[1] for r in rows]))):
            tags[version_id].append(tag)
        for qid, vid, qtype, stem, data_json, points, difficulty, explanation in rows:
            slug, new_fields = changed_versions[qid]
            before = {"type": qtype, "stem": stem, "data": json.loads(data_json), "points": points,
                      "difficulty": difficulty, "tags": sorted(tags[vid]), "explanation": explanation}
            result.texts[("question", slug)] = (question_text(before), question_text(new_fields))


def _plan_exams(bundle: ContentBundle, result: Plan) -> None:
    work, changes = result._work, result.kinds["exam"]
    existing = {slug: (eid, h, retired) for eid, slug, h, retired in
                db.session.execute(select(Exam.id, Exam.slug, Exam.content_hash, Exam.retired))}
    work["exams"] = []
    for e in bundle.exams:
        h = content_hash(exam_fields(e))
        old = existing.get(e.id)
        state = _classify(changes, e.id, old and (old[1], old[2]), h)
        work["exams"].append((state, e, h, old and old[0]))
    slugs = {e.id for e in bundle.exams}
    retire = [(slug, eid) for slug, (eid, _h, retired) in existing.items()
              if not retired and slug not in slugs and bundle.scope.all_exams]
    work["retire_exams"] = [eid for _slug, eid in retire]
    changes.retired = sorted(slug for slug, _eid in retire)


def _plan_programmes(bundle: ContentBundle, result: Plan) -> None:
    work, k = result._work, result.kinds
    existing = {slug: (pid, h, retired) for pid, slug, h, retired in
                db.session.execute(select(Programme.id, Programme.slug, Programme.content_hash, Programme.retired))}
    work["programmes"] = []
    for p in bundle.programmes:
        h = content_hash(programme_fields(p))
        old = existing.get(p.id)
        state = _classify(k["programme"], p.id, old and (old[1], old[2]), h)
        work["programmes"].append((state, p, h, old and old[0]))
    slugs = {p.id for p in bundle.programmes}
    retire = [(slug, pid) for slug, (pid, _h, retired) in existing.items()
              if not retired and slug not in slugs and bundle.scope.all_programmes]
    work["retire_programmes"] = [pid for _slug, pid in retire]
    k["programme"].retired = sorted(slug for slug, _pid in retire)

    # items of the programmes in the bundle, compared field by field
    ids = [old for _s, _p, _h, old in work["programmes"] if old]
    programme_slug = {pid: slug for slug, (pid, _h, _r) in existing.items()}
    items = {}
    links = defaultdict(list)
    if ids:
        for item_id, ref in db.session.execute(
                select(ProgrammeItemLesson.item_id, Course.slug + "/" + Lesson.slug)
                .join(Lesson, Lesson.id == ProgrammeItemLesson.lesson_id).join(Course, Course.id == Lesson.course_id)
                .join(ProgrammeItem, ProgrammeItem.id == ProgrammeItemLesson.item_id)
                .where(ProgrammeItem.programme_id.in_(ids)).order_by(ProgrammeItemLesson.position)):
            links[item_id].append(ref)
        for row in db.session.execute(
                select(ProgrammeItem.id, ProgrammeItem.programme_id, ProgrammeItem.key, ProgrammeItem.kind,
                       ProgrammeItem.number, ProgrammeItem.title, Exam.slug, ProgrammeItem.opens_on,
                       ProgrammeItem.due_on, ProgrammeItem.retired)
                .outerjoin(Exam, Exam.id == ProgrammeItem.exam_id).where(ProgrammeItem.programme_id.in_(ids))):
            iid, pid, key, kind, number, title, exam, opens, due, retired = row
            fields = item_fields(kind, number, title, links[iid], exam, opens, due)
            items[f"{programme_slug[pid]}/{key}"] = (iid, content_hash(fields), retired)
    work["items"] = []
    keys = set()
    for p in bundle.programmes:
        for item in p.items:
            key = f"{p.id}/{item.key}"
            keys.add(key)
            h = content_hash(item_fields(item.kind, item.number, item.title, item.lessons, item.exam_id,
                                         item.opens_on, item.due_on))
            old = items.get(key)
            state = _classify(k["programme_item"], key, old and (old[1], old[2]), h)
            work["items"].append((state, p.id, item, old and old[0]))
    retire = [(key, iid) for key, (iid, _h, retired) in items.items() if not retired and key not in keys]
    work["retire_items"] = [iid for _key, iid in retire]
    k["programme_item"].retired = sorted(key for key, _iid in retire)


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


def publish(bundle: ContentBundle, actor=None, source: str = "", *, checked: bool = False,
            progress: Callable[[int, int], None] | None = None) -> Plan:
    """Check (unless ``checked``), plan and apply the bundle in one
    transaction. Raises ``ContentProblems`` (nothing changed) when the bundle
    has problems; any other error rolls everything back too."""
    try:
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        if not checked:
            problems = check(bundle)
            if problems:
                raise ContentProblems(problems)
        result = plan(bundle)
        if not result.has_changes:
            db.session.commit()  # ends the transaction (and its lock); nothing of ours was written
            return result
        _apply(result, _Progress(progress, result.size))
        release = ContentRelease(at=clock.now(), actor_id=actor.id if actor is not None else None,
                                 source=source[:255] or bundle.scope.describe()[:255],
                                 summary_json=json.dumps(
                                     {"scope": bundle.scope.describe(), "counts": result.summary()},
                                     ensure_ascii=False, sort_keys=True))
        db.session.add(release)
        db.session.flush()
        counts = {kind: {n: v for n, v in c.items() if n != "unchanged" and v}
                  for kind, c in result.summary().items()}
        record("content.published", release, actor=actor, scope=bundle.scope.describe(), source=release.source,
               changes={kind: c for kind, c in counts.items() if c})
        db.session.commit()
        result.release_id = release.id
        return result
    except BaseException:
        db.session.rollback()
        raise


def _apply(result: Plan, progress: _Progress) -> None:
    work = result._work
    now = clock.now()

    # courses
    def course_row(c, h) -> dict:
        return {"title": c.title, "track": c.track, "summary": c.summary, "intro_md": c.intro_md,
                "intro_html": render(c.intro_md, course_link_resolver(c.id)), "content_hash": h, "retired": False,
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
               "body_html": render(lesson.body_md, course_link_resolver(lesson.course_id)),
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
               "closes_at": e.closes_at, "content_hash": h, "retired": False}
        exam_rows.append((state, row, eid))
    _bulk_insert(Exam, [row for state, row, _id in exam_rows if state == "added"])
    _bulk_update(Exam, [{**row, "id": eid} for state, row, eid in exam_rows if state == "changed"])
    progress.step(len(exam_rows))
    _retire(Exam, work["retire_exams"], progress)

    _apply_programmes(work, progress)


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
        resolve = course_link_resolver(q.course_id) if q.course_id else None
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
                              "content_hash": h, "retired": False}
                             for state, p, h, _id in work["programmes"] if state == "added"])
    _bulk_update(Programme, [{"id": pid, "title": p.title, "summary": p.summary,
                              "audience_json": json.dumps(p.audience, ensure_ascii=False, sort_keys=True),
                              "content_hash": h, "retired": False}
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
