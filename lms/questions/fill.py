from __future__ import annotations

import re
from decimal import Decimal

from markupsafe import Markup, escape

from lms.content.rendering import render_markdown
from lms.questions.base import Grade, QuestionType, normalise_text

BLANK = re.compile(r"\{\{(\d+)\}\}")
# A tag of the sanitised stem (its attribute values always in double quotes,
# where a ">" may stand), or a comment.
_TAG = re.compile(r'<!--.*?-->|<[^>"]*(?:"[^"]*"[^>"]*)*>', re.S)
# A blank as people type it in a sheet: （ ） or ____.
WRITTEN_BLANK = re.compile(r"[（(][\s\u3000]*[）)]|_{3,}")


def blank_mark(n) -> Markup:
    """A blank where the question shows no text box: （1）, as the review of an exam shows it."""
    return Markup('<span class="blank-mark">（{}）</span>').format(n)


def _in_text(html: str, replace) -> Markup:
    """Each blank of the stem's text replaced, never one inside a tag: a blank
    in an image's alt text or a link's title (![图 [[答案]]](flow.png)) stays
    as it is instead of putting the box, and the page's hx-* attributes, into
    that tag and breaking the question's markup."""
    out, last = [], 0
    for tag in _TAG.finditer(html):
        out.append(BLANK.sub(replace, html[last:tag.start()]))
        out.append(tag.group(0))
        last = tag.end()
    out.append(BLANK.sub(replace, html[last:]))
    return Markup("".join(out))


# What a stem needs for its text to end up in a tag's attribute: a link, an
# image or a footnote ([), raw HTML or an autolink (<), fenced code's info
# string (` ~), a call-out (!). Without any of them the stem is not rendered.
_MAKES_ATTRIBUTES = "[<`~!"


def blanks_in_tags(stem_md: str) -> list[int]:
    """The blanks ``{{n}}`` of a stem that its rendering puts inside a tag
    (an image's alt text, a link's title), where no text box can stand."""
    if "{{" not in stem_md or not any(ch in stem_md for ch in _MAKES_ATTRIBUTES):
        return []  # no link, image, footnote, HTML or fenced code: no tag holds any of its text
    html = str(render_markdown(stem_md))
    return sorted({int(m.group(1)) for tag in _TAG.finditer(html) for m in BLANK.finditer(tag.group(0))})


# Markdown that a one-line summary shows as the learner reads it: table rows
# and footnote definitions left out, images dropped, links as their text,
# emphasis, code, heading, quote, list and call-out markers removed.
_TABLE_ROW = re.compile(r"^[ \t]*\|.*$|^[ \t]*:?-{3,}:?[ \t]*(\|[ \t]*:?-{3,}:?[ \t]*)+\|?[ \t]*$", re.M)
_FOOTNOTE_DEFINITION = re.compile(r"^\[\^[^\]]+\]:.*$", re.M)
_CALLOUT_LINE = re.compile(r'^[ \t]*!!![ \t]*\w+[ \t]*(?:"([^"]*)")?[ \t]*$', re.M)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\([^)]*\)")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]]+\]")
_LINE_MARKERS = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+(?!\[[ xX]\])|\d{1,9}\.[ \t]+)", re.M)
_EMPHASIS = re.compile(r"\*\*|__|`|~~|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")


def _plain_text(stem_md: str) -> str:
    """A stem's markdown as the text a reader sees (for one-line summaries)."""
    if not any(ch in stem_md for ch in "|![*_`#>~-+0123456789"):
        return stem_md
    text = _TABLE_ROW.sub("", stem_md)
    text = _FOOTNOTE_DEFINITION.sub("", text)
    text = _CALLOUT_LINE.sub(lambda m: m.group(1) or "", text)
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _FOOTNOTE_REF.sub("", text)
    text = _LINE_MARKERS.sub("", text)
    return _EMPHASIS.sub("", text)


def stem_summary(stem_md: str, limit: int = 80) -> Markup:
    """A question's text on one line for lists (错题本, item analysis):
    shortened to ``limit`` characters, escaped, and each ``{{n}}`` shown as
    its blank mark, never cut in half."""
    text = " ".join(_plain_text(stem_md or "").split())
    out: list[Markup] = []
    used = 0
    for index, piece in enumerate(BLANK.split(text)):  # text, blank number, text, ...
        if index % 2:
            if used + 3 > limit:
                out.append(Markup("…"))
                break
            out.append(blank_mark(piece))
            used += 3
            continue
        if used + len(piece) > limit:
            out.append(escape(piece[:max(limit - used - 1, 0)]) + Markup("…"))
            break
        out.append(escape(piece))
        used += len(piece)
    return Markup("").join(out)


_PLAIN_NUMBER = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%?)")


def _same_number(text: str):
    """A blank's answer that is only a number, as (the number, its % sign), so that
    1.5, 1.50 and １.５ fill the blank of [[1.50]] and 1234.5 the one of [[1,234.5]];
    None for anything else (a word, a number with a unit, an article 第8条)."""
    match = _PLAIN_NUMBER.fullmatch(text.replace("\u2212", "-"))
    if not match:
        return None
    sign, whole, fraction, percent = match.groups()
    return Decimal(sign + whole.replace(",", "") + (fraction or "")).normalize(), percent


# A date as people write it: 2026年1月1日, 2026-01-01, 2026/1/1, 2026.01.01.
_PLAIN_DATE = re.compile(r"(\d{4})(?:年(\d{1,2})月(\d{1,2})日?|([-/.])(\d{1,2})\4(\d{1,2}))")


def _same_date(text: str):
    """A blank's answer that is only a date, as (year, month, day), so that
    2026-01-01, 2026/1/1 and 2026.01.01 fill the blank of [[2026年1月1日]];
    None for anything else."""
    match = _PLAIN_DATE.fullmatch(text)
    if not match:
        return None
    year, month, day = match[1], match[2] or match[5], match[3] or match[6]
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        return None
    return int(year), int(month), int(day)


def _same_value(value: str, written: set[str]) -> bool:
    """``value`` is the number or the date of one of the accepted answers."""
    for same in (_same_number, _same_date):
        mine = same(value)
        if mine is not None and mine in {same(a) for a in written}:
            return True
    return False


class FillInBlanks(QuestionType):
    """Blanks ``{{1}}``, ``{{2}}`` in the stem; each compared, normalised
    (full/half width, spaces, case), with every accepted answer; a blank whose
    answer is a plain number takes the same number however it is written, and
    one whose answer is a date the same date (2026年1月1日, 2026-01-01, 2026/1/1). The fraction
    is the share of blanks filled right."""

    code = "fill"
    excel_name = "填空"
    secret_keys = ("blanks",)

    def grade(self, data, answer, *, partial_credit=False):
        blanks = data.get("blanks", [])
        if not blanks:
            return Grade(0.0)
        given = list(answer or [])
        right = 0
        for i, accepted in enumerate(blanks):
            value = normalise_text(given[i]) if i < len(given) and given[i] else ""
            if not value:
                continue
            written = {normalise_text(a) for a in accepted}
            if value in written or _same_value(value, written):
                right += 1
        return Grade(right / len(blanks))

    def answer_from_form(self, data, form, name, values=None):
        count = len(data.get("blanks", []))
        values = [(form.get(f"{name}-{i + 1}") or "").strip() for i in range(count)]
        return values if any(values) else None

    def is_answered(self, answer):
        return bool(answer) and any(answer)

    def public_data(self, data):
        return {"count": len(data.get("blanks", []))}

    def correct_answer(self, data):
        return [list(a) for a in data.get("blanks", [])]

    def stem_with_inputs(self, stem_html: str, name: str, answer, attrs: Markup = Markup(""),
                         label: str = "{n}") -> Markup:
        """The stem with a text box where each ``{{n}}`` stands; ``label`` (with
        ``{n}``) names each box for a screen reader ("第 1 空")."""
        given = list(answer or [])

        def box(match):
            n = int(match.group(1))
            value = given[n - 1] if 0 < n <= len(given) else ""
            return (f'<input type="text" class="blank" name="{name}-{n}" value="{escape(value or "")}" '
                    f'aria-label="{escape(str(label).replace("{n}", str(n)))}" autocomplete="off" {attrs}>')

        return _in_text(str(stem_html), box)

    def stem_with_marks(self, stem_html: str) -> Markup:
        return _in_text(str(stem_html), lambda m: str(blank_mark(m.group(1))))

    def key_text(self, data):
        return [f"{{{{{i}}}}} " + " | ".join(answers) for i, answers in enumerate(data.get("blanks", []), 1)]

    def plan_lines(self, data):
        return [f"blank {i}: {' | '.join(b)}" for i, b in enumerate(data.get("blanks", []), start=1)]

    def simulated_answer(self, data, right, rng):
        return [blank[0] if right else "不确定" for blank in data.get("blanks", [])]

    def bank_body(self, stem, data, guard):
        def blank(m):
            answers = data["blanks"][int(m.group(1)) - 1]
            for a in answers:
                guard.blank_answer(a)
            return "[[" + "|".join(answers) + "]]"
        return BLANK.sub(blank, stem), None

    def excel_answer(self, data, stem):
        blanks = data.get("blanks", [])
        if WRITTEN_BLANK.search(BLANK.sub("", stem)):
            # The text itself has ____ or （ ）: keep the answers in the stem.
            return "", BLANK.sub(lambda m: "[[" + "|".join(blanks[int(m.group(1)) - 1]) + "]]", stem)
        return ";".join("|".join(b) for b in blanks), BLANK.sub("____", stem)

    def parse_body(self, reader, body):
        body.stem, body.data["blanks"] = reader.blanks(body.stem, body.stem_lines)

    def from_excel_row(self, reader, row, stem, answer, options):
        return reader.fill(row, stem, answer)
