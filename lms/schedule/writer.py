"""Writing programme and exam files from the scheduling forms.

The files are read and written with ruamel.yaml in round-trip mode: comments,
key order, quoting and every key the form does not manage (another
engineer's ``in_order``, a note a trainer left) survive an edit. Keys the form
manages are set in place (a new key goes after the keys that come before it
in the format's order); an optional key left empty is removed; a key absent
from the file is not added while it holds the format's default, so that a
save changes only what the trainer changed.
"""
from __future__ import annotations

import io
from datetime import date

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

PROGRAMME_ORDER = ("id", "title", "summary", "audience", "start", "weeks", "bulletins")
WEEK_ORDER = ("id", "title", "lessons", "lesson", "exam", "opens", "due")
AUDIENCE_ORDER = ("branches", "positions", "roles")
EXAM_ORDER = ("id", "title", "course", "time_limit", "pass_mark", "attempts", "cooldown", "shuffle_options",
              "layout", "review", "scoring", "partial_credit", "open_to_all", "focus_loss_limit", "closes_at", "draw")
RULE_ORDER = ("count", "type", "tags", "difficulty", "course", "questions")
# What the parser assumes when a key is missing (lms.content.source.parser.parse_exam).
EXAM_DEFAULTS = {"time_limit": 30, "pass_mark": 60, "attempts": "unlimited", "cooldown": 0,
                 "shuffle_options": True, "layout": "one_page", "review": "after_submit", "scoring": "best",
                 "partial_credit": False, "open_to_all": False}


class Unreadable(Exception):
    """The file is not a YAML mapping the form can edit (fix it as text first)."""


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never fold a long title
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def load(text: str) -> CommentedMap:
    """The file as a round-trip mapping (an empty file: an empty mapping)."""
    try:
        data = _yaml().load(text or "")
    except YAMLError as exc:
        raise Unreadable(str(exc)) from None
    if data is None:
        return CommentedMap()
    if not isinstance(data, CommentedMap):
        raise Unreadable("not a mapping")
    return data


def dump(data: CommentedMap) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def flow(items) -> CommentedSeq:
    seq = CommentedSeq(list(items))
    seq.fa.set_flow_style()
    return seq


def put(m: CommentedMap, key: str, value, order: tuple[str, ...]) -> None:
    """Set ``key``; a new key goes after the last present key that precedes it in ``order``."""
    if key in m:
        old = m[key]
        if isinstance(old, CommentedSeq) and isinstance(value, CommentedSeq) and len(old) and not old.fa.flow_style():
            value.fa.set_block_style()  # keep a list written one item a line that way
        m[key] = value
        return
    position = 0
    keys = list(m.keys())
    before = order[: order.index(key)] if key in order else order
    for i, existing in enumerate(keys):
        if existing in before:
            position = i + 1
    m.insert(position, key, value)


def put_optional(m: CommentedMap, key: str, value, order: tuple[str, ...]) -> None:
    """Set ``key``, or remove it when ``value`` is empty."""
    if value is None or value == "" or value == []:
        m.pop(key, None)
    else:
        put(m, key, value, order)


def put_default(m: CommentedMap, key: str, value, order: tuple[str, ...], default) -> None:
    """Set ``key``, unless it is absent and ``value`` is the format's default."""
    if key not in m and value == default:
        return
    put(m, key, value, order)


def _item(original: list, origin: int | None) -> CommentedMap:
    if origin is not None and 0 <= origin < len(original) and isinstance(original[origin], CommentedMap):
        return original[origin]
    return CommentedMap()


def _reuse_seq(m: CommentedMap, key: str, items: list, order: tuple[str, ...]) -> None:
    """Replace the items of the list at ``key`` keeping the list (its comments) if there is one."""
    seq = m.get(key)
    if isinstance(seq, CommentedSeq):
        seq.clear()
        seq.extend(items)
    elif items:
        put(m, key, CommentedSeq(items), order)


def _write_audience(doc: CommentedMap, wanted: dict) -> None:
    audience = doc.get("audience")
    if not isinstance(audience, CommentedMap):
        if not any(wanted.get(k) for k in AUDIENCE_ORDER) and "audience" not in doc:
            return
        audience = CommentedMap()
        put(doc, "audience", audience, PROGRAMME_ORDER)
    for key in AUDIENCE_ORDER:
        put(audience, key, flow(wanted.get(key) or []), AUDIENCE_ORDER)


def write_programme(text: str, values: dict) -> str:
    """``values``: id (a new file only), title, summary, audience {branches, positions, roles} (None: as
    written),
    start (date or None), weeks and bulletins: lists of {origin, title, lessons | lesson, exam, opens, due},
    ``origin`` being the item's index in the file (None for a new one); ``removed`` (optional): the keys
    of the programme's removed weeks and bulletins → their exams."""
    doc = load(text)
    if "id" not in doc and values.get("id"):
        put(doc, "id", values["id"], PROGRAMME_ORDER)
    put(doc, "title", values["title"], PROGRAMME_ORDER)
    put_optional(doc, "summary", values.get("summary") or None, PROGRAMME_ORDER)
    if values.get("audience") is not None:  # None: the audience stays as written
        _write_audience(doc, values["audience"])
    put_optional(doc, "start", values.get("start"), PROGRAMME_ORDER)
    for plural in ("weeks", "bulletins"):
        original = list(doc.get(plural) or []) if isinstance(doc.get(plural), list) else []
        items = []
        rows = values.get(plural) or []
        for row in rows:
            item = _item(original, row.get("origin"))
            put(item, "title", row["title"], WEEK_ORDER)
            if plural == "weeks":
                put(item, "lessons", flow(row.get("lessons") or []), WEEK_ORDER)
            else:
                put_optional(item, "lesson", row.get("lesson") or None, WEEK_ORDER)
            put_optional(item, "exam", row.get("exam") or None, WEEK_ORDER)
            put_optional(item, "opens", row.get("opens"), WEEK_ORDER)
            put_optional(item, "due", row.get("due"), WEEK_ORDER)
            items.append(item)
        _keep_identity(items, rows, "week" if plural == "weeks" else "bulletin", values.get("removed") or {})
        if items or plural in doc:
            _reuse_seq(doc, plural, items, PROGRAMME_ORDER)
        if not items and plural == "bulletins" and plural in doc:
            del doc[plural]
    return dump(doc)


def _keep_identity(items: list, rows: list[dict], kind: str, removed: dict) -> None:
    """A week (or bulletin) without ``id:`` is keyed by its place (``week-3``),
    and learners' records hang on the key (lms.content.source.week_identity):
    one the form moved (a row inserted, removed or reordered before it) gets
    ``id:`` its old place, so that it stays the same week; a new row whose
    place is now another week's id, or the key of a removed week with another
    exam (``removed``: key → exam of the published retired rows), gets an id
    of its own (its exam's id)."""
    for position, (item, row) in enumerate(zip(items, rows)):
        origin = row.get("origin")
        if origin is not None and origin != position and "id" not in item:
            put(item, "id", f"{kind}-{origin + 1}", WEEK_ORDER)
    keys = {str(item["id"]) for item in items if "id" in item}
    for position, item in enumerate(items):
        place = f"{kind}-{position + 1}"
        reused = place in removed and removed[place] != item.get("exam")
        if "id" in item or (place not in keys and not reused):
            continue
        base = str(item.get("exam") or f"{kind}-{position + 1}-new")[:36]
        key, n = base, 1
        while key in keys or key in removed or any(key == f"{kind}-{i + 1}" and "id" not in other
                                                   for i, other in enumerate(items)):
            n += 1
            key = f"{base}-{n}"
        put(item, "id", key, WEEK_ORDER)
        keys.add(key)


def _rule(original: list, row: dict) -> CommentedMap:
    rule = _item(original, row.get("origin"))
    if not rule and row.get("origin") is None:
        rule.fa.set_flow_style()  # new rules as the shipped files write them: {count: 5, type: single}
    if row.get("questions"):
        for key in ("count", "type", "tags", "difficulty", "course"):
            rule.pop(key, None)
        put(rule, "questions", flow(row["questions"]), RULE_ORDER)
        return rule
    rule.pop("questions", None)
    put(rule, "count", row["count"], RULE_ORDER)
    put_optional(rule, "type", row.get("type") or None, RULE_ORDER)
    put_optional(rule, "tags", flow(row["tags"]) if row.get("tags") else None, RULE_ORDER)
    put_optional(rule, "difficulty", row.get("difficulty") or None, RULE_ORDER)
    put_optional(rule, "course", row.get("course") or None, RULE_ORDER)
    return rule


def write_exam(text: str, values: dict) -> str:
    """``values``: id (a new file only), title, course, time_limit, pass_mark, attempts (None: unlimited),
    cooldown, shuffle_options, layout, review, scoring, partial_credit, open_to_all, focus_loss_limit,
    closes_at ("YYYY-MM-DD HH:MM" or None) and draw: a list of {origin, count, type, tags, difficulty,
    course} or {origin, questions}."""
    doc = load(text)
    if "id" not in doc and values.get("id"):
        put(doc, "id", values["id"], EXAM_ORDER)
    put(doc, "title", values["title"], EXAM_ORDER)
    put_optional(doc, "course", values.get("course") or None, EXAM_ORDER)
    pass_mark = values["pass_mark"]
    if isinstance(pass_mark, float) and pass_mark.is_integer():
        pass_mark = int(pass_mark)
    settings = {"time_limit": values["time_limit"], "pass_mark": pass_mark,
                "attempts": values["attempts"] if values.get("attempts") else "unlimited",
                "cooldown": values["cooldown"], "shuffle_options": values["shuffle_options"],
                "layout": values["layout"], "review": values["review"], "scoring": values["scoring"],
                "partial_credit": values["partial_credit"], "open_to_all": values["open_to_all"]}
    for key, value in settings.items():
        put_default(doc, key, value, EXAM_ORDER, EXAM_DEFAULTS[key])
    put_optional(doc, "focus_loss_limit", values.get("focus_loss_limit"), EXAM_ORDER)
    put_optional(doc, "closes_at", values.get("closes_at") or None, EXAM_ORDER)
    original = list(doc.get("draw") or []) if isinstance(doc.get("draw"), list) else []
    _reuse_seq(doc, "draw", [_rule(original, row) for row in values.get("draw") or []], EXAM_ORDER)
    return dump(doc)


def as_date(value) -> date | None:
    """A date the file holds (ruamel reads 2026-09-07 as a date; quoted, it is text)."""
    if isinstance(value, date):
        return value if not hasattr(value, "hour") else value.date()
    try:
        return date.fromisoformat(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None
