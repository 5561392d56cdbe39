"""Reading the fields of a content file's YAML (front matter, exams,
programmes) with a problem, file and line for every value that is missing or
wrong. Shared by the parsers in ``lms.content.source.parser``."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from lms.content.source import encoding
from lms.content.source.files import read_bytes, refusal
from lms.content.schema import Problem, Source
from lms.content.source.yaml_lines import load_yaml
from lms.control_characters import IN_TEXT, TEXT_DIRECTION, invisible_character
from lms.ids import DB_INT_MAX
from lms.query_dates import EARLIEST, LATEST

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
BANK_TZ = ZoneInfo("Asia/Shanghai")  # dates in content files are the bank's local time


class Collector:
    """Problems of one file, with the line map of its YAML."""

    def __init__(self, path: str, problems: list[Problem], lines: dict | None = None):
        self.path = path
        self.problems = problems
        self.lines = lines or {}

    def line(self, *keys) -> int:
        while keys:
            if keys in self.lines:
                return self.lines[keys]
            keys = keys[:-1]
        return self.lines.get((), 1)

    def add(self, message: str, *keys, line: int | None = None, column: int | None = None) -> None:
        self.problems.append(Problem(Source(self.path, line or self.line(*keys), column), message))

    def source(self, *keys) -> Source:
        return Source(self.path, self.line(*keys))


def read_text(path: Path, rel: str, problems: list[Problem]) -> str | None:
    """The text of a content file; never read through a symbolic or hard link
    (``lms.content.source.files``): the problem says which it is."""
    try:
        data = read_bytes(path)
    except OSError:
        problems.append(Problem(Source(rel), refusal(path)))
        return None
    try:
        text = encoding.decode(data)  # UTF-8, GBK ("ANSI") or UTF-16 ("Unicode"), as Notepad saves
    except encoding.NotText as exc:
        problems.append(Problem(Source(rel, exc.line), encoding.not_text_message()))
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    _refuse_text_direction(text, rel, problems)
    _refuse_control_characters(text, rel, problems)
    return text


def _refuse_control_characters(text: str, rel: str, problems: list[Problem]) -> None:
    """No content file holds a NUL or another control character (tab and line breaks aside): one comes
    from a file cut off or made by a program (a GIFT or Excel bank exported by another system), shows
    as nothing or a box, and PostgreSQL cannot store a NUL (the publish failed after the check passed)."""
    if not IN_TEXT.search(text):
        return
    for number, line in enumerate(text.split("\n"), start=1):
        for found in IN_TEXT.finditer(line):
            problems.append(Problem(Source(rel, number, found.start() + 1), _(
                "a control character (%(code)s) that no text holds, from a file cut off or made by a program; "
                "most editors show it as nothing: delete it (retype the words around it)",
                code=f"U+{ord(found.group()):04X}")))


def _refuse_text_direction(text: str, rel: str, problems: list[Problem]) -> None:
    """Every content file (lesson, bank, exam, programme; typed in the editor,
    uploaded or made by a question import) without text-direction characters
    (``lms.control_characters.TEXT_DIRECTION``): learners would read the text
    after one reversed or out of order, and an answer option could show as
    another. The trainer is told each line and column (an editor shows nothing there)."""
    if not TEXT_DIRECTION.search(text):
        return
    for number, line in enumerate(text.split("\n"), start=1):
        for found in TEXT_DIRECTION.finditer(line):
            problems.append(Problem(Source(rel, number, found.start() + 1), _(
                "a text-direction character (%(code)s) would show the text after it reversed or out of order to "
                "learners; most editors show it as nothing: delete it (retype the words around it)",
                code=f"U+{ord(found.group()):04X}")))


def split_front_matter(text: str, path: str, problems: list[Problem]):
    """(front matter mapping or None, line map, body, body's first line number).
    A byte-order mark (Windows Notepad's UTF-8) is not part of the text."""
    lines = text.removeprefix("\ufeff").split("\n")
    if not lines or lines[0].strip() != "---":
        problems.append(Problem(Source(path, 1), _("missing front matter: the file must start with a line '---'")))
        return None, {}, text, 1
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        problems.append(Problem(Source(path, 1), _("front matter is not closed: add a line '---' after it")))
        return None, {}, "", len(lines)
    data, line_map, yaml_problems = load_yaml("\n".join(lines[1:end]), path, first_line=2)
    problems.extend(yaml_problems)
    body = "\n".join(lines[end + 1:])
    if data is None and yaml_problems:
        return None, {}, body, end + 2
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(Problem(Source(path, 2), _("front matter must be 'key: value' lines")))
        return None, {}, body, end + 2
    return data, line_map, body, end + 2


def unknown_keys(c: Collector, data: dict, allowed: set[str], *where) -> None:
    for key in data:
        if key not in allowed:
            c.add(_("unknown key '%(key)s' (expected one of: %(choices)s)", key=key,
                    choices=", ".join(sorted(allowed))), *where, key)


def text_value(c: Collector, data: dict, key: str, *where, required: bool = False, default: str = "") -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            c.add(_("'%(key)s' is missing", key=key), *where)
        return default
    if isinstance(value, (dict, list)):
        c.add(_("'%(key)s' must be text", key=key), *where, key)
        return default
    text = FOLDED_AFTER_CHINESE.sub(r"\1", str(value).strip())
    if key == "title":
        text = _checked_title(c, text, where)
    return text


# YAML folds a long summary (``summary: >-``) by turning each line break into a space: after Chinese
# punctuation that reads "80 分及以上）， 并取得…". Chinese writes no space after its punctuation.
FOLDED_AFTER_CHINESE = re.compile(r"([\u3001\u3002\uff01\uff09\uff0c\uff1a\uff1b\uff1f\u300d\u300f]) +(?=\S)")


# Every title column (course, lesson, exam, programme and its weeks, certification, rule) holds 200.
TITLE_MAX = 200


def _checked_title(c: Collector, title: str, where) -> str:
    """A title others read on every page, certificate and export: at most
    ``TITLE_MAX`` characters (a longer one broke the publish on PostgreSQL
    and every layout on SQLite), without invisible or text-direction
    characters (``lms.control_characters.INVISIBLE``)."""
    if len(title) > TITLE_MAX:
        c.add(_("'title' is %(n)s characters long: at most %(max)s", n=len(title), max=TITLE_MAX), *where)
        title = title[:TITLE_MAX]
    code = invisible_character(title)
    if code:
        c.add(_("'title' contains an invisible character or a text-direction mark (%(code)s): remove it",
                code=code), *where)
    return title


def id_value(c: Collector, value, *where, what: str = "id") -> str | None:
    if value is None or value == "":
        c.add(_("'%(key)s' is missing", key=what), *where)
        return None
    value = str(value).strip()
    if not ID_RE.match(value):
        c.add(_("invalid id '%(value)s': use lower-case letters, digits and '-' (at most 80)", value=value),
              *where, what)
    return value


def too_large(c: Collector, value, key: str, *where, maximum: int = DB_INT_MAX) -> bool:
    """Whether the whole number ``value`` is past ``maximum`` (a problem at ``key``): by default what
    an INTEGER column keeps; 99999999999999999999 minutes is also a deadline past the last day Python holds."""
    if isinstance(value, int) and not isinstance(value, bool) and value > maximum:
        c.add(_("'%(key)s' is too large: at most %(maximum)s (got '%(value)s')", key=key, maximum=maximum,
                value=value), *where, key)
        return True
    return False


def int_value(c: Collector, data: dict, key: str, default, *where, minimum: int = 0):
    value = data.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        c.add(_("'%(key)s' must be a whole number of at least %(minimum)s (got '%(value)s')", key=key, minimum=minimum,
                value=value), *where, key)
        return default
    return default if too_large(c, value, key, *where) else value


def bool_value(c: Collector, data: dict, key: str, default: bool, *where) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        c.add(_("'%(key)s' must be true or false (got '%(value)s')", key=key, value=value), *where, key)
        return default
    return value


def choice_value(c: Collector, data: dict, key: str, default: str, choices, message: str, *where) -> str:
    """``message``: "unknown layout '%(value)s' (expected one of: %(choices)s)" (translated)."""
    value = data.get(key, default)
    if value not in choices:
        c.add(message % {"value": value, "choices": ", ".join(choices)}, *where, key)
        return default
    return value


def str_list(c: Collector, data: dict, key: str, *where) -> list[str]:
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or any(isinstance(v, (dict, list)) for v in value):
        c.add(_("'%(key)s' must be a list", key=key), *where, key)
        return []
    return [str(v).strip() for v in value if v is not None and str(v).strip()]


# A date as trainers write it besides 2026-09-14: 2026/09/14, 2026.9.14, 2026年9月14日.
WRITTEN_DATE = re.compile(r"(\d{4})(?:年(\d{1,2})月(\d{1,2})日?|([-/.])(\d{1,2})\4(\d{1,2}))")


def _in_years(c: Collector, day: date, value, key: str, *where) -> date | None:
    """``day`` if the app can reckon with it (weeks counted on, a closing moment after it);
    else a problem at ``key``: 9999-12-31 plus a week is past the last day Python holds."""
    if EARLIEST <= day <= LATEST:
        return day
    c.add(_("'%(key)s' must be a day between %(first)s and %(last)s (got '%(value)s')", key=key,
            first=EARLIEST.isoformat(), last=LATEST.isoformat(), value=value), *where, key)
    return None


def date_value(c: Collector, value, key: str, *where) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return _in_years(c, value.date(), value, key, *where)
    if isinstance(value, date):
        return _in_years(c, value, value, key, *where)
    try:
        match = WRITTEN_DATE.fullmatch(unicodedata.normalize("NFKC", str(value)).replace(" ", ""))
        if match is None:
            raise ValueError(value)
        day = date(int(match[1]), int(match[2] or match[5]), int(match[3] or match[6]))
    except ValueError:
        c.add(_("'%(key)s' must be a date like 2026-09-07 (got '%(value)s')", key=key, value=value), *where, key)
        return None
    return _in_years(c, day, value, key, *where)


def local_datetime(c: Collector, value, key: str, *where) -> datetime | None:
    """A bank-local 'YYYY-MM-DD HH:MM' as naive UTC. A date alone means the
    whole of that day: the moment after it (00:00 the next day, bank time),
    so ``closes_at: 2026-12-31`` still lets learners in on 31 December."""
    if value is None:
        return None
    whole_day = not isinstance(value, datetime) and isinstance(value, date)
    if isinstance(value, date):
        local = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        try:
            day = date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            day = None
        try:
            local = datetime(day.year, day.month, day.day) if day is not None else datetime.fromisoformat(text)
        except ValueError:
            c.add(_("'%(key)s' must be a date and time like 2026-12-31 18:00 (got '%(value)s')", key=key, value=value),
                  *where, key)
            return None
        whole_day = day is not None
    if _in_years(c, local.date(), value, key, *where) is None:
        return None
    if whole_day:
        local += timedelta(days=1)
    if local.tzinfo is None:
        local = local.replace(tzinfo=BANK_TZ)
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
