"""Markdown to safe HTML, for everything a trainer writes (lessons, stems,
options, explanations, rubrics).

The output is sanitised with nh3 (Ammonia) against an allow-list: no script or
style, no event handlers or ``style``/``hx-*`` attributes (only listed
attributes survive), and links only to http(s), mailto or relative URLs, so
``javascript:``, ``vbscript:`` and ``data:`` are dropped. Relative links to
images and attachments of a course folder are rewritten by ``resolve_link``.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import unquote

import markdown
import nh3
from flask import has_app_context
from flask_babel import force_locale, pgettext
from markdown.extensions.toc import slugify_unicode
from markupsafe import Markup, escape

from lms.content.nested_lists import nest_lists
from lms.content.source.links import course_link_resolver, heading_id
from lms.content.typed_markdown import as_meant
from lms.content.web_addresses import in_new_tab

# toc gives every heading an id (Chinese kept: "## 定期存款" → id="定期存款"),
# so that lessons can link to a heading (content/FORMAT.md).
# Lists end where CommonMark ends them (lms/content/commonmark_lists.py, in place of "sane_lists");
# a fenced code block inside a list item stays in it (lms/content/nested_lists.py); a bare web
# address is a link, and a link to a web page opens in a new tab (lms/content/web_addresses.py);
# ~~struck out~~ text is struck out, as in Typora and GitHub (lms/content/strikethrough.py).
EXTENSIONS = ["tables", "fenced_code", "footnotes", "admonition", "lms.content.commonmark_lists",
              "lms.content.nested_lists", "lms.content.web_addresses", "lms.content.strikethrough", "nl2br", "toc"]
# Footnote back-links are stored without Python-Markdown's English tooltip ("Jump
# back to footnote 1 in the text"); lms/content/footnotes.py titles them in the
# reader's language when the page is sent.
# A table column aligned in the source (`| ---: |`, amounts in a case's table of
# transactions) keeps its alignment as the `align` attribute: the sanitiser
# removes every `style`, and with it Python-Markdown's default text-align.
EXTENSION_CONFIGS = {"toc": {"slugify": slugify_unicode}, "footnotes": {"BACKLINK_TITLE": ""},
                     "tables": {"use_align_attribute": True}}
_ID = re.compile(r'\bid="([^"]+)"')
_EMPTY_BACKLINK_TITLE = re.compile(r'(<a class="footnote-backref" href="[^"]*") title=""')

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
    "span": {"lang"},  # the two languages of a call-out's default title
    **{f"h{level}": {"id"} for level in range(1, 7)},
}
# Classes the renderer itself produces (call-outs, footnotes, code languages).
ALLOWED_CLASSES = {
    "div": {"admonition", "risk", "case", "key", "note", "warning", "footnote", "toc"},
    "p": {"admonition-title"},
    "code": {f"language-{lang}" for lang in ("python", "sql", "text", "json", "yaml", "bash", "markdown")},
}
URL_SCHEMES = {"http", "https", "mailto"}

# The call-out types of content/FORMAT.md and their default titles (msgids of
# the catalogue: 风险提示 / 案例 / 要点 in Chinese).
CALLOUT_TYPES = ("risk", "case", "key")
CALLOUT_ZH = {"risk": "风险提示", "case": "案例", "key": "要点"}  # without an app (and its catalogue)
# "!!! case" without a title: marked before markdown, given its titles after.
_UNTITLED_CALLOUT = re.compile(r"^([ \t]*!!![ \t]+)([A-Za-z][\w-]*)[ \t]*$", re.M)
_CALLOUT_MARK = re.compile("\ue000([A-Za-z][\\w-]*)\ue001")


_local = threading.local()


def _markdown() -> markdown.Markdown:
    """One converter per thread, reset between documents: building one costs
    more than converting a short stem (publishing renders tens of thousands)."""
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS,
                                           output_format="html")
    return md.reset()


# A lone "*" typed as a multiplication sign: 收入*(1-利润率)*(1+增长率), 总额*100%.
# Python-Markdown made the text between two of them italic and dropped both signs.
# A "*" counts as one when a figure touches it: a digit, ")", "）" or "%" before it
# and a word or "(" after it (not a space, a "*" or punctuation), or a word, ")"
# or "%" before it and a digit, "(" or "（" after it. "这是*重点*" (emphasis inside
# Chinese text), "，*(注)*，" and "**粗体**" stay as they are.
_TIMES = re.compile(r"(?<=[\d)）%])(?<!\*)\*(?=[^*\s,.，。;；:：!！?？、)）\]】\"”'’])|(?<=[\w)）%])\*(?=[\d(（])")
_CODE_SPAN = re.compile(r"(`+).+?\1")


def _multiplication_signs(text: str) -> str:
    """Escape the asterisks of formulas (see _TIMES), never inside code."""
    if "*" not in text:
        return text
    out, in_fence = [], False
    for line in text.split("\n"):
        if line.lstrip(" ").startswith(("```", "~~~")):
            in_fence = not in_fence
        elif not in_fence and "*" in line:
            pieces, last = [], 0
            for code in _CODE_SPAN.finditer(line):
                pieces.append(_TIMES.sub(r"\\*", line[last:code.start()]))
                pieces.append(code.group(0))
                last = code.end()
            pieces.append(_TIMES.sub(r"\\*", line[last:]))
            line = "".join(pieces)
        out.append(line)
    return "\n".join(out)


_FULLWIDTH_INDENT = re.compile(r"^\u3000+", re.M)


def _fullwidth_indents(text: str) -> str:
    """Keep a paragraph's first-line indent written the Chinese way, with
    full-width spaces (U+3000, "　　正文…" as Word and WPS indent two characters):
    markdown strips leading white space, so the learner read the paragraph
    flush left. As character references they pass through to the page, where
    a browser shows U+3000 as it is (HTML collapses only ASCII white space).
    Never inside fenced code."""
    if "\u3000" not in text:
        return text
    out, in_fence = [], False
    for line in text.split("\n"):
        if line.lstrip(" ").startswith(("```", "~~~")):
            in_fence = not in_fence
        elif not in_fence and line.startswith("\u3000"):
            line = _FULLWIDTH_INDENT.sub(lambda m: "&#12288;" * len(m[0]), line)
        out.append(line)
    return "\n".join(out)


# Word's and WPS's line and paragraph breaks inside a pasted paragraph (Shift+Enter): U+2028,
# a vertical tab, U+2029. Markdown read them as spaces: the lines ran together.
_SOFT_BREAKS = str.maketrans({"\u2028": "\n", "\x0b": "\n", "\u2029": "\n\n"})
# A Word footnote pasted as text: "[1]" in the sentence, "[1] 《办法》第十三条。" at the end.
_WORD_NOTE = re.compile(r"^\[(\d{1,3})\][ \t\u3000]*(?=[^\s:(\[])", re.M)
_WORD_NOTE_MARK = r"(?<!^)(?<![\[!\]])\[%s\](?![(:\[])"
# An indented line that begins with Chinese text or numbering (①, （1）, 一、): a paragraph or a list
# that Word pastes with a tab in front, never code.
_INDENTED_CHINESE = re.compile(r"^(?:\t|    )[ \t]*(?=[\u2460-\u24ff\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef“‘])")
# Lines whose indented lines below belong to them: a list item, a call-out, a footnote.
_CONTAINER = re.compile(r"^[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+\S|!!!|\[\^[^\]]+\]:)")


def _pasted_from_word(text: str) -> str:
    """What Word and WPS paste, as the trainer meant it: soft line breaks are line
    breaks; footnotes written [1] … "[1] text" are footnotes; a paragraph or a line
    of Chinese numbering indented with a tab keeps a two-character indent instead
    of becoming a block of code. Never inside fenced code, nor under a markdown list
    item, a call-out or a footnote (whose indented lines are theirs)."""
    if "\u2028" in text or "\x0b" in text or "\u2029" in text:
        text = text.translate(_SOFT_BREAKS)
    if "[" in text and _WORD_NOTE.search(text):
        text = _word_footnotes(text)
    if "\t" not in text and "    " not in text:
        return text
    out, in_fence, in_container = [], False, False
    for line in text.split("\n"):
        if line.lstrip(" ").startswith(("```", "~~~")):
            in_fence = not in_fence
        elif not in_fence and line.strip():
            if _CONTAINER.match(line):
                in_container = True
            elif not line[0].isspace():
                in_container = False
            elif not in_container and _INDENTED_CHINESE.match(line):
                line = "\u3000\u3000" + line.lstrip(" \t")
        out.append(line)
    return "\n".join(out)


def word_footnotes(text: str) -> list[str]:
    """The numbers of the footnotes written as Word writes them: "[1]" in the text and a line "[1] …"."""
    if "[" not in text:
        return []
    return [number for number in dict.fromkeys(_WORD_NOTE.findall(text))
            if re.search(_WORD_NOTE_MARK % number, text, re.M)]  # a "[1]" line nothing refers to is text


def _word_footnotes(text: str) -> str:
    """Word's footnotes as markdown's: "[^1]" in the text and "[^1]: …"."""
    for number in word_footnotes(text):
        mark = re.compile(_WORD_NOTE_MARK % number, re.M)
        text = mark.sub(f"[^{number}]", text)
        text = re.sub(r"^\[%s\][ \t\u3000]*" % number, f"[^{number}]: ", text, count=1, flags=re.M)
    return text


def heading_ids(text: str) -> list[str]:
    """The ids the headings of a lesson get, in order (what #anchors may name)."""
    md = _markdown()
    md.convert(nest_lists(as_meant(text or "")))
    ids: list[str] = []

    def collect(tokens):
        for token in tokens:
            ids.append(token["id"])
            collect(token["children"])

    collect(md.toc_tokens)
    return ids


def callout_titles() -> dict[str, str]:
    return {"risk": pgettext("call-out", "Risk warning"), "case": pgettext("call-out", "Case"),
            "key": pgettext("call-out", "Key points")}


def _callout_title(kind: str) -> str:
    """An untitled call-out's title in Chinese and English, both from the
    catalogue; the page shows the reader's language (static/css/app.css)."""
    if kind not in CALLOUT_ZH:
        return str(escape(kind.capitalize()))
    if has_app_context():
        with force_locale("zh_CN"):
            zh = callout_titles()[kind]
        with force_locale("en"):
            en = callout_titles()[kind]
    else:
        zh, en = CALLOUT_ZH[kind], kind.capitalize()
    return f'<span lang="zh-CN">{escape(zh)}</span><span lang="en">{escape(en)}</span>'


def _is_relative(url: str) -> bool:
    return not (":" in url.split("/", 1)[0] or url.startswith(("/", "#", "//")))


# Lists and quotes opened on one line ("- - - x", "1. 1. x", ">>>x"): Python-Markdown
# recurses once per level, and some 500 levels (1,000 characters of "- ") exhaust
# Python's stack: the page showing such a check-in note answered 500 on every view.
# People nest a handful; a text past this is shown as plain text.
MAX_NESTING = 50
_OPENER = re.compile(r"[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$))")


def _too_deeply_nested(text: str) -> bool:
    for line in text.splitlines():
        pos = depth = 0
        while (found := _OPENER.match(line, pos)) is not None:
            depth += 1
            if depth > MAX_NESTING:
                return True
            pos = found.end()
    return False


def plain_text_html(text: str) -> Markup:
    """A text as escaped plain text, its lines kept: for one the renderer should not be given."""
    return Markup('<p class="plain">') + Markup("<br>").join(escape(line) for line in text.splitlines()) \
        + Markup("</p>")


# A task list as Typora, Obsidian and GitHub write it (- [ ] 完成测验, - [x] 读完本课): a box,
# not "[ ]" as typed. Bank options are read before a stem is rendered, so this is never an option.
_TASK_ITEM = re.compile(r"(<li>(?:\s*<p>)?)\[([ xX])\][ \t]")


def render_markdown(text: str, resolve_link: Callable[[str], str | None] | None = None) -> Markup:
    """Render trainer markdown to sanitised HTML.

    ``resolve_link(relative_path)`` turns a link relative to the course folder
    into a URL (or None to drop it); without it relative links are kept as they
    are. A text nested deeper than ``MAX_NESTING`` (or deep enough by
    indentation to exhaust the renderer's recursion) is shown as plain text."""
    original = text or ""
    if _too_deeply_nested(original):
        return plain_text_html(original)
    text = nest_lists(_multiplication_signs(_fullwidth_indents(_pasted_from_word(as_meant(original)))))
    if "!!!" in text:
        text = _UNTITLED_CALLOUT.sub(lambda m: f'{m[1]}{m[2]} "\ue000{m[2].lower()}\ue001"', text)
    try:
        html = _markdown().convert(text)
    except RecursionError:
        return plain_text_html(original)
    if 'class="footnote-backref"' in html:
        html = _EMPTY_BACKLINK_TITLE.sub(r"\1", html)
    if "\ue000" in html:
        html = _CALLOUT_MARK.sub(lambda m: _callout_title(m[1]), html)
    if "<li>" in html and "]" in html:
        html = _TASK_ITEM.sub(lambda m: m[1] + ("☐ " if m[2] == " " else "☑ "), html)
    # A heading named as it is written (#【二】可疑交易报告) goes to its id (#二可疑交易报告), as in Typora.
    ids = set(_ID.findall(html)) if 'href="#' in html else set()

    def attribute_filter(tag: str, attr: str, value: str):
        if attr in ("href", "src"):
            stripped = value.strip()
            if resolve_link and _is_relative(stripped):
                return resolve_link(stripped)
            if ids and stripped.startswith("#") and unquote(stripped[1:]) not in ids \
                    and heading_id(stripped[1:]) in ids:
                return "#" + heading_id(stripped[1:])
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
    return Markup(in_new_tab(clean))


def render_inline(text: str, course_slug: str | None = None) -> Markup:
    """A short piece (an option, a blank's label) without the wrapping <p>;
    with ``course_slug`` its relative links (``![甲](../images/x.png)``) become
    the course's URLs, as publishing makes a lesson's (``course_link_resolver``).

    Rendered once per text and course in a process: the exam page, the result
    and the 错题本 show each option of a published question version (which
    never changes) on every view, and converting and sanitising them was most
    of the exam page's CPU (28 options: ~20 of 37 ms). The rendering is a
    function of the text and the course alone (a call-out's titles carry both
    languages), so what is kept is exactly what would be rendered again,
    sanitised the same."""
    if not has_app_context():  # call-out titles come from the catalogue only with an app
        return inline_html(text, course_link_resolver(course_slug) if course_slug else None)
    return _inline_kept(text, course_slug)


def inline_html(text: str, resolve_link: Callable[[str], str | None] | None = None) -> Markup:
    """``render_markdown`` of a short piece, without the wrapping <p>."""
    html = str(render_markdown(text, resolve_link)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


@lru_cache(maxsize=8192)
def _inline_kept(text: str, course_slug: str | None) -> Markup:
    return inline_html(text, course_link_resolver(course_slug) if course_slug else None)
