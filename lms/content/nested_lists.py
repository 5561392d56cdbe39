"""Nested lists and the code blocks inside them, as CommonMark (GitHub, Typora)
reads them, for Python-Markdown (``rendering.render_markdown``).

``nest_lists`` re-indents a trainer's nested lists to the 4 spaces
Python-Markdown needs, and marks a fenced code block (``` or ~~~) written
inside a list item, indented under the item's text. Python-Markdown's
``fenced_code`` reads a fence only at the start of a line: inside an item the
fence was shown as inline code in the item's text (``打开系统：<code>F2 开户</code>``)
or ended the list there, numbering the next item from 1 again. The marked block
is turned into ``<pre><code>`` by this module's extension (``ItemFences``), left
in the item where it was written, and the list goes on.
"""
from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

# A list item: its indentation, its marker ("-", "*", "+" or "1.") and the
# spaces after it.
_LIST_ITEM = re.compile(r"^( *)([-*+]|\d{1,9}\.)( +)(?=\S)")
_ANY_LIST_ITEM = re.compile(r"^ *(?:[-*+]|\d{1,9}\.) +\S", re.M)
_TAB_LIST_ITEM = re.compile(r"^[ \t]*\t[ \t]*(?:[-*+]|\d{1,9}\.) +\S", re.M)


# Lines after which a list starts without a blank line anyway: headings,
# block quotes, table rows.
_BLOCK_LINE = re.compile(r"^ {0,3}(?:#{1,6}(?:\s|$)|>|\|)")

# An opening fence: three or more ` or ~, then an optional language.
_FENCE = re.compile(r"(`{3,}|~{3,})")
# The lines of a code block inside a list item start and end with this mark
# (a character of Unicode's private use area, never typed).
ITEM_FENCE = "\ue002"


def _expand_indent(line: str) -> str:
    """The line with its leading tabs and spaces as spaces (a tab to the next multiple of 4)."""
    column, i = 0, 0
    while i < len(line) and line[i] in " \t":
        column = column + 4 - column % 4 if line[i] == "\t" else column + 1
        i += 1
    return " " * column + line[i:]


def _closes(fence: str, line: str) -> bool:
    """``line`` closes a block opened by ``fence``: the same character, at least
    as many, nothing after them but spaces (CommonMark)."""
    stripped = line.strip(" ")
    return stripped.startswith(fence) and not stripped.strip(fence[0])


def _dedent(line: str, columns: int) -> str:
    """``line`` without up to ``columns`` leading spaces (a code line keeps the rest of its indent)."""
    spaces = len(line) - len(line.lstrip(" "))
    return line[min(spaces, columns):]


def nest_lists(text: str) -> str:
    """Re-indent nested lists written the way most editors (and CommonMark,
    GitHub, Typora) write them — a sub-list under "1. " indented 3 spaces,
    under "- " 2 — to the 4 spaces Python-Markdown needs, so that a
    trainer's nested list stays nested instead of running into its parent
    item as text (content/FORMAT.md, "Lessons"). A list item or a
    paragraph after a blank line nests under the item whose text it is
    indented to (CommonMark's rule); lists already indented by 4 are
    unchanged. A fenced code block indented under an item's text (right under
    it or after a blank line) belongs to the item and is marked for
    ``ItemFences``; a fence less indented ends the list (CommonMark), and the
    lines of code are never touched."""
    if not _ANY_LIST_ITEM.search(text) and not _TAB_LIST_ITEM.search(text):
        return text
    out: list[str] = []
    stack: list[tuple[int, int]] = []  # open items: (where its text starts in the source, its indent in the output)
    fence = ""  # the fence of the code block going on, "" outside one
    fence_indent = 0  # how far its opening fence was indented (code lines lose as much)
    fence_shift = 0  # the tab indentation of the list it is in (as its items lose it)
    item_fence: tuple[int, int] | None = None  # a block inside an item: (the item's text column, the mark's indent)
    after_blank = True
    tab_shift = 0  # a list indented with tabs from its first item: their indentation
    in_item_paragraph = False  # the lines since the last blank are a paragraph of a list item
    loose = False  # a blank line inside the list going on
    for line in text.split("\n"):
        if fence:
            code = line
            if "\t" in line[:len(line) - len(line.lstrip(" \t")) + 1]:
                code = _dedent(_expand_indent(line), fence_shift)
            ends_item = item_fence is not None and code.strip() and \
                len(code) - len(code.lstrip(" ")) < item_fence[0] and not _closes(fence, code)
            if _closes(fence, code) or ends_item:
                if item_fence is not None:
                    out.extend([" " * item_fence[1] + ITEM_FENCE, ""])  # the block ends, the item goes on
                else:
                    out.append(line.lstrip(" ") if fence_indent < 4 else line)
                fence, item_fence, after_blank, in_item_paragraph = "", None, True, False
                loose = loose or bool(stack)
                if not ends_item:
                    continue
            else:
                out.append(_dedent(code, fence_indent) if item_fence is not None or fence_indent < 4 else line)
                continue
        expanded = _expand_indent(line) if "\t" in line[:len(line) - len(line.lstrip(" \t")) + 1] else line
        opening = _FENCE.match(expanded.lstrip(" "))
        if opening:
            indent = len(expanded) - len(expanded.lstrip(" "))
            fence_shift = min(tab_shift, indent) if expanded is not line and stack else 0
            indent -= fence_shift
            while stack and indent < stack[-1][0]:
                stack.pop()
            fence, fence_indent = opening[1], indent
            if stack:
                # A code block of the item whose text it is indented to: its own paragraph in the item.
                item_fence = (stack[-1][0], stack[-1][1] + 4)
                if out and out[-1].strip():
                    out.append("")
                out.append(" " * item_fence[1] + ITEM_FENCE + expanded.lstrip(" "))
            else:
                # Outside the list: at the start of its line, where fenced_code reads it (a fence
                # indented 1-3 spaces is one in CommonMark; 4 make it code that shows the ```).
                out.append(expanded.lstrip(" ") if indent < 4 else line)
            in_item_paragraph = False
            continue
        stripped = line.lstrip(" ")
        if "\t" in line[:len(line) - len(stripped) + 1]:
            # A list item indented with tabs (Word, WPS): a tab is 4 columns; a
            # list that starts with one is a list, not a code block.
            if _LIST_ITEM.match(expanded):
                column = len(expanded) - len(expanded.lstrip(" "))
                if not stack and after_blank:
                    tab_shift = column  # the list's own items are at this column
                line = expanded[min(tab_shift, column):]
                stripped = line.lstrip(" ")
        if "\t" in line[:len(line) - len(stripped) + 1]:
            out.append(line)  # tab indentation (already what Python-Markdown reads)
            after_blank = not stripped.strip()
            continue
        if not stripped.strip():
            out.append(line)
            after_blank = True
            loose = loose or bool(stack)
            continue
        indent = len(line) - len(stripped)
        item = _LIST_ITEM.match(line)
        loose = loose and bool(stack)
        if item and not after_blank and not stack and out and not _BLOCK_LINE.match(out[-1]):
            # A list right under a line of text ("检查内容：" then "1. …", as
            # Word pastes it): Python-Markdown needs a blank line first, or the
            # list runs into the paragraph as text.
            out.append("")
        elif item and not after_blank and (in_item_paragraph or (loose and sum(indent < column for column, _ in stack) > 1)):
            # An item right under a paragraph of the item before ("- 甲\n\n  说明\n- 乙"), or back in
            # an outer list after a blank line: a new item (CommonMark), where Python-Markdown took it
            # for a line of the paragraph or nested item before.
            out.append("")
        if item or after_blank:
            while stack and indent < stack[-1][0]:
                stack.pop()
        if item:
            new_indent = stack[-1][1] + 4 if stack else indent
            stack.append((indent + len(item[2]) + len(item[3]), new_indent))
            out.append(" " * new_indent + stripped)
            in_item_paragraph = False
        elif after_blank and stack:
            # A paragraph (or code block) of the item it is indented to.
            source_text, item_indent = stack[-1]
            out.append(" " * (item_indent + 4 + indent - source_text) + stripped)
            in_item_paragraph = True
        else:
            out.append(line)  # a continuation line, or text outside any list
            in_item_paragraph = in_item_paragraph and bool(stack)
        after_blank = False
    if item_fence is not None:
        out.append(" " * item_fence[1] + ITEM_FENCE)  # never closed: it runs to the end, as CommonMark has it
    return "\n".join(out)


_MARKED = re.compile("^( *)" + ITEM_FENCE + r"(`{3,}|~{3,})[ ]*\.?([\w#.+-]*)")


def _escape(code: str) -> str:
    """As Python-Markdown's ``fenced_code`` escapes a block's code."""
    return code.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


class ItemFences(Preprocessor):
    """Each block ``nest_lists`` marked, as ``fenced_code`` writes one (``<pre><code
    class="language-sql">``), kept aside in the stash; in its place a line indented
    under the item, which Python-Markdown reads as a paragraph of the item and then
    replaces with the block."""

    def run(self, lines: list[str]) -> list[str]:
        if not any(ITEM_FENCE in line for line in lines):
            return lines
        out: list[str] = []
        at = 0
        while at < len(lines):
            marked = _MARKED.match(lines[at])
            if marked is None:
                out.append(lines[at].replace(ITEM_FENCE, ""))
                at += 1
                continue
            end = lines.index(marked[1] + ITEM_FENCE, at + 1)  # nest_lists always closes it
            code = "".join(line + "\n" for line in lines[at + 1:end])
            language = f' class="language-{_escape(marked[3])}"' if marked[3] else ""
            out.append(marked[1] + self.md.htmlStash.store(f"<pre><code{language}>{_escape(code)}</code></pre>"))
            at = end + 1
        return out


class ItemFencesExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        # After normalize_whitespace (30), before fenced_code (25) and the raw HTML (20).
        md.preprocessors.register(ItemFences(md), "item_fences", 27)


def makeExtension(**kwargs) -> ItemFencesExtension:  # noqa: N802 (Python-Markdown's name)
    return ItemFencesExtension(**kwargs)
