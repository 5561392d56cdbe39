"""``~~删除线~~`` as Typora, GitHub, Obsidian and WPS show it: the text struck out (an old
rate beside the new one: ``~~0.15%~~ 0.1%``), not the tildes as typed. A single ``~``
stays text, as in those editors: Chinese writes ranges with it (``3~5 年``)."""
from __future__ import annotations

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import SimpleTagInlineProcessor

# Two tildes, the text (not starting or ending with a tilde), two tildes; above emphasis (60)
# so that **~~x~~** and ~~**x**~~ both work, below code spans, which keep their text.
STRUCK = r"(~~)(?!~)(.+?)(?<!~)~~"


class Strikethrough(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.inlinePatterns.register(SimpleTagInlineProcessor(STRUCK, "del"), "strikethrough", 65)


def makeExtension(**kwargs) -> Strikethrough:  # noqa: N802 (Python-Markdown's name)
    return Strikethrough(**kwargs)
