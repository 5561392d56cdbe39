"""Footnote back-links in the reader's language.

Python-Markdown gives each footnote's back-link (↩) the English tooltip
"Jump back to footnote 1 in the text". Rendering now stores the link without
a tooltip (``rendering.EXTENSION_CONFIGS``: language-neutral HTML, the same
for every reader); the tooltip is added when a page is sent, in the reader's
language (``localise``, an ``after_request`` hook of the app), and the
footnotes of several fragments on one page get ids of their own (``separate``). HTML published
before keeps the English tooltip in the database (lesson bodies, course
introductions, stems, explanations); the same hook replaces it on the way
out, so no migration rewrites published content.

Only our renderer writes ``href="#fnref…"`` links (the renderer's own
``footnote-backref`` links; nh3 keeps the href and title of any link, so a
trainer's own link to ``#fnref:1`` gets the same tooltip, which is true of it)."""
from __future__ import annotations

import re

from flask import Flask, Response
from flask_babel import gettext as _
from markupsafe import escape

MARK = b'href="#fnref'
# A back-link as stored: its href, then the tooltip Python-Markdown gave it (old HTML) or none.
BACKLINK = re.compile(r'<a href="(#fnref\d*:[^"]*)"(?: title="[^"]*")?')


def localise(html: str) -> str:
    """``html`` with every footnote back-link titled in the current language."""
    title = escape(_("Back to where the footnote is cited in the text"))
    return BACKLINK.sub(lambda m: f'<a href="{m[1]}" title="{title}"', html)


# A rendered fragment's footnotes (Python-Markdown's block), and the ids and links that name them.
FOOTNOTES = re.compile(r'<div class="footnote">.*?</ol>\s*</div>', re.S)
FOOTNOTE_IDS = re.compile(r'((?:id|href)="#?)(fn(?:ref\d*)?):')


def separate(html: str) -> str:
    """Each stem, explanation or case part is rendered on its own and numbers
    its footnotes from 1 (``id="fn:1"``): on a page of several, every link
    went to the first one's footnote. The fragments after the first (each
    ends with its footnotes) get their own ids: ``fn:2-1``, ``fnref:2-1``."""
    blocks = list(FOOTNOTES.finditer(html))
    if len(blocks) < 2:
        return html
    parts, start = [html[:blocks[0].end()]], blocks[0].end()
    for number, block in enumerate(blocks[1:], start=2):
        parts.append(FOOTNOTE_IDS.sub(lambda m: f"{m[1]}{m[2]}:{number}-", html[start:block.end()]))
        start = block.end()
    parts.append(html[start:])
    return "".join(parts)


def _localise_response(response: Response) -> Response:
    if (response.mimetype != "text/html" or response.direct_passthrough or response.is_streamed
            or MARK not in response.get_data()):
        return response
    response.set_data(localise(separate(response.get_data(as_text=True))))
    return response


def init_app(app: Flask) -> None:
    app.after_request(_localise_response)
