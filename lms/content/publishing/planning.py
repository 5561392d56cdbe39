"""What publishing a bundle would change, compared with what is published:
per kind, the ids added / changed / unchanged / retired, and for changed
lessons, questions, certifications and eligibility rules the text before
and after (for a diff), and what it does to learners in the middle of the
course (``effects``: attempts that keep an earlier version, exam settings
before → after, retired weeks that were passed); certifications and rules are planned in
``lms.content.publishing.credentials``. Reads the
database (one query per kind), writes nothing. ``lms.content.publishing.publish``
applies a plan.

Items are compared by ``content_hash``: sha256 of a canonical JSON of what
the file says (for a question: type, stem, data, points, difficulty, tags,
explanation). Retirement follows the bundle's scope (``schema.Scope``).
"""
from __future__ import annotations

import difflib
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from lms import questions
from lms.content.models import (
    Asset, Course, Exam, Lesson, Programme, ProgrammeItem, ProgrammeItemLesson, Question, QuestionTag,
    QuestionVersion,
)
from lms.content.publishing.credentials import plan_credentials
from lms.content.publishing.effects import Effect, learner_effects
from lms.content.schema import ContentBundle, ParsedExam, ParsedQuestion, Scope
from lms.extensions import db

KINDS = ("course", "lesson", "asset", "question", "exam", "programme", "programme_item", "certification",
         "eligibility_rule")


def content_hash(value) -> str:
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- canonical forms ----------------------------------------------------------

def course_fields(c) -> dict:
    return {"title": c.title, "track": c.track, "summary": c.summary, "intro": c.intro_md}


# Raised when the renderer changes what a lesson becomes (2: heading ids, links
# between lessons, call-out titles in both languages; 3: code blocks in list
# items, tables in quotes and call-outs, bare web addresses as links and web
# links in a new tab, Typora's "\" line breaks), so that publishing renders
# every lesson again.
LESSON_RENDERING = 3


def lesson_fields(lesson) -> dict:
    return {"title": lesson.title, "minutes": lesson.minutes, "objectives": list(lesson.objectives),
            "body": lesson.body_md, "position": lesson.position, "rendering": LESSON_RENDERING}


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
            "closes_at": e.closes_at.isoformat() if e.closes_at else None,
            # Only when set, so that exams published before the setting existed keep their hash.
            **({"open_to_all": True} if e.open_to_all else {})}


def programme_fields(p) -> dict:
    # in_order and recurring only when set, so that programmes published before them keep their hash.
    return {"title": p.title, "summary": p.summary, "audience": p.audience,
            **({"in_order": True} if p.in_order else {}), **({"recurring": p.recurring} if p.recurring else {})}


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
    found = questions.find(qtype)
    if found is None:
        return []
    lines = found.plan_lines(data)
    for part in found.parts(data):
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
    hashes: dict[str, str] = field(default_factory=dict)  # added or changed id → "old hash>new hash"

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
    regraded: int = 0  # submitted attempts re-graded for a corrected key (lms.exams.regrade)
    effects: list[Effect] = field(default_factory=list)  # what it does to learners mid-course (effects.py)
    moves: dict[str, tuple[str, str]] = field(default_factory=dict)  # question id -> (its bank before, after)
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

    @property
    def fingerprint(self) -> str:
        """What publishing would write, in one hash: each kind's ids added,
        changed, restored and retired, with the content each replaces and its
        new content (the diff the trainer read). A plan
        shown to the trainer carries it to the publish, which refuses when the
        plan it is about to apply has another (the files or the published
        content changed in between). What the plan says about learners (how
        many attempts are open) is left out: it moves with every exam taken."""
        return content_hash({kind: [sorted(c.added), sorted(c.changed), sorted(c.restored), sorted(c.retired),
                                    c.hashes] for kind, c in self.kinds.items()})

    def diff(self, kind: str, ident: str) -> str:
        """A unified diff of a changed lesson or question ('' if none)."""
        before, after = self.texts.get((kind, ident), ("", ""))
        return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                            fromfile=f"{ident} (published)", tofile=f"{ident} (new)"))


def _classify(changes: KindChanges, ident: str, existing, new_hash: str) -> str:
    """existing: (hash, retired) or None → 'added' | 'changed' | 'unchanged'."""
    if existing is None:
        changes.added.append(ident)
        changes.hashes[ident] = f">{new_hash}"
        return "added"
    old_hash, retired = existing
    if retired:
        changes.restored.append(ident)
    if old_hash != new_hash or retired:
        changes.changed.append(ident)
        changes.hashes[ident] = f"{old_hash}>{new_hash}"
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
    plan_credentials(bundle, result, content_hash, _classify)
    result.effects = learner_effects(result._work, result.kinds)
    return result


def _plan_questions(bundle: ContentBundle, result: Plan, course_slug: dict) -> None:
    work, scope, changes = result._work, bundle.scope, result.kinds["question"]
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
            changes.hashes[q.id] = f">{h}"
            work["questions"].append(("added", q, h, None, 0, True))
            continue
        qid, old_hash, retired, old_course, old_bank = old
        new_version = old_hash != h
        moved = (old_course, old_bank) != (q.course_id, q.bank)
        if retired:
            changes.restored.append(q.id)
        if moved and old_bank:
            result.moves[q.id] = (old_bank, q.bank)
        if new_version or moved or retired:
            changes.changed.append(q.id)
            changes.hashes[q.id] = f"{old_hash}>{content_hash([h, q.course_id, q.bank])}"
            work["questions"].append(("changed", q, h, qid, 0, new_version))
            if new_version:
                changed_versions[qid] = (q.id, fields)
        else:
            changes.unchanged.append(q.id)
    _last_versions(work["questions"])
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


def _last_versions(work: list) -> None:
    """The last version number of each changed question, read only for them
    (an unchanged publish reads no version history)."""
    ids = [item[3] for item in work if item[0] == "changed"]
    if not ids:
        return
    stmt = select(QuestionVersion.question_id, func.max(QuestionVersion.version))
    if len(ids) <= 500:  # more: one read of every question's, not a statement per 500
        stmt = stmt.where(QuestionVersion.question_id.in_(ids))
    last = dict(db.session.execute(stmt.group_by(QuestionVersion.question_id)).all())
    work[:] = [(state, q, h, qid, last.get(qid, 0), new_version) if state == "changed" else
               (state, q, h, qid, last_version, new_version)
               for state, q, h, qid, last_version, new_version in work]


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
