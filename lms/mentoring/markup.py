"""Markdown a mentor or HR writes (check-in notes, a pairing's goals), shown
on the apprentice's pages: what it costs the renderer, and its HTML.

The markdown renderer looks for the matching ``]`` from every ``[`` and for
the next ``>`` from every ``<`` that could start a tag; unclosed ones make it scan to the end of
the text each time. Twenty thousand ``[`` took it minutes: one hostile
check-in note held an app process for every view of the apprentice's page.
``scan_cost`` adds those distances up in one pass; a text above
``SCAN_BUDGET`` is refused when written (``too_costly``) and, if one is
stored already (written before this rule, or by a file), shown as plain
text (``as_html``), never handed to the renderer."""
from __future__ import annotations

from markupsafe import Markup

from lms.content.rendering import plain_text_html, render_markdown

# About 0.2 s of the renderer's scanning on this machine; a note with a dozen
# links, or a few "<" in a comparison, costs a few thousand.
SCAN_BUDGET = 200_000


def scan_cost(text: str) -> int:
    """The characters the renderer would scan looking for closing ``]`` and ``>``."""
    n = len(text)
    cost = 0
    opened: list[int] = []
    for i, ch in enumerate(text):
        if ch == "[":
            opened.append(i)
        elif ch == "]" and opened:
            cost += i - opened.pop()
    cost += sum(n - i for i in opened)
    next_close = n
    for i in range(n - 1, -1, -1):
        ch = text[i]
        if ch == ">":
            next_close = i
        elif ch == "<" and i + 1 < n and (text[i + 1].isascii() and text[i + 1].isalpha() or text[i + 1] in "/!?"):
            cost += next_close - i  # what could start a tag: "<3%" costs nothing
    return cost


def too_costly(text: str | None) -> bool:
    return scan_cost(text or "") > SCAN_BUDGET


def as_html(text: str | None) -> Markup:
    """The text as sanitised markdown, or as escaped plain text when it is too costly to render."""
    text = text or ""
    if too_costly(text):
        return plain_text_html(text)
    return render_markdown(text)
