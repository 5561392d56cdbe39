"""Reading the curriculum folder (content/FORMAT.md) into ``lms.content.schema``
objects.

Nothing here raises on bad content: every problem is collected with the file
(relative to the content root) and the line (and column where it helps), so a
trainer sees all of them at once. Cross-file rules (duplicate ids, exam draws,
programme references) live in ``lms.content.source.checks``.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from flask_babel import gettext as _

from lms.content.source.bank_parser import parse_question_bank
from lms.content.source.words import difficulty_code, type_code
from lms.content.source.fields import (  # noqa: F401  (split_front_matter: part of this module's API)
    ID_RE, Collector, bool_value, choice_value, date_value, id_value, int_value, local_datetime, read_text,
    split_front_matter, str_list, text_value, too_large, unknown_keys,
)
from lms.content.source.links import check_callouts, check_links, lesson_id_from_file_name
from lms.content.source.markup import check_markup, without_comments
from lms.content.models import DIFFICULTIES, LAYOUTS, QUESTION_TYPES, REVIEW_POLICIES, SCORING, TRACKS
from lms.content.schema import (
    ContentBundle, ParsedCourse, ParsedExam, ParsedLesson, ParsedProgramme, ParsedProgrammeItem, Problem, Source,
)
from lms.content.source.yaml_lines import load_yaml

__all__ = ["parse_course", "parse_exam", "parse_folder", "parse_lesson", "parse_programme", "parse_question_bank",
           "split_front_matter", "lesson_id_from_file_name", "item_label", "ID_RE"]

POSITIONS = ("intern", "teller", "rm_junior", "rm_intermediate", "rm_senior", "rm_principal", "manager")
ROLES = ("learner", "mentor", "trainer", "hr", "admin")

COURSE_KEYS = {"id", "title", "track", "summary"}
LESSON_KEYS = {"id", "title", "minutes", "objectives"}
EXAM_KEYS = {"id", "title", "course", "time_limit", "pass_mark", "attempts", "cooldown", "shuffle_options", "layout",
             "review", "scoring", "partial_credit", "focus_loss_limit", "closes_at", "draw",
             "open_to_all"}
RULE_KEYS = {"count", "type", "tags", "difficulty", "course", "questions"}
PROGRAMME_KEYS = {"id", "title", "summary", "audience", "start", "weeks", "bulletins", "in_order", "recurring"}
# A recurring requirement (``recurring: quarterly``) has one lesson set and one exam instead of weeks.
RECURRING_KEYS = {"id", "title", "summary", "audience", "start", "recurring", "lessons", "exam"}
RECURRING = ("quarterly",)
AUDIENCE_KEYS = {"branches", "positions", "roles"}
WEEK_KEYS = {"id", "title", "lessons", "exam", "opens", "due"}
BULLETIN_KEYS = {"id", "title", "lesson", "exam", "opens", "due"}
ITEM_ID_MAX = 40  # ProgrammeItem.key



def item_label(kind: str, number: int) -> str:
    """"week 3" / "bulletin 1", as problems name programme items."""
    if kind == "quarterly":
        return _("the quarterly requirement")
    return _("week %(n)s", n=number) if kind == "week" else _("bulletin %(n)s", n=number)


# --- one file of each kind ---------------------------------------------------

def parse_course(text: str, path: str, *,
                 course_files: set[str] | None = None) -> tuple[ParsedCourse | None, list[Problem]]:
    problems: list[Problem] = []
    meta, lines, body, body_line = split_front_matter(text, path, problems)
    if meta is None:
        return None, problems
    c = Collector(path, problems, lines)
    unknown_keys(c, meta, COURSE_KEYS)
    course_id = id_value(c, meta.get("id"), "id")
    title = text_value(c, meta, "title", "title", required=True)
    track = meta.get("track")
    if track is None:
        c.add(_("'track' is missing (one of: %(choices)s)", choices=", ".join(TRACKS)))
        track = "other"
    elif track not in TRACKS:
        c.add(_("unknown track '%(value)s' (expected one of: %(choices)s)", value=track, choices=", ".join(TRACKS)),
              "track")
    summary = text_value(c, meta, "summary", "summary")
    if course_id is None:
        return None, problems
    check_markup(body, path, body_line, problems)
    check_links(without_comments(body), path, body_line, course_files, problems)
    check_callouts(without_comments(body), path, body_line, problems)
    return ParsedCourse(id=course_id, title=title, track=str(track), summary=summary, source=Source(path, 1),
                        intro_md=body.strip("\n")), problems


def parse_lesson(text: str, path: str, course_id: str, position: int, *,
                 course_files: set[str] | None = None) -> tuple[ParsedLesson | None, list[Problem]]:
    """One lesson file. ``course_files`` (paths inside the course folder), when
    given, is used to report broken links and images."""
    problems: list[Problem] = []
    meta, lines, body, body_line = split_front_matter(text, path, problems)
    if meta is None:
        return None, problems
    c = Collector(path, problems, lines)
    unknown_keys(c, meta, LESSON_KEYS)
    if meta.get("id"):
        lesson_id = id_value(c, meta["id"], "id")
    else:
        lesson_id = lesson_id_from_file_name(path)
        if not ID_RE.match(lesson_id):
            # The trainer wrote no id: say where this one came from and what to write.
            c.add(_("the lesson has no 'id:', and its file name gives '%(value)s', which is not a valid id: "
                    "add an id of lower-case letters, digits and '-' to the front matter (id: case-study)",
                    value=lesson_id), line=1)
    title = text_value(c, meta, "title", "title", required=True)
    minutes = int_value(c, meta, "minutes", 0, "minutes")
    objectives = str_list(c, meta, "objectives", "objectives") if not isinstance(meta.get("objectives"), str) \
        else [meta["objectives"].strip()]
    if not body.strip():
        c.add(_("the lesson has no text after its front matter"), line=body_line)
    check_markup(body, path, body_line, problems)
    check_links(without_comments(body), path, body_line, course_files, problems)
    check_callouts(without_comments(body), path, body_line, problems)
    if lesson_id is None:
        return None, problems
    return ParsedLesson(course_id=course_id, id=lesson_id, position=position, title=title, minutes=minutes,
                        objectives=objectives, body_md=body.strip("\n"), source=Source(path, 1)), problems


def _draw_rules(c: Collector, value) -> list[dict]:
    if value is None:
        c.add(_("'draw' is missing: list the rules that draw the questions"))
        return []
    if not isinstance(value, list) or not value:
        c.add(_("'draw' must be a list of rules"), "draw")
        return []
    rules = []
    for i, raw in enumerate(value):
        where = ("draw", i)
        if not isinstance(raw, dict):
            c.add(_("draw rule %(n)s must be a mapping like {count: 5, type: single}", n=i + 1), *where)
            continue
        unknown_keys(c, raw, RULE_KEYS, *where)
        rule: dict = {}
        if "questions" in raw:
            if "count" in raw or any(k in raw for k in ("type", "tags", "difficulty", "course")):
                c.add(_("draw rule %(n)s: a list of fixed questions takes no count or filters", n=i + 1), *where)
            ids = str_list(c, raw, "questions", *where)
            if not ids:
                c.add(_("draw rule %(n)s: 'questions' lists no question", n=i + 1), *where, "questions")
            rule["questions"] = ids
        else:
            count = raw.get("count")
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                c.add(_("draw rule %(n)s: 'count' must be a whole number of at least 1", n=i + 1), *where, "count")
                count = 0
            elif too_large(c, count, "count", *where):
                count = 0
            rule["count"] = count
            if "type" in raw:
                raw["type"] = type_code(str(raw["type"]))  # 单选 as the Excel template and a bank file write it
                if raw["type"] not in QUESTION_TYPES:
                    c.add(_("unknown question type '%(value)s' (expected one of: %(choices)s)", value=raw["type"],
                            choices=", ".join(QUESTION_TYPES)), *where, "type")
                rule["type"] = str(raw["type"])
            if "difficulty" in raw:
                raw["difficulty"] = difficulty_code(str(raw["difficulty"]))
                if raw["difficulty"] not in DIFFICULTIES:
                    c.add(_("unknown difficulty '%(value)s' (expected one of: %(choices)s)", value=raw["difficulty"],
                            choices=", ".join(DIFFICULTIES)), *where, "difficulty")
                rule["difficulty"] = str(raw["difficulty"])
            tags = str_list(c, raw, "tags", *where)
            if tags:
                rule["tags"] = tags
            if "course" in raw:
                rule["course"] = str(raw["course"]).strip()
        rule["line"] = c.line(*where)
        rules.append(rule)
    return rules


def parse_exam(text: str, path: str) -> tuple[ParsedExam | None, list[Problem]]:
    data, lines, problems = load_yaml(text, path)
    if data is None and problems:
        return None, problems
    c = Collector(path, problems, lines)
    if not isinstance(data, dict):
        c.add(_("an exam file must be 'key: value' lines (see content/FORMAT.md)"))
        return None, problems
    unknown_keys(c, data, EXAM_KEYS)
    exam_id = id_value(c, data.get("id"), "id")
    title = text_value(c, data, "title", "title", required=True)
    attempts = data.get("attempts", "unlimited")
    if attempts in ("unlimited", None):
        max_attempts = None
    elif isinstance(attempts, int) and not isinstance(attempts, bool) and attempts >= 1:
        max_attempts = None if too_large(c, attempts, "attempts") else attempts
    else:
        c.add(_("'attempts' must be 'unlimited' or a whole number of at least 1 (got '%(value)s')", value=attempts),
              "attempts")
        max_attempts = None
    pass_mark = data.get("pass_mark", 60)
    if isinstance(pass_mark, bool) or not isinstance(pass_mark, (int, float)) or not 0 < pass_mark <= 100:
        c.add(_("'pass_mark' must be a percentage between 1 and 100 (got '%(value)s')", value=pass_mark), "pass_mark")
        pass_mark = 60
    focus = data.get("focus_loss_limit")
    if focus is not None and (isinstance(focus, bool) or not isinstance(focus, int) or focus < 1):
        c.add(_("'focus_loss_limit' must be a whole number of at least 1 (got '%(value)s')", value=focus),
              "focus_loss_limit")
        focus = None
    elif too_large(c, focus, "focus_loss_limit"):
        focus = None
    exam = ParsedExam(
        id=exam_id or "", title=title,
        course_id=text_value(c, data, "course", "course") or None,
        draw=_draw_rules(c, data.get("draw")),
        time_limit_minutes=int_value(c, data, "time_limit", 30, "time_limit", minimum=1),
        pass_mark=float(pass_mark), max_attempts=max_attempts,
        cooldown_minutes=int_value(c, data, "cooldown", 0, "cooldown"),
        shuffle_options=bool_value(c, data, "shuffle_options", True, "shuffle_options"),
        layout=choice_value(c, data, "layout", "one_page", LAYOUTS,
                       _("unknown layout '%(value)s' (expected one of: %(choices)s)")),
        review_policy=choice_value(c, data, "review", "after_submit", REVIEW_POLICIES,
                              _("unknown review policy '%(value)s' (expected one of: %(choices)s)")),
        scoring=choice_value(c, data, "scoring", "best", SCORING,
                        _("unknown scoring '%(value)s' (expected one of: %(choices)s)")),
        partial_credit=bool_value(c, data, "partial_credit", False, "partial_credit"),
        open_to_all=bool_value(c, data, "open_to_all", False, "open_to_all"),
        focus_loss_limit=focus,
        closes_at=local_datetime(c, data.get("closes_at"), "closes_at", "closes_at"),
        source=Source(path, 1),
    )
    return (exam if exam_id else None), problems


def _monday_after(day: date) -> date:
    return day + timedelta(days=7 - day.weekday())


def _programme_item(c: Collector, raw, kind: str, number: int, start: date | None,
                    previous_due: date | None = None, start_written: bool = False) -> ParsedProgrammeItem | None:
    """One week or bulletin. A week without its own dates opens on its Monday
    counted from ``start`` or, when the week before it is due later (it was
    moved or extended), on the Monday after that due date: moving one week
    moves the weeks after it."""
    plural = "weeks" if kind == "week" else "bulletins"
    where = (plural, number - 1)
    label = item_label(kind, number)
    if not isinstance(raw, dict):
        c.add(_("%(item)s must be a mapping with a title", item=label), *where)
        return None
    unknown_keys(c, raw, WEEK_KEYS if kind == "week" else BULLETIN_KEYS, *where)
    title = text_value(c, raw, "title", *where, required=True) or label
    key = _item_key(c, raw, kind, number, where)
    if kind == "week":
        lessons = str_list(c, raw, "lessons", *where)
    else:
        lesson = text_value(c, raw, "lesson", *where)
        lessons = [lesson] if lesson else []
        if not lesson:
            c.add(_("%(item)s needs its 'lesson'", item=label), *where)
    for ref in lessons:
        if ref.count("/") != 1:
            c.add(_("%(item)s: lesson '%(ref)s' must be written as course-id/lesson-id", item=label, ref=ref), *where,
                  "lessons" if kind == "week" else "lesson")
    exam_id = text_value(c, raw, "exam", *where) or None
    opens = date_value(c, raw.get("opens"), "opens", *where)
    due = date_value(c, raw.get("due"), "due", *where)
    if kind == "week" and start is not None:
        default_opens = start + timedelta(days=7 * (number - 1))
        if previous_due is not None:
            default_opens = max(default_opens, _monday_after(previous_due))
        opens = opens or default_opens
        # Due on the Sunday of the week it opens in: a week given only 'opens'
        # (moved past a holiday) is due that Sunday, not its old place's.
        due = due or opens + timedelta(days=6 - opens.weekday())
    if exam_id is None and kind == "week" and not lessons and due is not None:
        # A week off written as a week (国庆假期（停训）): say how a break is written.
        c.add(_("%(item)s has neither an exam nor lessons: a break (a holiday) is not a week of its own. "
                "Delete it and give the week after it 'opens: %(monday)s' (the weeks after that follow), "
                "or give the week before it a later 'due' to make that week longer",
                item=label, monday=_monday_after(due).isoformat()), *where)
    elif exam_id is None:
        c.add(_("%(item)s needs an 'exam' (every week ends with an exam)", item=label) if kind == "week"
              else _("%(item)s needs its check ('exam')", item=label), *where)
    if opens is None or due is None:
        if not (kind == "week" and start is None and start_written) and not (
                raw.get("opens") is not None and opens is None) and not (raw.get("due") is not None and due is None):
            # (A 'start', 'opens' or 'due' that is no date has its own problem already.)
            c.add(_("%(item)s needs 'opens' and 'due' dates (or the programme's 'start')", item=label)
                  if kind == "week" else _("%(item)s needs 'opens' and 'due' dates", item=label), *where)
        return None
    return ParsedProgrammeItem(key=key, kind=kind, number=number, title=title, lessons=lessons,
                               exam_id=exam_id, opens_on=opens, due_on=due, source=c.source(*where),
                               explicit_key="id" in raw)


def _item_key(c: Collector, raw: dict, kind: str, number: int, where: tuple) -> str:
    """What keeps a week (or bulletin) the same week across edits: its ``id``
    when the file gives one, else its place (``week-3``), as files without ids
    have always been published. Records of learners (notifications, attempts)
    hang on this key, so inserting, removing or reordering weeks needs ids on
    the weeks that move (``lms.content.source.week_identity``)."""
    if "id" not in raw:
        return f"{kind}-{number}"
    value = id_value(c, raw.get("id"), *where, "id")
    if value is not None and len(value) > ITEM_ID_MAX:
        c.add(_("invalid id '%(value)s': a week's or bulletin's id has at most %(n)s characters", value=value,
                n=ITEM_ID_MAX), *where, "id")
    return value or f"{kind}-{number}"


def _audience_part(c: Collector, raw, *where) -> dict:
    """One audience mapping: branches, positions (``rm_*`` covers every position
    starting ``rm_``) and roles."""
    audience = {"branches": [], "positions": [], "roles": []}
    if not isinstance(raw, dict):
        c.add(_("'audience' must have branches, positions and roles lists"), *where)
        return audience
    unknown_keys(c, raw, AUDIENCE_KEYS, *where)
    for key in AUDIENCE_KEYS:
        audience[key] = str_list(c, raw, key, *where)
    messages = {"positions": _("unknown position '%(value)s' (expected one of: %(choices)s)"),
                "roles": _("unknown role '%(value)s' (expected one of: %(choices)s)")}
    for key, known in (("positions", POSITIONS), ("roles", ROLES)):
        for value in audience[key]:
            pattern = key == "positions" and value.endswith("*") and len(value) > 1
            if (not any(k.startswith(value[:-1]) for k in known)) if pattern else value not in known:
                c.add(messages[key] % {"value": value, "choices": ", ".join(known)}, *where, key)
    return audience


def _audience(c: Collector, data: dict) -> dict:
    """The audience: one mapping, or a list of mappings (a person in any of
    them is in it; stored as ``{"any": [...]}``)."""
    raw = data.get("audience") or {}
    if isinstance(raw, list):
        if not raw:
            c.add(_("'audience' must have branches, positions and roles lists"), "audience")
        return {"any": [_audience_part(c, part, "audience", n) for n, part in enumerate(raw)]}
    return _audience_part(c, raw, "audience")


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _recurring_item(c: Collector, data: dict, start: date | None) -> ParsedProgrammeItem | None:
    """A recurring requirement's one item: its lessons and exam, from the
    quarter ``start`` names (due at that quarter's end; the app moves the
    window on each quarter)."""
    lessons = str_list(c, data, "lessons", "lessons")
    for ref in lessons:
        if ref.count("/") != 1:
            c.add(_("lesson '%(ref)s' must be written as course-id/lesson-id", ref=ref), "lessons")
    exam_id = text_value(c, data, "exam", "exam") or None
    if exam_id is None:
        c.add(_("a recurring requirement needs an 'exam'"), "exam")
    if start is None:
        c.add(_("a recurring requirement needs 'start': the first day of the first quarter it is required"),
              "start")
        return None
    if start != _quarter_start(start):
        c.add(_("'start' of a quarterly requirement must be the first day of a quarter (%(date)s is not)",
                date=start.isoformat()), "start")
        return None
    nxt = date(start.year + (start.month == 10), (start.month + 2) % 12 + 1, 1)
    return ParsedProgrammeItem(key="quarterly", kind="quarterly", number=1, title=text_value(c, data, "title", "title"),
                               lessons=lessons, exam_id=exam_id, opens_on=start, due_on=nxt - timedelta(days=1),
                               source=c.source("exam"))


def parse_programme(text: str, path: str) -> tuple[ParsedProgramme | None, list[Problem]]:
    data, lines, problems = load_yaml(text, path)
    if data is None and problems:
        return None, problems
    c = Collector(path, problems, lines)
    if not isinstance(data, dict):
        c.add(_("a programme file must be 'key: value' lines (see content/FORMAT.md)"))
        return None, problems
    recurring = data.get("recurring")
    if recurring is not None and recurring not in RECURRING:
        c.add(_("unknown recurring '%(value)s' (expected one of: %(choices)s)", value=recurring,
                choices=", ".join(RECURRING)), "recurring")
    unknown_keys(c, data, RECURRING_KEYS if recurring is not None else PROGRAMME_KEYS)
    programme_id = id_value(c, data.get("id"), "id")
    title = text_value(c, data, "title", "title", required=True)
    audience = _audience(c, data)
    in_order = bool_value(c, data, "in_order", False, "in_order")
    start = date_value(c, data.get("start"), "start", "start")
    items: list[ParsedProgrammeItem] = []
    if recurring is not None:
        item = _recurring_item(c, data, start) if recurring in RECURRING else None
        items = [item] if item is not None else []
    else:
        if start is not None and start.weekday() != 0:
            c.add(_("'start' must be a Monday (%(date)s is not)", date=start.isoformat()), "start")
        for plural, kind in (("weeks", "week"), ("bulletins", "bulletin")):
            raw_items = data.get(plural) or []
            if not isinstance(raw_items, list):
                c.add(_("'%(key)s' must be a list", key=plural), plural)
                continue
            previous_due = None
            for number, raw in enumerate(raw_items, start=1):
                item = _programme_item(c, raw, kind, number, start, previous_due if kind == "week" else None,
                                       start_written=data.get("start") is not None)
                if item is not None:
                    items.append(item)
                previous_due = item.due_on if item is not None else None
        if not data.get("weeks"):
            c.add(_("the programme has no weeks"), "weeks")
    if programme_id is None:
        return None, problems
    return ParsedProgramme(id=programme_id, title=title, summary=text_value(c, data, "summary", "summary"),
                           audience=audience, items=items, source=Source(path, 1), in_order=in_order,
                           recurring=recurring if recurring in RECURRING else ""), problems


# --- the folder --------------------------------------------------------------

def parse_folder(root: Path, subpath: Path | None = None) -> ContentBundle:
    """Read the content folder, or the part of it ``subpath`` names (see
    ``lms.content.source.folder.parse_folder``)."""
    from lms.content.source.folder import parse_folder as read_folder

    return read_folder(root, subpath)
