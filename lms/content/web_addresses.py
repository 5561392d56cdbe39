"""Web addresses typed bare in a trainer's text (``https://www.pbc.gov.cn/…``,
``www.pbc.gov.cn``) are links, as GitHub and Typora show them (GFM's autolinks),
and every link to a web page opens in a new tab (content/FORMAT.md, "Links").

An address runs from ``http://``, ``https://`` or ``www.`` to the first space,
``<``, quote or character that is not ASCII — in a Chinese sentence the
address ends at the 。，） or the word after it (``详见https://a.cn/x。``), not at
the next space as in GFM, which would take the rest of the sentence into the
link. Punctuation that ends a sentence (``.,:;!?``) and a ``)`` without its
``(`` are left out of the link, as GFM has it. Inside code, and inside a link
already written (``[人行](https://…)``, ``<https://…>``), nothing changes.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString

# Not inside a word, a path or another address: nothing of ASCII's word or address characters before it.
ADDRESS = r"(?<![A-Za-z0-9/.@:_%+~#=&?-])(?:https?://|www\.)[!#-&(-;=?-~]+"
_TRAILING = ".,:;!?*_~'"


def _trimmed(address: str) -> str:
    """``address`` without the punctuation after it and a closing ``)`` it does not open."""
    while address:
        if address[-1] in _TRAILING:
            address = address[:-1]
        elif address[-1] == ")" and address.count(")") > address.count("("):
            address = address[:-1]
        else:
            break
    return address


class BareAddress(InlineProcessor):
    ANCESTOR_EXCLUDES = ("a",)

    def handleMatch(self, m: re.Match, data: str):  # noqa: N802 (Python-Markdown's name)
        address = _trimmed(m[0])
        host = address.split("//", 1)[1] if address.startswith("http") else address[len("www."):]
        if "." not in host.split("/", 1)[0].strip("."):
            return None, None, None  # "https://" alone, or no host with a dot: text
        link = etree.Element("a")
        link.set("href", address if address.startswith("http") else "http://" + address)
        link.text = AtomicString(address)
        return link, m.start(0), m.start(0) + len(address)


class WebAddresses(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        # After the links, images, <…> autolinks and raw HTML (90), before entities (80) and emphasis.
        md.inlinePatterns.register(BareAddress(ADDRESS, md), "bare_address", 85)


def makeExtension(**kwargs) -> WebAddresses:  # noqa: N802 (Python-Markdown's name)
    return WebAddresses(**kwargs)


# A link to a web page in sanitised HTML (the serialiser writes `href="…"` with its quotes escaped).
_WEB_LINK = re.compile(r'<a (?=[^>]*?\bhref="https?://)')


def in_new_tab(html: str) -> str:
    """Every link to a web page opens in a new tab (the sanitiser gives it rel="noopener noreferrer");
    links inside the course (lessons, headings, footnotes, attachments) stay in the learner's tab."""
    return _WEB_LINK.sub('<a target="_blank" ', html) if 'href="http' in html else html
