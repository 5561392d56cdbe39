"""Relative links in trainer markdown: which file of the course folder they
point at, which are broken, and the URL they are served under
(``/assets/<course-slug>/<path>``)."""
from __future__ import annotations

import posixpath
import re
from urllib.parse import quote, unquote

from flask_babel import gettext as _

from lms.content.schema import Problem, Source

# Markdown links and images: [text](target "title") and ![alt](target).
LINK_RE = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")


def is_relative_link(url: str) -> bool:
    return not (":" in url.split("/", 1)[0] or url.startswith(("/", "#", "//")))


def course_path_of_link(url: str) -> str | None:
    """The path inside the course folder a relative link points at, or None
    when it leaves the folder. Links are relative to the course folder;
    ``../x`` (relative to lessons/ or questions/) means the same."""
    target = unquote(url.split("#", 1)[0].split("?", 1)[0])
    if not target:
        return None
    base = "lessons" if target.startswith("../") else ""
    resolved = posixpath.normpath(posixpath.join(base, target))
    if resolved.startswith(("..", "/")) or resolved == ".":
        return None
    return resolved


def relative_links(markdown_text: str):
    """(target, line offset from 0, column from 1) for every relative link or image."""
    if "](" not in markdown_text:
        return
    in_fence = False
    for number, line in enumerate(markdown_text.split("\n")):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence or "](" not in line:
            continue
        for match in LINK_RE.finditer(line):
            target = match.group(1)
            if is_relative_link(target) and target.split("#", 1)[0]:
                yield target, number, match.start(1) + 1


def check_links(markdown_text: str, path: str, first_line: int, course_files: set[str] | None,
                problems: list[Problem]) -> None:
    """Report links and images that point at no file of the course folder."""
    if course_files is None:
        return
    for target, offset, column in relative_links(markdown_text):
        resolved = course_path_of_link(target)
        if resolved is None:
            problems.append(Problem(Source(path, first_line + offset, column),
                                    _("link '%(target)s' leaves the course folder", target=target)))
        elif resolved not in course_files:
            problems.append(Problem(Source(path, first_line + offset, column),
                                    _("broken link: '%(target)s' (no file %(path)s in the course folder)",
                                      target=target, path=resolved)))



def asset_url(course_slug: str, path: str) -> str:
    return f"/assets/{quote(course_slug)}/{quote(path)}"


def course_link_resolver(course_slug: str):
    """For ``render_markdown``: a relative link becomes the asset's URL (keeping
    its #fragment); a link that leaves the course folder is dropped."""

    def resolve(url: str) -> str | None:
        path = course_path_of_link(url)
        if path is None:
            return None
        fragment = "#" + url.split("#", 1)[1] if "#" in url else ""
        return asset_url(course_slug, path) + fragment

    return resolve
