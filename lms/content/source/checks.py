"""Rules that span files: duplicate ids, exams whose draws the banks cannot
satisfy, programmes that point at missing lessons or exams, dates that
overlap, two weeks with one id, and (with ``db_lookup``) a week that would
take a published week's key and its learners' records
(``lms.content.source.week_identity``). ``check(bundle)`` returns the parser's problems and these, sorted by
file and line; publishing refuses a bundle with any.

With ``db_lookup`` the published curriculum counts too, so that a part of the
folder (one exam file) can refer to what is already published. What the
bundle's scope will retire counts as absent.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
import json

from flask_babel import gettext as _
from sqlalchemy import select

from lms.content.models import Course, Exam, Lesson, Question, QuestionTag, QuestionVersion
from lms.content.source.credential_checks import check_credentials, duplicate_ids
from lms.content.source.id_owners import foreign_ids, foreign_kind_ids
from lms.content.source.parser import item_label
from lms.content.source.stem_references import check_stem_references
from lms.content.source.words import difficulty_label, type_label
from lms.content.source.week_identity import check_week_identity
from lms.content.schema import ContentBundle, ParsedExam, ParsedProgramme, ParsedProgrammeItem, Problem, Source
from lms.extensions import db
from lms.numbers import counted, reading_number
from lms.punctuation import clauses, statements

BULLETIN_QUESTIONS = (3, 5)


@dataclass
class _Pool:
    """What exams and programmes may refer to."""
    questions: dict[str, tuple] = field(default_factory=dict)  # slug -> (type, difficulty, tags, course)
    unavailable: set[str] = field(default_factory=set)  # questions that exist but are (or will be) retired
    courses: set[str] = field(default_factory=set)
    lessons: set[str] = field(default_factory=set)  # "course/lesson"
    exams: dict[str, int] = field(default_factory=dict)  # slug -> number of questions it draws


def _draw_size(draw: list[dict]) -> int:
    return sum(len(rule.get("questions", [])) if "questions" in rule else int(rule.get("count") or 0)
               for rule in draw)


def _bundle_pool(bundle: ContentBundle, refused: set[str] = frozenset()) -> _Pool:
    """What the bundle offers; a ``refused`` id (another course's, or written in a bank not read) counts as
    published (``_add_published``), not as written here: its problem is its one fault."""
    pool = _Pool()
    pool.courses = {c.id for c in bundle.courses}
    pool.lessons = {f"{lesson.course_id}/{lesson.id}" for lesson in bundle.lessons}
    pool.exams = {e.id: _draw_size(e.draw) for e in bundle.exams}
    for q in bundle.questions:  # an id written twice counts where it was first: the duplicate is its one fault
        if q.id not in refused:
            pool.questions.setdefault(q.id, (q.type, q.difficulty, frozenset(q.tags), q.course_id))
    return pool


def _add_published(pool: _Pool, bundle: ContentBundle) -> None:
    """Published items the bundle neither replaces nor retires."""
    scope = bundle.scope
    in_bundle_courses = set(pool.courses)
    slugs = {}
    for cid, slug, retired in db.session.execute(select(Course.id, Course.slug, Course.retired)):
        slugs[cid] = slug
        if not retired and slug not in in_bundle_courses and not scope.covers_course(slug):
            pool.courses.add(slug)
    for course_id, slug, retired in db.session.execute(select(Lesson.course_id, Lesson.slug, Lesson.retired)):
        course = slugs.get(course_id)
        key = f"{course}/{slug}"
        if not retired and key not in pool.lessons and course in pool.courses \
                and not scope.covers_lessons_of(course):
            pool.lessons.add(key)
    if not scope.all_exams:
        for slug, draw_json, retired in db.session.execute(select(Exam.slug, Exam.draw_json, Exam.retired)):
            if not retired and slug not in pool.exams:
                pool.exams[slug] = _draw_size(json.loads(draw_json))
    tags = defaultdict(set)
    rows = db.session.execute(
        select(Question.slug, Question.course_id, Question.bank, Question.retired, QuestionVersion.id,
               QuestionVersion.type, QuestionVersion.difficulty)
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)).all()
    written_twice = defaultdict(list)
    for q in bundle.questions:
        written_twice[q.id].append(q)
    wanted = []
    for slug, course_id, bank, retired, version_id, qtype, difficulty in rows:
        if slug in pool.questions:
            # An id written in two banks counts where it is published (its other place is the duplicate).
            twice = written_twice.get(slug, ())
            kept = next((q for q in twice if q.source.path == bank), None) if len(twice) > 1 else None
            if kept is not None:
                pool.questions[slug] = (kept.type, kept.difficulty, frozenset(kept.tags), kept.course_id)
            continue
        course = slugs.get(course_id)
        if retired or scope.covers_question(course, bank) or (course is not None and course not in pool.courses):
            pool.unavailable.add(slug)
            continue
        wanted.append((slug, version_id, qtype, difficulty, course))
    if wanted:
        for version_id, tag in db.session.execute(select(QuestionTag.version_id, QuestionTag.tag)):
            tags[version_id].add(tag)
    for slug, version_id, qtype, difficulty, course in wanted:
        pool.questions[slug] = (qtype, difficulty, frozenset(tags[version_id]), course)


def _duplicates(bundle: ContentBundle, problems: list[Problem]) -> None:
    DUPLICATE = {  # noqa: N806
        "course": _("duplicate course id '%(id)s': also at %(place)s"),
        "lesson": _("duplicate lesson id '%(id)s': also at %(place)s"),
        "question": _("duplicate question id '%(id)s': also at %(place)s"),
        "exam": _("duplicate exam id '%(id)s': also at %(place)s"),
        "programme": _("duplicate programme id '%(id)s': also at %(place)s"),
    }
    kinds = [
        ("course", ((c.id, c.source) for c in bundle.courses)),
        ("lesson", ((f"{lesson.course_id}/{lesson.id}", lesson.source) for lesson in bundle.lessons)),
        ("question", ((q.id, q.source) for q in bundle.questions)),
        ("exam", ((e.id, e.source) for e in bundle.exams)),
        ("programme", ((p.id, p.source) for p in bundle.programmes)),
    ]
    for kind, items in kinds:
        duplicate_ids(items, DUPLICATE[kind], problems, kind)


# --- exams -------------------------------------------------------------------

def _describe(rule: dict, course: str | None) -> str:
    """The filters of a rule, e.g. "题型 单选题，难度 难，课程 products" ("type single choice, difficulty
    hard, course products" in English): types and difficulties by name, in the reader's punctuation."""
    parts = []
    if "type" in rule:
        parts.append(_("type %(value)s", value=type_label(rule["type"])))
    if "difficulty" in rule:
        parts.append(_("difficulty %(value)s", value=difficulty_label(rule["difficulty"])))
    if rule.get("tags"):
        parts.append(_("tags %(value)s", value=" / ".join(rule["tags"])))
    if course:
        parts.append(_("course %(value)s", value=course))
    return clauses(parts)


def _matches(rule: dict, course: str | None, question: tuple) -> bool:
    qtype, difficulty, tags, q_course = question
    return ((course is None or q_course == course)
            and ("type" not in rule or qtype == rule["type"])
            and ("difficulty" not in rule or difficulty == rule["difficulty"])
            and (not rule.get("tags") or not tags.isdisjoint(rule["tags"])))


def _max_draw(demands: list[int], groups: dict[int, int]) -> int:
    """How many questions can be drawn at most: rules (with demands) share
    questions grouped by the set of rules they match (a bit mask -> size); a
    question serves one rule only. A small max-flow."""
    rules = len(demands)
    group_keys = list(groups)
    # Nodes: 0 source, 1..R rules, R+1..R+G groups, last sink.
    sink = rules + len(group_keys) + 1
    capacity: dict[tuple[int, int], int] = defaultdict(int)
    edges: dict[int, set[int]] = defaultdict(set)

    def edge(a: int, b: int, cap: int) -> None:
        capacity[(a, b)] += cap
        edges[a].add(b)
        edges[b].add(a)

    for r, demand in enumerate(demands, start=1):
        edge(0, r, demand)
    for g, mask in enumerate(group_keys, start=rules + 1):
        edge(g, sink, groups[mask])
        for r in range(rules):
            if mask >> r & 1:
                edge(r + 1, g, 10 ** 9)
    flow = 0
    while True:
        parent = {0: None}
        queue = [0]
        while queue and sink not in parent:
            node = queue.pop(0)
            for nxt in edges[node]:
                if nxt not in parent and capacity[(node, nxt)] > 0:
                    parent[nxt] = node
                    queue.append(nxt)
        if sink not in parent:
            return flow
        path, node = [], sink
        while parent[node] is not None:
            path.append((parent[node], node))
            node = parent[node]
        push = min(capacity[e] for e in path)
        for a, b in path:
            capacity[(a, b)] -= push
            capacity[(b, a)] += push
        flow += push


def _by_course_type(pool: _Pool) -> dict:
    index: dict = defaultdict(list)
    for slug, question in pool.questions.items():
        index[(question[3], question[0])].append(slug)
        index[(question[3], None)].append(slug)
        index[(None, question[0])].append(slug)
        index[(None, None)].append(slug)
    return index


def _check_exam(exam: ParsedExam, pool: _Pool, index: dict, problems: list[Problem], *,
                published: bool = False) -> None:
    """``published``: an exam already published (not in the bundle) whose
    draws this bundle's questions must still satisfy; its faults are one
    problem (they have no line of their own in the files read)."""
    found: list[Problem] = []
    _exam_faults(exam, pool, index, found)
    if published and found:
        problems.append(Problem(Source(exam.source.path), _(
            "published exam '%(exam)s' could no longer be drawn: %(message)s", exam=exam.id,
            message=statements(p.message for p in sort_problems(found)))))
    else:
        problems.extend(found)


def _exam_faults(exam: ParsedExam, pool: _Pool, index: dict, problems: list[Problem]) -> None:
    path = exam.source.path

    def add(message: str, line: int) -> None:
        problems.append(Problem(Source(path, line), message))

    if exam.course_id and exam.course_id not in pool.courses:
        add(_("unknown course '%(course)s'", course=exam.course_id), exam.source.line)
    demands: list[int] = []
    candidates: list[set[str]] = []
    fixed_seen: dict[str, int] = {}
    for number, rule in enumerate(exam.draw, start=1):
        line = rule.get("line", exam.source.line)
        if "questions" in rule:
            found = set()
            for slug in rule["questions"]:
                if slug in fixed_seen:
                    add(_("draw rule %(n)s: question '%(id)s' is listed twice (also in rule %(other)s)", n=number,
                          id=slug, other=fixed_seen[slug]), line)
                    continue
                fixed_seen[slug] = number
                if slug in pool.questions:
                    found.add(slug)
                elif slug in pool.unavailable:
                    add(_("draw rule %(n)s: question '%(id)s' is retired (or removed by this publish)", n=number,
                          id=slug), line)
                else:
                    add(_("draw rule %(n)s: unknown question id '%(id)s'", n=number, id=slug), line)
            demands.append(len(found))
            candidates.append(found)
            continue
        course = rule.get("course") or exam.course_id
        if rule.get("course") and rule["course"] not in pool.courses:
            add(_("draw rule %(n)s: unknown course '%(course)s'", n=number, course=rule["course"]), line)
        matching = {slug for slug in index.get((course, rule.get("type")), ())
                    if _matches(rule, course, pool.questions[slug])}
        count = int(rule.get("count") or 0)
        if count > len(matching):
            filters = _describe(rule, course)
            if filters:
                add(counted("draw rule %(n)s asks for %(num)s question (%(filters)s) where there are %(available)s",
                            "draw rule %(n)s asks for %(num)s questions (%(filters)s) where there are %(available)s",
                            count, n=number, filters=filters, available=reading_number(len(matching))), line)
            else:
                add(counted("draw rule %(n)s asks for %(num)s question where there are %(available)s",
                            "draw rule %(n)s asks for %(num)s questions where there are %(available)s",
                            count, n=number, available=reading_number(len(matching))), line)
        demands.append(count)
        candidates.append(matching)
    if not demands or len(demands) > 60:
        return
    groups: dict[int, int] = defaultdict(int)
    masks: dict[str, int] = defaultdict(int)
    for r, slugs in enumerate(candidates):
        for slug in slugs:
            masks[slug] |= 1 << r
    for mask in masks.values():
        groups[mask] += 1
    wanted = sum(min(d, len(c)) for d, c in zip(demands, candidates))
    possible = _max_draw([min(d, len(c)) for d, c in zip(demands, candidates)], groups)
    if possible < wanted:
        add(_("the draw rules ask for %(wanted)s questions in all, but only %(possible)s can be drawn without "
              "using a question twice (rules share the same questions)", wanted=reading_number(wanted),
              possible=reading_number(possible)),
            exam.source.line)


# --- programmes ---------------------------------------------------------------

def _check_programme(programme: ParsedProgramme, pool: _Pool, problems: list[Problem]) -> None:
    weeks = sorted((i for i in programme.items if i.kind == "week"), key=lambda i: i.number)
    first_use: dict[str, str] = {}  # exam id -> the item that names it first
    first_key: dict[str, ParsedProgrammeItem] = {}  # key -> the item that has it first
    for item in programme.items:
        label = item_label(item.kind, item.number)

        def add(message: str) -> None:
            problems.append(Problem(item.source, _("%(item)s: %(message)s", item=label, message=message)))

        for ref in item.lessons:
            if ref.count("/") == 1 and ref not in pool.lessons:
                add(_("unknown lesson '%(ref)s' (course-id/lesson-id)", ref=ref))
        if item.exam_id and item.exam_id not in pool.exams:
            add(_("unknown exam '%(exam)s'", exam=item.exam_id))
        if item.exam_id in first_use:
            # A week counts as passed once its exam is passed: a second week with
            # the same exam would be passed with the first, before it even opens.
            add(_("its exam '%(exam)s' is already the exam of %(other)s: a week counts as passed once its "
                  "exam is passed, so each week and bulletin needs an exam of its own", exam=item.exam_id,
                  other=first_use[item.exam_id]))
        elif item.exam_id:
            first_use[item.exam_id] = label
        other = first_key.setdefault(item.key, item)
        if other is not item:
            add(_("its id '%(key)s' is already that of %(other)s (line %(line)s): each week and bulletin needs an "
                  "id of its own (a week without 'id:' is keyed by its place, week-1, week-2…)", key=item.key,
                  other=item_label(other.kind, other.number), line=other.source.line))
        if item.due_on < item.opens_on:
            add(_("is due (%(due)s) before it opens (%(opens)s)", due=item.due_on.isoformat(),
                  opens=item.opens_on.isoformat()))
        if item.kind == "bulletin" and item.exam_id in pool.exams:
            size = pool.exams[item.exam_id]
            low, high = BULLETIN_QUESTIONS
            if not low <= size <= high:
                add(counted("its check '%(exam)s' has %(num)s question; a bulletin check has %(low)s to %(high)s",
                            "its check '%(exam)s' has %(num)s questions; a bulletin check has %(low)s to %(high)s",
                            size, exam=item.exam_id, low=low, high=high))
    for previous, week in zip(weeks, weeks[1:]):
        if week.opens_on <= previous.due_on:
            problems.append(Problem(week.source, _(
                "week %(n)s (opens %(opens)s) overlaps week %(previous)s (due %(due)s)", n=week.number,
                opens=week.opens_on.isoformat(), previous=previous.number, due=previous.due_on.isoformat())))


def _published_exams(bundle: ContentBundle) -> list[ParsedExam]:
    """Published exams outside the bundle, as far as their draws go: a bank
    published on its own must not leave one of them short of questions."""
    in_bundle = {e.id for e in bundle.exams}
    where = bundle.scope.path or "content"
    exams = []
    for slug, draw_json, course in db.session.execute(
            select(Exam.slug, Exam.draw_json, Course.slug).outerjoin(Course, Course.id == Exam.course_id)
            .where(Exam.retired.is_(False))):
        if slug in in_bundle:
            continue
        exams.append(ParsedExam(
            id=slug, title="", course_id=course, draw=json.loads(draw_json), time_limit_minutes=0, pass_mark=0,
            max_attempts=None, cooldown_minutes=0, shuffle_options=False, layout="", review_policy="", scoring="",
            partial_credit=False, focus_loss_limit=None, closes_at=None, source=Source(where)))
    return exams


def check(bundle: ContentBundle, db_lookup: bool = True) -> list[Problem]:
    """Every problem of the bundle: the parser's and the cross-file rules'."""
    problems = list(bundle.problems)
    _duplicates(bundle, problems)
    check_stem_references(bundle, problems)
    refused = foreign_ids(bundle, problems, db_lookup)
    foreign_kind_ids(bundle, problems, db_lookup)
    check_credentials(bundle, problems, db_lookup)
    pool = _bundle_pool(bundle, refused)
    if db_lookup:
        _add_published(pool, bundle)
    published = _published_exams(bundle) if db_lookup and bundle.questions and not bundle.scope.all_exams else []
    if bundle.exams or published:
        index = _by_course_type(pool)
        for exam in bundle.exams:
            _check_exam(exam, pool, index, problems)
        for exam in published:
            _check_exam(exam, pool, index, problems, published=True)
    for programme in bundle.programmes:
        _check_programme(programme, pool, problems)
    if db_lookup:
        check_week_identity(bundle, problems)
    return sort_problems(problems)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    unique = list(dict.fromkeys((p.source.path, p.source.line, p.source.column or 0, p.message) for p in problems))
    by_key = {(p.source.path, p.source.line, p.source.column or 0, p.message): p for p in problems}
    return [by_key[key] for key in sorted(unique)]
