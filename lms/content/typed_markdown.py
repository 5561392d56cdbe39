"""Markdown as trainers type it, read as they meant it (before Python-Markdown
sees it; fenced code is never touched, no text is removed):

- a list item typed with a Chinese input method's full-width space after its
  marker (``-　身份证``, ``1.　受理``) is a list item, not a line of text with
  the dash showing;
- a table right under a line of text (``费率如下：`` then ``| 产品 | 费率 |``)
  is a table (GitHub reads it so), not the pipes as text;
- a line of text right under a table, with no ``|`` in it, is the paragraph
  after the table, not a row of it with empty cells;
- a backslash at the end of a line (CommonMark's hard line break, as Typora
  writes Shift+Enter) is the line break every line break is (``nl2br``), the
  backslash not shown;

the two table rules hold inside a block quote (``> | 项目 | 费率 |``) and a
call-out's body (``!!! key`` and its lines indented four spaces) as well.
"""
from __future__ import annotations

import re

_FULLWIDTH_AFTER_MARKER = re.compile(r"^( *(?:[-*+]|\d{1,9}\.))\u3000+(?=\S)")
# A table's delimiter row: | --- | :---: | (the outer pipes optional, at least one inner one or both outer).
_DELIMITER_ROW = re.compile(r"^ {0,3}\|?(?: *:?-+:? *\|)+ *(?::?-+:? *)?$")
_FENCE = ("```", "~~~")


# A backslash at the end of a line, CommonMark's (and Typora's) hard line break; not "\\\\" (a
# backslash written as one) nor in a line of indented code.
_HARD_BREAK = re.compile(r"^(?! {4}|\t).*(?<!\\)\\$")
_QUOTE = re.compile(r"^(?: {0,3}>[ ]?)+")
_CALLOUT = re.compile(r"^ {0,3}!!![ \t]")


def _is_row(line: str) -> bool:
    return "|" in line and bool(line.strip())


def containers(lines: list[str]) -> list[tuple[str, str]]:
    """Each line as (its container, its text inside it): ">" (">>"…) for a block quote, "!!!" for a
    call-out's body (the four spaces taken off), "" for a line at the top. Fenced code is not told apart."""
    found: list[tuple[str, str]] = []
    in_callout = False
    for line in lines:
        if in_callout and line.strip() and not line.startswith("    "):
            in_callout = False
        if in_callout:
            found.append(("!!!", line[4:]))
            continue
        in_callout = bool(_CALLOUT.match(line))
        quote = _QUOTE.match(line)
        found.append((quote[0].replace(" ", ""), line[quote.end():]) if quote else ("", line))
    return found


def as_meant(text: str) -> str:
    if "\u3000" not in text and "|" not in text and "\\\n" not in text:
        return text
    lines = text.split("\n")
    inside = containers(lines)
    out: list[str] = []
    in_fence = False
    in_table = False
    for i, line in enumerate(lines):
        if line.lstrip(" ").startswith(_FENCE):
            in_fence = not in_fence
            in_table = False
            out.append(line)
            continue
        if in_fence:
            out.append(line)
            continue
        if "\u3000" in line:
            line = _FULLWIDTH_AFTER_MARKER.sub(r"\1 ", line)
        if line.endswith("\\") and _HARD_BREAK.search(line) and i + 1 < len(lines) and lines[i + 1].strip():
            line = line[:-1]  # every line break is one (nl2br): the backslash would be shown
        box, body = inside[i]
        # The line before and the line after, when they are in the same block quote or call-out.
        before = inside[i - 1][1] if i and inside[i - 1][0] == box else ""
        following = inside[i + 1][1] if i + 1 < len(lines) and inside[i + 1][0] == box else ""
        blank = "" if box == "!!!" else box  # an empty line of the same container
        starts_table = _is_row(body) and not in_table and "-" in following and _DELIMITER_ROW.match(following)
        if starts_table and before.strip() and not _is_row(before):
            out.append(blank)  # the table under a line of text
        elif in_table and body.strip() and "|" not in body:
            out.append(blank)  # the text under a table
        in_table = bool(starts_table) or (in_table and _is_row(body))
        out.append(line)
    return "\n".join(out)
