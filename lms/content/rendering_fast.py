"""Rendering at publish, fast enough for a curriculum of tens of thousands of
questions: most stems and explanations are plain sentences, for which
markdown's output is known in advance (``<p>…</p>``, line breaks as ``<br>``).
Anything with a character markdown could read as markup goes through
``render_markdown``; tests/content/test_publish_render.py checks that both
paths give the same HTML."""
from __future__ import annotations

import re
from collections.abc import Callable

from lms.content.rendering import render_markdown

# Characters that can start markup, entities or links; and line shapes that
# can (indentation, trailing spaces, blank lines).
_MARKUP = re.compile(r"[\\`*_{}\[\]()<>#+\-.!|~&:=\t\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00a0\u2028\u2029]"
                     r"|^\s|\s$|\n\s|\s\n")


def is_plain(text: str) -> bool:
    return bool(text) and _MARKUP.search(text) is None


def render(text: str, resolve_link: Callable[[str], str | None] | None = None) -> str:
    """The same HTML as ``render_markdown(text, resolve_link)``."""
    if not text:
        return ""
    if is_plain(text):
        return "<p>" + text.replace("\n", "<br>\n") + "</p>"
    return str(render_markdown(text, resolve_link))
