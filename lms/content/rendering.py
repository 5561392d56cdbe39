"""Markdown to safe HTML, for everything a trainer writes (lessons, stems,
options, explanations, rubrics).

The output is sanitised with nh3 (Ammonia) against an allow-list: no script or
style, no event handlers or ``style``/``hx-*`` attributes (only listed
attributes survive), and links only to http(s), mailto or relative URLs, so
``javascript:``, ``vbscript:`` and ``data:`` are dropped. Relative links to
images and attachments of a course folder are rewritten by ``resolve_link``.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

import markdown
import nh3
from markupsafe import Markup

EXTENSIONS = ["tables", "fenced_code", "footnotes", "admonition", "sane_lists", "nl2br"]

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "s",
    "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan"},
    "ol": {"start"},
    "li": {"id"},
    "sup": {"id"},
}
# Classes the renderer itself produces (call-outs, footnotes, code languages).
ALLOWED_CLASSES = {
    "div": {"admonition", "risk", "case", "key", "note", "warning", "footnote"},
    "p": {"admonition-title"},
    "code": {f"language-{lang}" for lang in ("python", "sql", "text", "json", "yaml", "bash", "markdown")},
}
URL_SCHEMES = {"http", "https", "mailto"}

# The call-out types of content/FORMAT.md and their default titles.
CALLOUT_TITLES = {"risk": "风险提示", "case": "案例", "key": "要点"}


_local = threading.local()


def _markdown() -> markdown.Markdown:
    """One converter per thread, reset between documents: building one costs
    more than converting a short stem (publishing renders tens of thousands)."""
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
    return md.reset()


def _is_relative(url: str) -> bool:
    return not (":" in url.split("/", 1)[0] or url.startswith(("/", "#", "//")))


def render_markdown(text: str, resolve_link: Callable[[str], str | None] | None = None) -> Markup:
    """Render trainer markdown to sanitised HTML.

    ``resolve_link(relative_path)`` turns a link relative to the course folder
    into a URL (or None to drop it); without it relative links are kept as they
    are."""
    html = _markdown().convert(text or "")

    def attribute_filter(tag: str, attr: str, value: str):
        if attr in ("href", "src"):
            stripped = value.strip()
            if resolve_link and _is_relative(stripped):
                return resolve_link(stripped)
        return value

    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template", "noscript"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=attribute_filter,
        url_schemes=URL_SCHEMES,
        allowed_classes=ALLOWED_CLASSES,
        link_rel="noopener noreferrer",
    )
    return Markup(clean)


def render_inline(text: str) -> Markup:
    """A short piece (an option, a blank's label) without the wrapping <p>."""
    html = str(render_markdown(text)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)
