"""Imported questions → a markdown question-bank file (content/FORMAT.md).

``bank_markdown(questions)`` writes the text the content folder keeps; the
folder parser reads it back into the same questions (tests/content/
test_import_roundtrip.py). The importers hand over text that is already
*structure-safe* (``markdown_safe``): no line of a stem, option or
explanation can be mistaken for a question heading, an option line, the
start of the explanation or of the rubric. ``bank_markdown`` refuses text
that is not, rather than write a file that would read back differently.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

import nh3
from flask_babel import gettext as _

from lms import questions as question_types
from lms.content.rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES
from lms.content.schema import ParsedQuestion

ID_MAX = 80
_SLUG_SEP = re.compile(r"[^a-z0-9]+")
# Line starts that mean something in a bank file: a question or part heading,
# an option, the explanation, the rubric, an option's feedback, a code fence (which hides headings).
_STRUCTURAL = re.compile(r"^(\s*)(#|[-+*](?=\s+\[[ xX]\])|```|~~~|解析\s*[：:]|评分要点\s*[：:]|反馈\s*[：:])")
# Line starts that markdown reads as a list, quote or call-out: escaped in plain text only.
_MARKUP = re.compile(r"^(\s*)([-+*](?=\s)|\d+[.)](?=\s)|>|!!!)")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>{}|])")


class UnsafeText(ValueError):
    """Text that would not read back as written (a bug in an importer)."""


# --- ids ---------------------------------------------------------------------

def slugify(text: str, *, limit: int = ID_MAX) -> str:
    """An id in the content folder's alphabet ([a-z0-9-]). Text that is not
    all ASCII (a Chinese title) keeps its ASCII part and gets a short hash of
    the whole, so different titles never collapse into one id."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    ascii_part = _SLUG_SEP.sub("-", text.lower()).strip("-")
    if text.isascii():
        return ascii_part[:limit].strip("-")
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    head = ascii_part[: limit - 9].strip("-")
    return f"{head}-{digest}" if head else f"q-{digest}"


def unique_ids(ids: list[str]) -> list[str]:
    """Repeated ids get -2, -3 … in file order (Moodle names need not be unique)."""
    seen: dict[str, int] = {}
    taken = set(ids)
    out = []
    for value in ids:
        if value not in seen:
            seen[value] = 1
            out.append(value)
            continue
        n = seen[value]
        while True:
            n += 1
            candidate = f"{value[: ID_MAX - len(str(n)) - 1]}-{n}"
            if candidate not in taken:
                break
        seen[value] = n
        taken.add(candidate)
        out.append(candidate)
    return out


# --- text --------------------------------------------------------------------

def _protect_line(line: str, pattern: re.Pattern = _STRUCTURAL) -> str:
    m = pattern.match(line)
    if not m:
        return line
    indent, token = m.group(1), m.group(2)
    rest = line[len(indent) + len(token):]
    if token[0] in "#-+*>!`~":
        return f"{indent}\\{token}{rest}"
    if token[0].isdigit():
        return f"{indent}{token[:-1]}\\{token[-1]}{rest}"
    # 解析： / 评分要点： — a numeric character reference of the first letter
    # renders the same and no longer starts the line with the marker.
    return f"{indent}&#{ord(token[0])};{token[1:]}{rest}"


def markdown_safe(text: str) -> str:
    """Markdown (as a trainer wrote it) made safe to sit inside a bank file:
    trimmed, with risky line starts escaped and ``{{``/``[[`` (the blank
    syntax) escaped. Renders the same except that such lines stay text."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    text = text.replace("{{", "\\{\\{").replace("}}", "\\}\\}").replace("[[", "\\[\\[").replace("]]", "\\]\\]")
    lines = [_protect_line(line.rstrip()) for line in text.split("\n")]
    # A blank line inside a stem would be fine, two would look like the end of it.
    out: list[str] = []
    for line in lines:
        if not line and out and not out[-1]:
            continue
        out.append(line)
    return "\n".join(out)


def plain_to_markdown(text: str) -> str:
    """Plain text whose every character must show as typed."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    text = "\n".join(_protect_line(line, _MARKUP) for line in _MD_SPECIAL.sub(r"\\\1", text).split("\n"))
    return markdown_safe(text)


def html_to_markdown(html: str) -> str:
    """HTML from another system, sanitised now with the renderer's allow-list
    (so the bank file never stores a script) and put on one line: markdown
    keeps inline and block HTML, and rendering sanitises it again."""
    clean = nh3.clean(html or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                      clean_content_tags={"script", "style", "iframe", "object", "embed", "template", "noscript"})
    clean = re.sub(r"\s*\n\s*", " ", clean).strip()
    return markdown_safe(clean)


_HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")


def looks_like_html(text: str) -> bool:
    return bool(_HTML_TAG.search(text or ""))


def clean_tags(tags) -> list[str]:
    """Knowledge points as a bank file keeps them: split on , ， 、, trimmed, sorted."""
    out = set()
    for tag in tags:
        out.update(part.strip() for part in re.split(r"[,，、;；]", str(tag)) if part.strip())
    return sorted(out)


def one_line(text: str) -> str:
    """Options are one line each in a bank file."""
    return re.sub(r"\s*\n\s*", " ", text or "").strip()


def option_text(text: str) -> str:
    """An option as a bank file holds it: its lines trimmed, blank lines
    dropped (the bank writes the second and later lines indented under the
    ``- [ ]`` line, and reads them back this way)."""
    return "\n".join(line.strip() for line in (text or "").split("\n") if line.strip())


def answer_problem(answer: str) -> str | None:
    """Why an accepted fill-in answer cannot be written as ``[[a|b]]`` (or None)."""
    if not answer.strip():
        return _("an accepted answer is empty")
    if "|" in answer or "[[" in answer or "]]" in answer or "\n" in answer:
        return _("an accepted answer cannot contain '|', '[[', ']]' or a line break")
    return None


# --- the bank file -----------------------------------------------------------

def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _check_safe(text: str, what: str, qid: str) -> None:
    for line in text.split("\n"):
        if _STRUCTURAL.match(line):
            raise UnsafeText(f"{qid}: a line of the {what} would change the bank's structure: {line!r}")


def _key_lines(q, *, is_part: bool = False) -> list[str]:
    qtype = question_types.get(q["type"])
    lines = [f"type: {q['type']}"]
    if not qtype.has_parts and (q["points"] != 1 or is_part):
        lines.append(f"points: {_number(q['points'])}")
    if not is_part and q["difficulty"] != "medium":
        lines.append(f"difficulty: {q['difficulty']}")
    if not is_part and q["tags"]:
        lines.append("tags: " + ", ".join(q["tags"]))
    return lines + qtype.bank_key_lines(q["data"])


class _Guard:
    """What a type's ``bank_body`` asks before writing a text (UnsafeText if it would not read back)."""

    def __init__(self, qid: str):
        self.qid = qid

    def text(self, text: str, what: str) -> None:
        _check_safe(text, what, self.qid)

    def option(self, option: dict) -> tuple[str, str]:
        text = option["text"]
        if text != option_text(text):
            raise UnsafeText(f"{self.qid}: option {option['key']} has blank or indented lines")
        _check_safe(text, "option", self.qid)
        feedback = ""
        if option.get("feedback"):
            feedback = option_text(option["feedback"])
            _check_safe(feedback, "option feedback", self.qid)
        return text, feedback

    def blank_answer(self, answer: str) -> None:
        if answer_problem(answer):
            raise UnsafeText(f"{self.qid}: {answer_problem(answer)}: {answer!r}")


def _body(q, qid: str) -> list[str]:
    _check_safe(q["stem"], "stem", qid)
    stem, section = question_types.get(q["type"]).bank_body(q["stem"], q["data"], _Guard(qid))
    out = [stem, ""]
    if section is not None:
        out += section + [""]
    if q["explanation"]:
        _check_safe(q["explanation"], "explanation", qid)
        out += ["解析：" + q["explanation"], ""]
    return out


def _as_dict(q: ParsedQuestion) -> dict:
    return {"type": q.type, "points": q.points, "difficulty": q.difficulty, "tags": q.tags,
            "stem": q.stem_md, "data": q.data, "explanation": q.explanation_md}


def bank_markdown(questions: list[ParsedQuestion], header: str = "") -> str:
    """The bank file for ``questions``, in order, after an optional
    ``<!-- header -->`` comment. Raises ``UnsafeText`` if a text would not
    read back as written."""
    out: list[str] = []
    if header:
        out += ["<!-- " + header.replace("--", "—").replace("\n", " ") + " -->", ""]
    for q in questions:
        d = _as_dict(q)
        out.append(f"## {q.id}")
        out += _key_lines(d)
        out.append("")
        out += _body(d, q.id)
        for part in question_types.get(q.type).parts(q.data):
            pd = {"type": part["type"], "points": part["points"], "difficulty": "medium", "tags": [],
                  "stem": part["stem"], "data": part["data"], "explanation": part.get("explanation", "")}
            out.append(f"### {part['id']}")
            out += _key_lines(pd, is_part=True)
            out.append("")
            out += _body(pd, f"{q.id}/{part['id']}")
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"


def question_lines(text: str) -> dict[int, str]:
    """Line number of each question heading in a bank text: {line: id}."""
    return {i: line[3:].strip() for i, line in enumerate(text.split("\n"), start=1) if line.startswith("## ")}
