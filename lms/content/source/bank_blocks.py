"""A question bank cut at its headings: the lines before the first question,
and one block of lines per ``## id`` (or ``### part`` inside a case), with
code fences respected so that a heading inside a fence is text."""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

HEADING2 = re.compile(r"^##(?!#)\s*(.*?)\s*#*\s*$")
HEADING3 = re.compile(r"^###(?!#)\s*(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass
class Block:
    """The lines of one question (or case part) after its heading."""
    ident: str
    line: int
    body: list[tuple[int, str]] = field(default_factory=list)


def split(lines: list[tuple[int, str]], heading: re.Pattern) -> tuple[list[tuple[int, str]], list[Block]]:
    """Lines before the first heading, and one block per heading (fences respected)."""
    before: list[tuple[int, str]] = []
    blocks: list[Block] = []
    in_fence = False
    for number, text in lines:
        if ("`" in text or "~" in text) and FENCE.match(text):
            in_fence = not in_fence
        match = heading.match(text) if text.startswith("##") and not in_fence else None
        if match:
            blocks.append(Block(match.group(1), number))
        elif blocks:
            blocks[-1].body.append((number, text))
        else:
            before.append((number, text))
    return before, blocks


HEADING2_LINES = re.compile(r"^##(?!#)[^\n]*", re.M)


def split_bank(text: str) -> tuple[list[tuple[int, str]], list[Block]]:
    """``split`` of a whole bank at its '## ' headings, without a Python
    step per line (banks hold thousands of lines). A bank with code fences
    takes the line-by-line way, which knows about fences."""
    if "```" in text or "~~~" in text:
        return split(list(enumerate(text.split("\n"), start=1)), HEADING2)
    matches = list(HEADING2_LINES.finditer(text))

    def numbered(segment: str, first: int) -> list[tuple[int, str]]:
        return list(zip(itertools.count(first), segment.split("\n")))

    if not matches:
        return numbered(text, 1), []
    before = numbered(text[:matches[0].start()], 1)[:-1]  # the heading's own line is not "before"
    blocks = []
    line = text.count("\n", 0, matches[0].start()) + 1
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text) + 1
        body = text[match.end() + 1:end]
        lines = numbered(body, line + 1) if match.end() < len(text) else []
        if i + 1 < len(matches):
            lines = lines[:-1]  # the empty piece after the last newline before the next heading
        blocks.append(Block(HEADING2.match(match.group(0)).group(1), line, lines))
        line += 1 + len(lines)
    return before, blocks
