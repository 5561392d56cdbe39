"""What Obsidian and Typora write that the course format says another way
(content/FORMAT.md, "Written in Obsidian or Typora"): wikilinks ``[[第二课]]``
and embeds ``![[图1.png]]`` (Obsidian finds a note or an attachment by its
name anywhere in the vault), call-outs ``> [!warning] 风险提示``, lessons named
第一课 … 第十二课 (ordered by their numbers, not by the characters), and in a
bank options lettered ``A、`` / ``(A)`` / ``1.`` with the key on an
``答案：AC`` line and an explanation in a block quote ``> 解析：…``. Each is
read as the trainer meant it and the check says so at its line (a note); a
wikilink to nothing in the course is a problem that says what to write.
Lines are never added or removed, so every line number stays the file's own."""
from __future__ import annotations

import posixpath
import re
import unicodedata

from flask_babel import gettext as _
from markdown.extensions.toc import slugify_unicode

from lms.content.rendering import CALLOUT_TYPES, callout_titles
from lms.content.schema import Problem, Source

_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_WIKILINK = re.compile(r"(!?)\[\[([^\[\]\n|#]+)(#[^\[\]\n|]*)?(?:\|([^\[\]\n]*))?\]\]")
_CALLOUT = re.compile(r"^>[ \t]?\[!([A-Za-z][\w-]*)\][+-]?[ \t]*(.*?)[ \t]*$")
# Obsidian's call-out types, and the one of the format each is shown as.
RISK, CASE, KEY = CALLOUT_TYPES
CALLOUT_KINDS = {
    **dict.fromkeys(("warning", "caution", "attention", "danger", "error", "bug", "failure", "fail", "missing"),
                    RISK),
    **dict.fromkeys(("example", "quote", "cite"), CASE),
}  # every other type (note, info, tip, important, summary, success, question, todo…) is a 要点 call-out


def _outside_fences(lines: list[str]):
    in_fence = False
    for i, line in enumerate(lines):
        if ("`" in line or "~" in line) and _FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence:
            yield i, line


# --- lessons -----------------------------------------------------------------------

def lesson_text(text: str, rel: str, files: set[str], notes: list[Problem], problems: list[Problem]) -> str:
    """A lesson (or a course's introduction) with its wikilinks as links and its call-outs as ``!!!``
    call-outs. ``files``: the paths in the course folder."""
    if "[[" not in text and "[!" not in text:
        return text
    lines = text.split("\n")
    callout_at: int | None = None
    for i, line in _outside_fences(lines):
        if callout_at is not None:
            if line.startswith(">"):
                lines[i] = "    " + re.sub(r"^>[ \t]?", "", line)
                line = lines[i]
            else:
                callout_at = None
        found = _CALLOUT.match(line)
        if found:
            kind = CALLOUT_KINDS.get(found[1].lower(), KEY)
            title = found[2].replace('"', "”")
            lines[i] = f'!!! {kind} "{title}"' if title else f"!!! {kind}"
            callout_at = i
            notes.append(Problem(Source(rel, i + 1), _(
                "the call-out [!%(type)s] (as Obsidian and Typora write it) is shown as a “%(shown)s” call-out (in "
                "this format: !!! %(kind)s)",
                type=found[1], shown=callout_titles()[kind], kind=kind)))
        if "[[" in lines[i]:
            lines[i] = _WIKILINK.sub(lambda m: _link(m, rel, i + 1, files, notes, problems), lines[i])
    return "\n".join(lines)


def _link(m: re.Match, rel: str, line: int, files: set[str], notes: list[Problem], problems: list[Problem]) -> str:
    embed, name, heading, shown = m[1], m[2].strip(), (m[3] or "")[1:].strip(), m[4]
    target = _target(name, files)
    if target is None:
        problems.append(Problem(Source(rel, line), _(
            "%(link)s: the course has no lesson or file named “%(name)s”. Link a lesson as "
            "[text](lessons/file.md) and show an image as ![text](images/file.png), with the file's name as it is "
            "in the course folder", link=m[0], name=name)))
        return m[0]
    url = target + (f"#{slugify_unicode(heading, '-')}" if heading else "")
    text = shown if shown is not None else (posixpath.basename(name) if embed else name + (f" › {heading}"
                                                                                          if heading else ""))
    notes.append(Problem(Source(rel, line), _(
        "%(link)s (Obsidian's wikilink) is read as a link to %(target)s", link=m[0], target=target)))
    return f"{embed}[{text}](<{url}>)"


def _target(name: str, files: set[str]) -> str | None:
    """The course file an Obsidian link names: a lesson by its file name without .md, any other file by
    its name (Obsidian finds it in any folder); a path is taken as written."""
    folded = unicodedata.normalize("NFC", name).casefold()
    for candidate in (folded, folded + ".md"):
        by_path = [f for f in files if unicodedata.normalize("NFC", f).casefold() == candidate]
        if by_path:
            return by_path[0]
    lessons = [f for f in files if f.startswith("lessons/") and f.endswith(".md")
               and unicodedata.normalize("NFC", posixpath.basename(f)[:-3]).casefold() == folded]
    if lessons:
        return lessons[0]
    named = sorted(f for f in files if unicodedata.normalize("NFC", posixpath.basename(f)).casefold() == folded)
    return named[0] if len(named) == 1 else None


# --- the order of lessons named 第一课 … 第十二课 ------------------------------------------

_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_NUMBER = re.compile(r"\d+|[零〇一二两三四五六七八九十百]+")


def _chinese_number(text: str) -> int:
    total, digit = 0, 0
    for c in text:
        if c in _DIGITS:
            digit = _DIGITS[c]
        else:
            total += (digit or 1) * (100 if c == "百" else 10)
            digit = 0
    return total + digit


def lesson_order(name: str) -> tuple:
    """A lesson file's place: numbers in its name compared as numbers, written in digits or in Chinese
    (第二课 before 第十课, 第九课 before 第十课; by the characters 第三课 came before 第二课)."""
    parts: list = []
    last = 0
    for m in _NUMBER.finditer(name):
        parts += [name[last:m.start()], int(m[0]) if m[0].isdigit() else _chinese_number(m[0])]
        last = m.end()
    return tuple(parts + [name[last:]])


# --- banks -------------------------------------------------------------------------

_LETTERED = re.compile(r"^[ \t]*(?:([A-Ha-h])[、．.:：)）]|[(（]([A-Ha-h])[)）]|(\d)[.、．)）])[ \t\u3000]*(\S.*)$")
_ANSWER = re.compile(r"^[ \t]*(?:正确)?答案[ \t]*[:：][ \t]*([A-Ha-hＡ-Ｈａ-ｈ][A-Ha-hＡ-Ｈａ-ｈ,，、 \t]*)$")
_QUOTED_EXPLANATION = re.compile(r"^>[ \t]?(解析[ \t]*[:：].*)$")
_OPTION = re.compile(r"^ {0,3}[-*+]\s+\[[ xX]\]")


def bank_text(text: str, rel: str, notes: list[Problem]) -> str:
    """A bank with lettered options and an ``答案：`` line read as ``- [x]`` / ``- [ ]`` options, and an
    explanation in a block quote read as ``解析：``."""
    if "答案" not in text and "> " not in text and ">解析" not in text:
        return text
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if line.startswith("## ")] + [len(lines)]
    for start, end in zip(starts, starts[1:]):
        _question(lines, start, end, rel, notes)
    return "\n".join(lines)


def _question(lines: list[str], start: int, end: int, rel: str, notes: list[Problem]) -> None:
    body = dict(_outside_fences(lines[start:end]))
    quoted = next((i for i, line in body.items() if _QUOTED_EXPLANATION.match(line)), None)
    if quoted is not None:
        i = quoted
        while start + i < end and lines[start + i].startswith(">"):
            lines[start + i] = re.sub(r"^>[ \t]?", "", lines[start + i])
            i += 1
        notes.append(Problem(Source(rel, start + quoted + 1), _(
            "the explanation in a block quote (> 解析：…) is read as the explanation; it needs no >")))
    answers = [i for i, line in body.items() if _ANSWER.match(line)]
    if len(answers) != 1 or any(_OPTION.match(line) for line in body.values()):
        return  # options written as the format has them: an answer line is refused where it stands
    answer_at = answers[0]
    options: list[tuple[int, str]] = []
    for i, line in body.items():
        if i >= answer_at:
            break
        found = _LETTERED.match(line)
        if found:
            options.append((i, found[4].strip()))
        elif line.strip() and options:
            options = []  # a lettered line inside the stem, not a list of options
    letters = re.sub(r"[,，、\s]", "", unicodedata.normalize("NFKC", _ANSWER.match(body[answer_at])[1])).upper()
    keys = "ABCDEFGH"[:len(options)]
    if len(options) < 2 or not letters or any(letter not in keys for letter in letters):
        return  # not a question written this way: the bank's own checks say what is wrong
    for n, (i, option) in enumerate(options):
        lines[start + i] = f"- [{'x' if keys[n] in letters else ' '}] {option}"
    lines[start + answer_at] = ""
    notes.append(Problem(Source(rel, start + answer_at + 1), _(
        "“%(line)s” is read as the key: option %(letters)s of the %(n)d lettered options above it (in this format "
        "an option is written '- [ ] ' and the right one '- [x] ')", line=body[answer_at].strip(),
        letters="、".join(letters), n=len(options))))
