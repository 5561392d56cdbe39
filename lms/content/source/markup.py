"""Markdown a trainer wrote that the learner would not read as meant, found at
its line by the check (content/FORMAT.md), and HTML comments, which are the
trainer's own notes: nothing in one reaches a learner or is checked.

Problems: a comment that is never closed (``<!--`` without ``-->``: the rest of
the file was shown, the opening included), a table row with more cells than
its header (a ``|`` inside a cell: the cells past the header's were dropped),
a link or image written with full-width brackets (``[说明书]（…）``: shown as
typed, not a link), a table written with full-width ``｜`` (shown as text), and
a video or page embedded with ``<iframe>``, ``<video>``, ``<audio>``, ``<embed>``
or ``<object>`` (a 哔哩哔哩 player pasted from its share menu: the sanitiser
removes it, and the lesson showed nothing where it stood).
"""
from __future__ import annotations

import re

from flask_babel import gettext as _

from lms.content.schema import Problem, Source
from lms.content.typed_markdown import containers

_FENCE = re.compile(r"^ *(```|~~~)")  # at any indent: a code block in a list item too
_CODE_SPAN = re.compile(r"(`+).+?\1")
OPEN, CLOSE = "<!--", "-->"


def _code_spans(line: str) -> list[tuple[int, int]]:
    return [m.span() for m in _CODE_SPAN.finditer(line)] if "`" in line else []


def _opening(line: str, start: int) -> int:
    """Where a comment opens in ``line`` from ``start``, outside code spans; -1 if nowhere."""
    spans = _code_spans(line)
    at = line.find(OPEN, start)
    while at >= 0 and any(a <= at < b for a, b in spans):
        at = line.find(OPEN, at + 1)
    return at


def _comments(text: str) -> tuple[str, int | None, list[tuple[int, int]]]:
    """``text`` without its HTML comments (outside fenced code and code spans),
    each line kept (a comment over several lines leaves them empty); the line
    offset of a comment never closed, if any (then the text is left as it is);
    and (line, line) of each comment another one opens inside, before its
    ``-->`` (a ``-->`` forgotten: everything up to the next comment's end was hidden)."""
    if OPEN not in text:
        return text, None, []
    lines = text.split("\n")
    in_fence = False
    opened: tuple[int, int] | None = None  # (line, column) of the comment going on
    nested: list[tuple[int, int]] = []
    for number, line in enumerate(lines):
        if opened is None and _FENCE.match(line):
            in_fence = not in_fence
        if in_fence:
            continue
        kept, position = [], 0
        while True:
            if opened is None:
                at = _opening(line, position)
                if at < 0:
                    kept.append(line[position:])
                    break
                kept.append(line[position:at])
                opened, position = (number, at), at + len(OPEN)
            end = line.find(CLOSE, position)
            inner = line.find(OPEN, position)
            if 0 <= inner and (end < 0 or inner < end) and (not nested or nested[-1][0] != opened[0]):
                nested.append((opened[0], number))
            if end < 0:
                break
            opened, position = None, end + len(CLOSE)
        lines[number] = "".join(kept)
    if opened is not None:
        return text, opened[0], nested
    return "\n".join(lines), None, nested


def without_comments(text: str) -> str:
    """``text`` without its HTML comments, its lines kept (a commented-out question,
    option or link is not there); a comment never closed is a problem of its own."""
    return _comments(text)[0]


_DELIMITER_ROW = re.compile(r"^ {0,3}\|?(?: *:?-+:? *\|)+ *(?::?-+:? *)?$")
_FULLWIDTH_DELIMITER = re.compile(r"^ {0,3}｜?(?: *[:：]?[-－—]+[:：]? *｜)+")
# [文字]（地址）: what is inside the brackets is an address (a path, a web address or #heading).
_FULLWIDTH_LINK = re.compile(r"(!?\[[^\]\n]+\])（([^（）\s]*[./#][^（）\s]*)）")


def _cells(row: str) -> int:
    """The cells of a table row: its pipes outside code spans and not escaped (\\|)."""
    spans = _code_spans(row)
    pipes = [i for i, ch in enumerate(row) if ch == "|" and (i == 0 or row[i - 1] != "\\")
             and not any(a <= i < b for a, b in spans)]
    stripped = row.strip()
    outer = stripped.startswith("|") + (stripped.endswith("|") and not stripped.endswith("\\|"))
    return len(pipes) + 1 - outer


_EMBED = re.compile(r"<(iframe|video|audio|embed|object)\b([^>]*)", re.I)
_SOURCE = re.compile(r"\b(?:src|data)\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)", re.I)


def _embeds(text: str, path: str, first_line: int, problems: list[Problem]) -> None:
    in_fence = False
    for number, line in enumerate(text.split("\n")):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or "<" not in line:
            continue
        spans = _code_spans(line)
        for found in _EMBED.finditer(line):
            if any(a <= found.start() < b for a, b in spans):
                continue
            web = _SOURCE.search(found[2])  # a player's web address; a file of the course is not published
            src = ("https:" + web[1] if web[1].startswith("//") else web[1]) if web else "https://…"
            problems.append(Problem(Source(path, first_line + number, found.start() + 1), _(
                "<%(tag)s> would not be shown: learners' pages do not play embedded videos or pages. Link to its "
                "web address instead, as [视频](%(url)s)", tag=found[1].lower(), url=src)))


def check_markup(text: str, path: str, first_line: int, problems: list[Problem]) -> None:
    """The problems of the module's docstring, each at its line (``first_line`` is the text's first)."""
    text, unclosed, nested = _comments(text)
    if "<" in text:
        _embeds(text, path, first_line, problems)
    if unclosed is not None:
        problems.append(Problem(Source(path, first_line + unclosed), _(
            "an HTML comment (<!--) is never closed with -->: learners would see it and everything after it. "
            "Close it with -->")))
    for opened, inner in nested:
        problems.append(Problem(Source(path, first_line + opened), _(
            "an HTML comment (<!--) is not closed with --> before the next one opens (line %(line)s): everything "
            "between them would be hidden from learners. Close it with -->", line=first_line + inner)))
    if "|" not in text and "（" not in text and "｜" not in text:
        return
    in_fence = False
    header = 0  # the cells of the table going on, 0 outside a table
    lines = text.split("\n")
    inside = containers(lines)  # a table in a block quote or a call-out is read the same way
    for number, (box, line) in enumerate(inside):
        if _FENCE.match(lines[number]):
            in_fence, header = not in_fence, 0
            continue
        if in_fence:
            continue
        following = inside[number + 1][1] if number + 1 < len(lines) and inside[number + 1][0] == box else ""
        if header and "|" in line and line.strip():
            if _cells(line) > header:
                problems.append(Problem(Source(path, first_line + number), _(
                    "this table row has %(cells)s cells but the table's header has %(header)s: the cells past the "
                    "header's would not be shown. Write \\| for a | inside a cell", cells=_cells(line),
                    header=header)))
            continue
        header = 0
        if "|" in line and "-" in following and _DELIMITER_ROW.match(following):
            header = _cells(line)
        elif "｜" in line and _FULLWIDTH_DELIMITER.match(following):
            problems.append(Problem(Source(path, first_line + number), _(
                "this table is written with full-width ｜ and would be shown as text: write its lines with the "
                "half-width |")))
        for link in _FULLWIDTH_LINK.finditer(line):
            problems.append(Problem(Source(path, first_line + number, link.start() + 1), _(
                "'%(link)s' is written with full-width brackets （） and would be shown as typed, not as a link: "
                "write %(fixed)s", link=link[0], fixed=f"{link[1]}({link[2]})")))
