"""Where a list ends, as CommonMark (and GitHub, Typora, Obsidian) reads it.

Python-Markdown (with ``sane_lists``) runs a list on for as long as its block
goes: a bullet list followed on the next line by a numbered one (``- a`` then
``1. b``) took the numbered lines for text of the last bullet, and a change of
bullet (``-`` to ``*`` or ``+``) kept the list going, at the top and in a
nested list alike. CommonMark starts a new list wherever the kind of marker
changes: another bullet character, or bullets to numbers and back. These
processors do the same: a list stops at the first line, at its own level, whose
marker is of another kind, and a list never continues one written with another
bullet (after a blank line either).
"""
from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from markdown import Extension, Markdown
from markdown.blockparser import BlockParser
from markdown.extensions.sane_lists import SaneOListProcessor, SaneUListProcessor

# An item of a list at a block's own level (0-3 spaces): its marker.
_ITEM = re.compile(r"^ {0,3}([-*+]|\d{1,9}\.)[ ]+\S")
_MARKER = re.compile(r" {0,3}([-*+]|\d{1,9}\.)")


def _kind(marker: str) -> str:
    """"-", "*" or "+" for a bullet, "." for a number."""
    return marker if marker in "-*+" else "."


def split_at_other_marker(block: str) -> tuple[str, str]:
    """The lines of ``block`` that belong to the list its first line starts,
    and the rest: from the first line at the list's level whose marker is of
    another kind."""
    lines = block.split("\n")
    first = _MARKER.match(lines[0])
    if first is None:
        return block, ""
    kind = _kind(first[1])
    for number, line in enumerate(lines[1:], start=1):
        item = _ITEM.match(line)
        if item is None or _kind(item[1]) == kind:
            continue
        if kind != "." and _kind(item[1]) == "." and int(item[1][:-1]) != 1:
            # A number other than 1 cannot interrupt the item's paragraph: it is a line of its text.
            continue
        return "\n".join(lines[:number]), "\n".join(lines[number:])
    return block, ""


class _Markers:
    """The marker kind of each list made in the document being converted."""

    def __init__(self) -> None:
        self.of: dict[Element, str] = {}


class _ListMixin:
    TAG: str
    SIBLING_TAGS: list[str]
    parser: BlockParser

    def __init__(self, parser: BlockParser, markers: _Markers) -> None:
        super().__init__(parser)  # type: ignore[call-arg]
        self.markers = markers

    def run(self, parent: Element, blocks: list[str]) -> None:
        mine, rest = split_at_other_marker(blocks.pop(0))
        if rest:
            blocks.insert(0, rest)
        blocks.insert(0, mine)
        marker = _MARKER.match(mine)
        kind = _kind(marker[1]) if marker else "."
        sibling = self.lastChild(parent)  # type: ignore[attr-defined]
        own_tags = self.SIBLING_TAGS
        if sibling is not None and sibling.tag == self.TAG and self.markers.of.get(sibling, kind) != kind:
            self.SIBLING_TAGS = []  # a list of another bullet above: this one is new, not its continuation
        try:
            super().run(parent, blocks)  # type: ignore[misc]
        finally:
            self.SIBLING_TAGS = own_tags
        made = parent if parent.tag in ("ol", "ul") else self.lastChild(parent)  # type: ignore[attr-defined]
        if made is not None and made.tag == self.TAG:
            self.markers.of.setdefault(made, kind)


class OrderedList(_ListMixin, SaneOListProcessor):
    pass


class BulletList(_ListMixin, SaneUListProcessor):
    pass


class CommonMarkLists(Extension):
    """``sane_lists`` with CommonMark's ends of lists (replaces it)."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        self.markers = _Markers()
        md.parser.blockprocessors.register(OrderedList(md.parser, self.markers), "olist", 40)
        md.parser.blockprocessors.register(BulletList(md.parser, self.markers), "ulist", 30)

    def reset(self) -> None:
        self.markers.of.clear()



def makeExtension(**kwargs) -> CommonMarkLists:  # noqa: N802 (Python-Markdown's name)
    return CommonMarkLists(**kwargs)
