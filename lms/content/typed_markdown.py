"""Markdown as trainers type it, read as they meant it (before Python-Markdown
sees it; fenced code is never touched, no text is removed):

- a list item typed with a Chinese input method's full-width space after its
  marker (``-　身份证``, ``1.　受理``) is a list item, not a line of text with
  the dash showing;
- a table right under a line of text (``费率如下：`` then ``| 产品 | 费率 |``)
  is a table (GitHub reads it so), not the pipes as text;
- a line of text right under a table, with no ``|`` in it, is the paragraph
  after the table, not a row of it with empty cells.
"""
from __future__ import annotations

import re

_FULLWIDTH_AFTER_MARKER = re.compile(r"^( *(?:[-*+]|\d{1,9}\.))\u3000+(?=\S)")
# A table's delimiter row: | --- | :---: | (the outer pipes optional, at least one inner one or both outer).
_DELIMITER_ROW = re.compile(r"^ {0,3}\|?(?: *:?-+:? *\|)+ *(?::?-+:? *)?$")
_FENCE = ("```", "~~~")


def _is_row(line: str) -> bool:
    return "|" in line and bool(line.strip())


def _quoted(line: str) -> bool:
    return line.lstrip(" ").startswith(">")


def as_meant(text: str) -> str:
    if "\u3000" not in text and "|" not in text:
        return text
    lines = text.split("\n")
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
        following = lines[i + 1] if i + 1 < len(lines) else ""
        starts_table = _is_row(line) and not in_table and "-" in following and _DELIMITER_ROW.match(following)
        if starts_table and out and out[-1].strip() and not _is_row(out[-1]) and not _quoted(out[-1]):
            out.append("")  # the table under a line of text
        elif in_table and line.strip() and "|" not in line and not _quoted(line):
            out.append("")  # the text under a table
        in_table = bool(starts_table) or (in_table and _is_row(line))
        out.append(line)
    return "\n".join(out)
