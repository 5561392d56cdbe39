"""Links written relative to the lesson or bank file itself, as Typora writes them.

The format reads a link relative to the course folder (content/FORMAT.md, "Links and
images"). Typora, set to copy a pasted image next to the document (its
``./${filename}.assets`` or ``./assets`` choice), writes the path from the lesson's own
folder: ``![](01-外汇管理.assets/image-2026….png)`` in ``lessons/01-外汇管理.md`` is the
file ``lessons/01-外汇管理.assets/image-2026….png``. Such a link, which names no file of
the course folder but does name one from the file's folder, is read as that file (the
check, the assets published and the page all follow). A link that names a file of the
course folder is never changed, so what the format documents keeps its meaning.
Lines are never added or removed, so every line number stays the file's own."""
from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote

from lms.content.source.links import HTML_LINK_RE, LINK_RE, course_path_of_link, is_relative_link


def _from_file(target: str, folder: str, files: set[str]) -> str | None:
    """The course-folder path of ``target`` read from ``folder`` (lessons, questions), when only that
    reading names a file of the course."""
    if not is_relative_link(target) or "\\" in target:
        return None
    path, rest = re.match(r"([^#?]*)(.*)", target, re.S).groups()
    if not path or path.lower().endswith(".md") or course_path_of_link(target) in files:
        return None  # a lesson named from a lesson (02-x.md) is the format's own link (LinkTargets.lesson_of)
    joined = posixpath.normpath(posixpath.join(folder, path))
    if joined.startswith(("..", "/")) or unquote(joined) not in files:
        return None
    return joined + rest


def course_relative(text: str, folder: str, files: set[str]) -> str:
    """``text`` (a lesson's or a bank's, in the course folder's ``folder``) with each link that names a
    file only from its own folder written from the course folder."""
    if not files or ("](" not in text and "<" not in text):
        return text

    def replace(match: re.Match) -> str:
        group = next(g for g in range(1, (match.re.groups or 0) + 1) if match.group(g) is not None)
        meant = _from_file(match.group(group).strip(), folder, files)
        if meant is None:
            return match.group(0)
        start, end = match.start(group) - match.start(0), match.end(group) - match.start(0)
        return match.group(0)[:start] + meant + match.group(0)[end:]

    lines = text.split("\n")
    in_fence = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if "](" in line:
            line = LINK_RE.sub(replace, line)
        if "<" in line:
            line = HTML_LINK_RE.sub(replace, line)
        lines[i] = line
    return "\n".join(lines)
