"""Relative links in trainer markdown: which file of the course folder or
which lesson (and heading) they point at, which are broken, and the URL they
are served under (``/assets/<course-slug>/<path>`` for images and documents,
``/courses/<course-slug>/lessons/<lesson-id>#heading`` for lessons)."""
from __future__ import annotations

import difflib
import posixpath
import re
from urllib.parse import quote, unquote

from flask_babel import gettext as _
from markdown.extensions.toc import slugify_unicode

from lms.content.source.files import DOCUMENT_SUFFIXES, IMAGE_SUFFIXES, is_asset_name
from lms.content.schema import Problem, Source

# Markdown links and images: [text](target "title"), ![alt](target) and
# ![alt](<target>). The target may hold spaces (``images/资金 回流.png``), as
# the renderer (Python-Markdown) accepts them: such a link is checked and its
# image published like any other, never silently left out.
LINK_RE = re.compile(r"!?\[[^\]]*\]\(\s*(?:<([^>\n]+)>|([^)\s\"'<][^)\"']*?))(?:\s+[\"'][^\"']*[\"'])?\s*\)")


def heading_id(fragment: str) -> str:
    """The id of the heading a #fragment names: its id (``二可疑交易报告``), or the heading as it is written
    (``【二】可疑交易报告``, ``KYC 要点``), as Typora follows it: the id is made from the text the same way."""
    return slugify_unicode(unquote(fragment), "-")


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


# Raw HTML a trainer may write: <img src="…"> and <a href="…">.
HTML_LINK_RE = re.compile(r"""<(?:img|a)\b[^>]*?\b(?:src|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def _outside_fences(markdown_text: str):
    """(line offset from 0, line) of every line outside fenced code."""
    in_fence = False
    for number, line in enumerate(markdown_text.split("\n")):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        elif not in_fence:
            yield number, line


def all_links(markdown_text: str):
    """(target, line offset from 0, column from 1) for every markdown link or
    image and every raw <img src>/<a href>, outside fenced code."""
    if "](" not in markdown_text and "<" not in markdown_text:
        return
    for number, line in _outside_fences(markdown_text):
        if "](" in line:
            for match in LINK_RE.finditer(line):
                group = 1 if match.group(1) is not None else 2
                yield match.group(group).strip(), number, match.start(group) + 1
        if "<" in line:
            for match in HTML_LINK_RE.finditer(line):
                group = next(g for g in (1, 2, 3) if match.group(g) is not None)
                yield match.group(group).strip(), number, match.start(group) + 1


def referenced_files(markdown_text: str) -> set[str]:
    """Paths inside the course folder that the text links to or shows."""
    found = set()
    for target, _offset, _column in all_links(markdown_text):
        if is_relative_link(target):
            path = course_path_of_link(target)
            if path:
                found.add(path)
    return found


class LinkTargets:
    """What links in one course folder may point at: its files (paths inside
    the folder), and its lessons (path → lesson id and markdown body) with the
    ids of their headings."""

    def __init__(self, folder: str, files: set[str], lessons: dict[str, tuple[str, str]]):
        self.prefix = folder.rstrip("/") + "/"  # the course folder, relative to the content root
        self.files = files
        self.lessons = lessons
        self._anchors: dict[str, set[str]] = {}

    def __contains__(self, path: str) -> bool:
        return path in self.files

    def lesson_of(self, path: str) -> str | None:
        """The lesson file a link means: ``lessons/02-x.md`` (or, from a lesson, ``02-x.md``)."""
        if path in self.lessons:
            return path
        if "/" not in path and f"lessons/{path}" in self.lessons:
            return f"lessons/{path}"
        return None

    def anchors(self, lesson_path: str) -> set[str]:
        if lesson_path not in self._anchors:
            from lms.content.rendering import heading_ids

            self._anchors[lesson_path] = set(heading_ids(self.lessons[lesson_path][1]))
        return self._anchors[lesson_path]

    def inside(self, path: str) -> str | None:
        """A content-root path as a path inside this course folder."""
        return path[len(self.prefix):] if path.startswith(self.prefix) else None


def _problem(problems, path, line, column, message):
    problems.append(Problem(Source(path, line, column), message))


# Colour a trainer types for a risk disclosure: <span style="color:red">, <font color="red">.
COLOURED = re.compile(r"<(?:font\b[^>]*\bcolou?r\s*=|[a-z][a-z0-9]*\b[^>]*\bstyle\s*=\s*[\"'][^\"']*colou?r)", re.I)


def check_colour(markdown_text: str, path: str, first_line: int, problems: list[Problem]) -> None:
    """Coloured text is published plain (styles are removed with the rest of
    the HTML a page must not take from a file): say so, and what to write."""
    if "<" not in markdown_text:
        return
    for offset, line in enumerate(markdown_text.split("\n")):
        match = COLOURED.search(line)
        if match:
            _problem(problems, path, first_line + offset, match.start() + 1, _(
                "coloured text (style=\"color:…\", <font color>) is shown plain: colours are removed when "
                "published. For a risk disclosure write a call-out (!!! risk \"风险提示\" and the text indented "
                "four spaces), for emphasis **bold**"))


_SAVE_AS_PNG = (".bmp", ".tif", ".tiff", ".heic", ".emf", ".wmf")
_OWN_COMPUTER = re.compile(r"^(?:file:|[a-z]:[\\/]|\\\\)", re.I)


def _on_own_computer(target: str) -> bool:
    """``file:///C:/…``, ``C:\\Users\\…``, ``D:/资料/…``, ``\\\\server\\share``: a path on the trainer's PC."""
    return bool(_OWN_COMPUTER.match(target))


def _file_name(target: str) -> str:
    return unquote(re.split(r"[\\/]", target.split("#", 1)[0].rstrip("/\\"))[-1])


def check_links(markdown_text: str, path: str, first_line: int, course_files: set[str] | LinkTargets | None,
                problems: list[Problem]) -> None:
    """Report links and images that point at no file of the course folder, at
    a missing lesson or heading, at a file that is never published, or that
    are absolute paths (content/FORMAT.md, "Links and images"); and coloured
    text, which is published plain."""
    check_colour(markdown_text, path, first_line, problems)
    if course_files is None:
        return
    targets = course_files if isinstance(course_files, LinkTargets) else None
    for target, offset, column in all_links(markdown_text):
        line = first_line + offset
        if _on_own_computer(target):
            _problem(problems, path, line, column, _(
                "link '%(target)s' points at a file on your own computer, which learners cannot open: copy the "
                "file into the course folder (images/ or attachments/) and write the path from there, as "
                "images/%(name)s", target=target, name=_file_name(target)))
            continue
        if "\\" in target and is_relative_link(target.replace("\\", "/")):
            _problem(problems, path, line, column, _(
                "link '%(target)s' is written with Windows backslashes (\\): write it with forward slashes, "
                "%(fixed)s", target=target, fixed=target.replace("\\", "/")))
            continue
        if target.startswith("/") and not target.startswith("//"):
            _problem(problems, path, line, column, _(
                "link '%(target)s' is an absolute path: write it relative to the course folder "
                "(images/x.png, lessons/02-x.md)", target=target))
            continue
        if target.startswith("#"):
            own = targets.inside(path) if targets else None
            if own in (targets.lessons if targets else {}) and heading_id(target[1:]) not in targets.anchors(own):
                _problem(problems, path, line, column, _(
                    "link '%(target)s': this lesson has no heading with that id", target=target))
            continue
        if not is_relative_link(target) or not target.split("#", 1)[0]:
            continue
        resolved = course_path_of_link(target)
        if resolved is None:
            _problem(problems, path, line, column, _("link '%(target)s' leaves the course folder", target=target))
            continue
        lesson = targets.lesson_of(resolved) if targets else None
        if lesson is not None:
            anchor = unquote(target.split("#", 1)[1]) if "#" in target else ""
            lesson_id = targets.lessons[lesson][0]
            if "/questions/" in path and lesson_id != lesson_id_from_file_name(lesson):
                # A question's options and case parts are rendered when shown, knowing the course, not its files.
                _problem(problems, path, line, column, _(
                    "link '%(target)s': a question links to a lesson by its file name, and lesson %(lesson)s has "
                    "the id '%(id)s': name the file NN-%(id)s.md (and the link with it)",
                    target=target, lesson=lesson, id=lesson_id))
            elif anchor and heading_id(anchor) not in targets.anchors(lesson):
                _problem(problems, path, line, column, _(
                    "link '%(target)s': lesson %(lesson)s has no heading with the id '%(anchor)s'",
                    target=target, lesson=lesson, anchor=anchor))
        elif targets is not None and resolved.endswith(".md"):
            meant = _lesson_meant(target, resolved, targets.lessons)
            if meant:
                _problem(problems, path, line, column, _(
                    "link '%(target)s': no lesson %(path)s in the course folder; did you mean '%(meant)s'?",
                    target=target, path=resolved, meant=meant))
            else:
                _problem(problems, path, line, column, _(
                    "link '%(target)s': no lesson %(path)s in the course folder (link to lessons as "
                    "lessons/NN-name.md)", target=target, path=resolved))
        elif resolved not in course_files:
            _problem(problems, path, line, column, _(
                "broken link: '%(target)s' (no file %(path)s in the course folder)", target=target, path=resolved))
        elif targets is not None and resolved.lower().endswith(_SAVE_AS_PNG):
            _problem(problems, path, line, column, _(
                "image '%(target)s' is a %(kind)s file: only PNG, JPG, GIF and WebP images are published. Open it in "
                "Paint (画图) or WPS, save it as PNG or JPG (另存为) and link that file", target=target,
                kind=resolved.rsplit(".", 1)[-1].upper()))
        elif targets is not None and not is_asset_name(resolved):
            _problem(problems, path, line, column, _(
                "link '%(target)s': only images (%(images)s) and documents (%(documents)s) are published, "
                "so this file cannot be linked", target=target, images=", ".join(IMAGE_SUFFIXES),
                documents=", ".join(DOCUMENT_SUFFIXES)))


def _lesson_meant(target: str, resolved: str, lessons) -> str | None:
    """The link as it was meant when its file name is a lesson's but for a
    typo (``02-agreemnt.md`` for ``02-agreement.md``), written as the trainer
    wrote it (with or without ``lessons/``, keeping the #fragment)."""
    names = {posixpath.basename(p) for p in lessons}
    close = difflib.get_close_matches(posixpath.basename(resolved), sorted(names), n=1, cutoff=0.8)
    if not close:
        return None
    file, hash_, fragment = target.partition("#")
    return posixpath.join(posixpath.dirname(file), close[0]) + hash_ + fragment


CALLOUT_RE = re.compile(r"^\s*!!!(?:\s+([^\s\"']+))?")


def check_callouts(markdown_text: str, path: str, first_line: int, problems: list[Problem]) -> None:
    """Call-outs (``!!! risk``) of an unknown type are problems."""
    from lms.content.rendering import CALLOUT_TYPES

    if "!!!" not in markdown_text:
        return
    for number, line in _outside_fences(markdown_text):
        match = CALLOUT_RE.match(line)
        if match and (match[1] or "").lower() not in CALLOUT_TYPES:
            _problem(problems, path, first_line + number, line.index("!!!") + 1, _(
                "unknown call-out type '%(value)s' (expected one of: %(choices)s)", value=match[1] or "",
                choices=", ".join(CALLOUT_TYPES)))


def lesson_id_from_file_name(name: str) -> str:
    """A lesson's id when its front matter gives none: its file name without the number (01-deposits.md: deposits)."""
    return re.sub(r"^\d+[-_ ]*", "", posixpath.splitext(posixpath.basename(name))[0])


def _lesson_file(path: str) -> bool:
    return path.startswith("lessons/") and path.endswith(".md") and path.count("/") == 1


def lesson_url(course_slug: str, lesson_id: str) -> str:
    return f"/courses/{quote(course_slug)}/lessons/{quote(lesson_id)}"


def asset_url(course_slug: str, path: str) -> str:
    return f"/assets/{quote(course_slug)}/{quote(path)}"


def course_link_resolver(course_slug: str, lessons: dict[str, str] | None = None):
    """For ``render_markdown``: a relative link becomes the asset's URL, or
    a link to a lesson file that lesson's page (keeping its #fragment); a link
    that leaves the course folder is dropped. ``lessons`` (lesson file path in
    the course folder → lesson id) when the folder is read (publishing, the
    editor); without it (a question's options, case parts and rubric, rendered
    when shown) a lesson file's id is its file name's, which the check makes
    sure of for a question's links (``check_links``)."""
    known = lessons or {}

    def resolve(url: str) -> str | None:
        path = course_path_of_link(url)
        if path is None:
            return None
        fragment = "#" + url.split("#", 1)[1] if "#" in url else ""
        lesson = known.get(path) or (known.get(f"lessons/{path}") if "/" not in path else None)
        if lesson is None and lessons is None and _lesson_file(path):
            lesson = lesson_id_from_file_name(path)
        if lesson is not None:
            return lesson_url(course_slug, lesson) + ("#" + heading_id(fragment[1:]) if fragment else "")
        return asset_url(course_slug, path) + fragment

    return resolve
