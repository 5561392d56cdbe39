"""What Word and WPS put into a content file that the trainer did not mean
(content/FORMAT.md, "Written in Word or WPS"): quotes turned into “ ” ‘ ’
around an id or a tag, key lines typed in a Chinese input method's full-width
mode (``answer: ５７．２``, ``weights: Ａ 50``) and the empty option a list
leaves after its last item. Each is read as the trainer meant it, and the
check says so at its line (a note, never a problem). Lines are never added or
removed, so every line number stays the file's own."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from flask_babel import gettext as _

from lms.content.rendering import word_footnotes
from lms.content.schema import Problem, Source

# A value wholly inside curly quotes, where YAML has a value (after "key:", "[", "," or
# a list's "-") and nothing else follows it: “exam-mortgage-w01”, [“mg-004”, ‘mg-005’].
_CURLY = re.compile(r"(?P<before>(?:^|[:\[,{])[ \t]*|^[ \t]*-[ \t]+)(?P<open>[“‘])(?P<value>[^“”‘’\s\"'\[\]{},:#]{1,80})"
                    r"(?P<close>[”’])(?=[ \t]*(?:[,\]}#]|$))")
_YAML_KEY = re.compile(r"^([ \t]*)(?:-[ \t]+)?([A-Za-z_]+)[ \t]*:")
# Texts a trainer may well mean with their quotes: they are shown as written.
_PROSE_KEYS = {"title", "summary", "objectives"}
_HEADING = re.compile(r"^(#{2,3}[ \t]+)([“‘])([^“”‘’\s]{1,80})([”’])[ \t]*$")
_KEY_LINE = re.compile(r"^([A-Za-z_]+)(\s*[:：]\s*)(.*?)\s*$")
# Key lines whose value is a figure or option letters, where full-width characters mean the half-width ones.
_FIGURE_KEYS = {"answer", "tolerance", "weights", "points"}
_FULL_WIDTH = {chr(c) for c in range(0xFF01, 0xFF5F)} | {"\u3000"}  # ＡＢ１２．％ and the full-width space
_OPTION = re.compile(r"^ {0,3}[-*+]\s+\[[ xX]\]")
_EMPTY_OPTION = re.compile(r"^ {0,3}[-*+]\s+\[ \][ \t\u3000\u00a0]*$")
# "答案：B" under the options, as a question is written in Word.
ANSWER_LINE = re.compile(r"^\s*(?:正确)?答案\s*[:：]\s*([A-Za-zＡ-Ｚａ-ｚ][A-Za-zＡ-Ｚａ-ｚ,，、\s]*)$")


def clean(text: str, rel: str, notes: list[Problem]) -> str:
    """The text of a content file as the trainer meant it; a note for each change."""
    if rel.endswith((".yaml", ".yml")):
        return _yaml(text, rel, notes, 1)
    if text.startswith("---\n") and "\n---" in text[3:]:
        end = text.index("\n---", 3)
        text = "---\n" + _yaml(text[4:end], rel, notes, 2) + text[end:]
    if "/questions/" in "/" + rel:
        return _bank(text, rel, notes)
    for number in word_footnotes(text):
        line = next(n for n, line in enumerate(text.split("\n"), 1) if line.startswith(f"[{number}]"))
        notes.append(Problem(Source(rel, line), _(
            "[%(n)s] is shown as a footnote, as in Word (in markdown it is written [^%(n)s] and [^%(n)s]: …)",
            n=number)))
    return text


def _yaml(text: str, rel: str, notes: list[Problem], first: int) -> str:
    if "“" not in text and "‘" not in text:
        return text
    lines = text.split("\n")
    keys: list[tuple[int, str]] = []  # the keys above this line: (indent, key)
    for i, line in enumerate(lines):
        key = _YAML_KEY.match(line)
        indent = len(line) - len(line.lstrip(" \t"))
        while keys and keys[-1][0] >= indent and (key or not line.lstrip().startswith("-")):
            keys.pop()
        if key:
            keys.append((len(key[1]), key[2]))
        if not keys or keys[-1][1] in _PROSE_KEYS or ("“" not in line and "‘" not in line):
            continue
        found = [m["value"] for m in _CURLY.finditer(line)]
        if found:
            lines[i] = _CURLY.sub(lambda m: f'{m["before"]}"{m["value"]}"', line)
            notes.append(Problem(Source(rel, first + i), quotes_note(found)))
    return "\n".join(lines)


_QUOTED_ID = re.compile(r"[“‘\"']([A-Za-z0-9][A-Za-z0-9_-]{0,79})[”’\"']")


def unquoted_id(text: str | None, note: Callable[[str], None]) -> str | None:
    """An id typed between quotes that Word or WPS curled (“mg-001”, in an import's title or 编号
    column): the id, and ``note`` is told; any other text as it is."""
    found = _QUOTED_ID.fullmatch(text.strip()) if text else None
    if found is None:
        return text
    note(quotes_note([found[1]]))
    return found[1]


def quotes_note(values: list[str]) -> str:
    return _("read as %(values)s: the Chinese quotation marks around it were left out (Word and WPS turn typed "
             "quotes into “ ”; an id, a tag or a name needs no quotes)",
             values="、".join(values))


# Any line _bank may change: most banks have none, and are not walked line by line.
_BANK_SIGNS = re.compile(r"^(?:#{2,3}[ \t]+[“‘]|(?:answer|tolerance|weights|points)\s*[:：].*[\uff01-\uff5e\u3000]"
                         r"|(?:type|tags|difficulty)\s*[:：].*[“‘]| {0,3}[-*+]\s+\[ \][ \t\u3000\u00a0]*$)", re.M)
# Key lines whose values are codes or knowledge points, never text with quotes of its own:
# Typora's and Word's smart quotes around them (type: “single”, tags: “双录”, “适当性”) are left out.
_CODE_KEYS = {"type", "tags", "difficulty"}


def _bank(text: str, rel: str, notes: list[Problem]) -> str:
    if not _BANK_SIGNS.search(text):
        return text
    lines = text.split("\n")
    in_keys = seen_key = False  # the key lines under a question's heading
    for i, line in enumerate(lines):
        heading = _HEADING.match(line)
        if heading:
            lines[i] = heading[1] + heading[3]
            notes.append(Problem(Source(rel, i + 1), quotes_note([heading[3]])))
        if line.startswith("#"):
            in_keys, seen_key = True, False
            continue
        key = _KEY_LINE.match(line) if in_keys else None
        seen_key = seen_key or key is not None
        if key is None:
            in_keys = in_keys and not line.strip() and not seen_key
            if _EMPTY_OPTION.match(line) and _last_option(lines, i):
                lines[i] = ""
                notes.append(Problem(Source(rel, i + 1), _(
                    "the empty option after the last one (a list in Word or WPS leaves one) was left out")))
            continue
        if key[1] in _CODE_KEYS and ("“" in key[3] or "‘" in key[3]):
            found = [m["value"] for m in _CURLY.finditer(line)]
            if found:
                lines[i] = _CURLY.sub(lambda m: m["before"] + m["value"], line)
                notes.append(Problem(Source(rel, i + 1), quotes_note(found)))
        if key[1] in _FIGURE_KEYS:
            value = "".join(unicodedata.normalize("NFKC", c) if c in _FULL_WIDTH else c for c in key[3])
            if value != key[3]:
                lines[i] = key[1] + key[2] + value
                notes.append(Problem(Source(rel, i + 1), _(
                    "'%(key)s: %(written)s' is read as %(value)s (full-width characters, as a Chinese input method "
                    "types them, are read as half-width)", key=key[1], written=key[3], value=value)))
    return "\n".join(lines)


def _last_option(lines: list[str], i: int) -> bool:
    """Line ``i`` follows an option and no option follows it (before the next question)."""
    before = next((line for line in reversed(lines[:i]) if line.strip()), "")
    if not (_OPTION.match(before) or before.startswith(("  ", "\t"))):
        return False
    for line in lines[i + 1:]:
        if line.startswith("#"):
            return True
        if _OPTION.match(line):
            return False
    return True


def answer_line_message(line: str) -> str | None:
    """What to write instead of a Word question's ``答案：B`` under the options."""
    found = ANSWER_LINE.match(line)
    if found is None:
        return None
    letters = re.sub(r"[,，、\s]", "", unicodedata.normalize("NFKC", found[1])).upper()
    return _("“%(line)s” is not read: the key is marked on the option itself. Write '- [x] ' in front of option "
             "%(letters)s (and '- [ ] ' in front of the others), then delete this line",
             line=line.strip(), letters="、".join(letters))
