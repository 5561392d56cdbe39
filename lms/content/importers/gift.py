"""Moodle GIFT → ParsedQuestion, following Moodle's own reader
(question/format/gift/format.php) and its examples.txt.

What maps to what (README "Importing questions" says the same to trainers):

- questions are separated by blank lines; ``//`` lines are comments
  (``// [id:dep-001]`` and ``// [tag:存款]`` in them set the id and add tags,
  as Moodle 3.6+ does); ``$CATEGORY: a/b/c`` makes a, b, c the tags of the
  questions that follow (Moodle's ``$course$``/``$system$``/``top`` parts
  are skipped);
- ``::title::`` becomes the id (slugified; a non-ASCII title keeps a short hash of itself; ``::“mg-001”::``,
  curled by Word, is mg-001); untitled questions get ``<prefix>-<n>`` by position; ``\\~ \\= \\# \\{ \\} \\: \\\\``
  are literal characters, ``\\n`` a line break;
- ``[markdown]`` text is kept, ``[plain]`` is escaped so that it shows as
  typed, ``[html]`` (and Moodle's default format when it holds tags) is
  sanitised with the renderer's allow-list;
- ``{=right ~wrong}`` single choice; ``{~%50%a ~%50%b ~c}`` (no ``=``)
  multiple choice with ``weights``; ``{T}`` ``{TRUE}`` ``{F}`` ``{FALSE}``
  true/false; ``{=a =b}`` fill-in with accepted answers; ``{#3.14:0.01}``
  and ``{#1..5}`` numeric; ``{}`` essay; answers inside the sentence are the
  missing-word form (the blank goes there);
- ``#feedback`` of a choice's answer stays with that option (shown in the
  review to whoever chose it); other answers' ``#feedback`` and
  ``####general feedback`` become the explanation;
- partial credit Moodle has and we do not (a ``~%50%`` option of a single
  choice, ``=%50%`` short or numeric answers) is dropped with a note: only
  full-credit answers count;
- matching ``{=a -> b}`` is refused with its line (there is no matching
  type); a text without answers (a Moodle description) is skipped with a note.

All-or-nothing: any problem and the caller imports nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from flask_babel import gettext as _

from lms.content.importers import messages_locale, serialize
from lms.content.importers.gift_text import (
    _BLANK_MARK, _FORMAT_RE, _SPECIAL_CATEGORY_PARTS, _WEIGHT_RE, _decimal, _escape_pre, _feedback, _literal,
    _split_answers, _to_markdown, _unescape,
)
from lms.content.importers.xlsx_sheet import MAX_ROWS as MAX_QUESTIONS
from lms.content.schema import ParsedQuestion, Problem, Source
from lms.content.source.pasted import unquoted_id


@dataclass
class Note:
    """Something the import changed on the way (shown in the preview)."""

    line: int
    message: str


@dataclass
class GiftResult:
    questions: list[ParsedQuestion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


class _Block:
    """One question block of the file, with its line numbers."""

    def __init__(self, reader: GiftReader, text: str, first_line: int, comments: str):
        self.reader = reader
        self.text = text
        self.first_line = first_line
        self.comments = comments

    def line_at(self, pos: int) -> int:
        return self.first_line + self.text.count("\n", 0, max(pos, 0))

    def problem(self, pos: int, message: str) -> None:
        self.reader.problem(self.line_at(pos), message)

    def note(self, pos: int, message: str) -> None:
        self.reader.result.notes.append(Note(self.line_at(pos), message))


class GiftReader:
    def __init__(self, filename: str, id_prefix: str | None = None):
        self.filename = filename
        stem = Path(filename).name.split(".")[0]
        self.prefix = serialize.slugify(id_prefix or "", limit=60) or serialize.slugify(stem, limit=60) or "gift"
        self.result = GiftResult()
        self.category_tags: list[str] = []
        self.count = 0

    def problem(self, line: int, message: str) -> None:
        self.result.problems.append(
            Problem(Source(self.filename, line), _("Line %(line)s: %(message)s", line=line, message=message)))

    # -- the file ------------------------------------------------------------

    def read(self, text: str) -> GiftResult:
        text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        block: list[tuple[int, str]] = []
        blocks = 0
        for number, line in enumerate(text.split("\n") + [""], start=1):
            if line.strip():
                block.append((number, line))
            elif block:
                blocks += 1
                # As many questions as an Excel sheet holds: reading a few MB more would take minutes.
                if self.count >= MAX_QUESTIONS or blocks > 2 * MAX_QUESTIONS:
                    self.problem(block[0][0], _("at most %(n)s questions per file", n=MAX_QUESTIONS))
                    break
                self.block(block)
                block = []
        if self.result.problems:
            self.result.questions = []  # all or nothing
        ids = serialize.unique_ids([q.id for q in self.result.questions])
        for q, new_id in zip(self.result.questions, ids):
            if new_id != q.id:
                self.result.notes.append(Note(q.source.line, _(
                    "The id %(id)s was used before in this file; this question is %(new)s.", id=q.id, new=new_id)))
                q.id = new_id
        return self.result

    def block(self, lines: list[tuple[int, str]]) -> None:
        comments, body = [], []
        for _number_, line in lines:
            if line.lstrip().startswith("//"):
                comments.append(line)
                body.append("")  # keep the line count
            else:
                body.append(line)
        while body and not body[0].strip():
            body.pop(0)
            lines = lines[1:]
        if not body:
            return
        first_line = lines[0][0]
        head = body[0].strip()
        if head.startswith("$CATEGORY:"):
            self.category_tags = [
                part.strip() for part in head[len("$CATEGORY:"):].split("/")
                if part.strip() and part.strip().lower() not in _SPECIAL_CATEGORY_PARTS
                and not part.strip().lower().startswith("default for")]
            body, first_line = body[1:], first_line + 1
            while body and not body[0].strip():
                body.pop(0)
                first_line += 1
            if not body:
                return
        self.question(_Block(self, _escape_pre("\n".join(body)), first_line, "\n".join(comments)))

    # -- one question ----------------------------------------------------------

    def question(self, b: _Block) -> None:
        text = b.text
        pos = len(text) - len(text.lstrip())
        title = None
        if text.startswith("::", pos):
            end = text.find("::", pos + 2)
            if end < 0:
                b.problem(pos, _("the question title starts with :: but is not closed with ::"))
                return
            title = _unescape(text[pos + 2:end]).strip()
            pos = end + 2
        fmt = "moodle"
        m = _FORMAT_RE.match(text[pos:])
        if m:
            fmt = m.group(1).lower()
            pos += m.end()

        opens = [i for i, ch in enumerate(text) if ch == "{" and i >= pos]
        closes = [i for i, ch in enumerate(text) if ch == "}" and i >= pos]
        wide = next((i for i, ch in enumerate(text) if ch in "｛｝" and i >= pos), None)
        if not opens and not closes and wide is not None:
            # Typed in a Chinese input method's full-width mode: not a description to skip.
            b.problem(wide, _("the answers are in full-width braces ｛ ｝: write the half-width { } "
                              "(switch the input method to half-width)"))
            return
        if not opens and not closes:
            b.note(pos, _("A text without answers (a Moodle description) was skipped."))
            return
        if not opens:
            b.problem(closes[0], _("'}' without an opening '{' (write \\} for a literal brace)"))
            return
        if not closes or closes[0] < opens[0]:
            where = closes[0] if closes else opens[0]
            b.problem(where, _("the answers opened with '{' are not closed with '}' "
                               "(write \\{ and \\} for literal braces)"))
            return
        if len(opens) > 1 or len(closes) > 1:
            extra = opens[1] if len(opens) > 1 else closes[1]
            b.problem(extra, _("a second answer block in one question: leave a blank line between questions, "
                               "or write \\{ and \\} for literal braces"))
            return
        start, end = opens[0], closes[0]
        inner = text[start + 1:end]
        after = text[end + 1:]
        missing_word = bool(after.strip())
        stem_raw = text[pos:start] + (_BLANK_MARK if missing_word else "") + after

        general = ""
        gf = inner.rfind("####")
        if gf >= 0:
            general = _to_markdown(inner[gf + 4:], fmt)
            inner = inner[:gf]
        answers = inner.strip()
        base = start + 1 + (len(inner) - len(inner.lstrip()))

        self.count += 1
        qid = self.question_id(b, title)
        tags = list(dict.fromkeys(self.category_tags + [t.strip() for t in re.findall(r"\[tag:(.+?)\]", b.comments)
                                                        if t.strip()]))
        q = ParsedQuestion(id=qid, type="", stem_md="", points=1.0, difficulty="medium", tags=tags,
                           explanation_md="", data={}, source=Source(self.filename, b.line_at(pos)))
        feedback: list[str] = []
        wide = re.search(r"(?:^|\s)([＝～])", answers)
        if wide:
            # "{＝5 ＝五}" would be a fill-in whose one answer is "＝5 ＝五"; "{＝甲 ～乙}" the same.
            b.problem(base + wide.start(1), _("an answer starts with the full-width %(mark)s: write the half-width "
                                              "= or ~ (switch the input method to half-width)", mark=wide.group(1)))
            return
        if not answers:
            ok = self.essay(q)
        elif answers.startswith("#"):
            ok = self.numeric(b, q, answers[1:], base + 1, feedback)
        elif "~" in answers:
            ok = self.choice(b, q, answers, base, fmt, feedback)
        elif "=" in answers and "->" in answers:
            b.problem(start, _("matching questions ({=a -> b}) cannot be imported: RM Academy has no matching "
                               "type; write each pair as a single-choice question"))
            return
        else:
            check = _unescape(answers.split("#", 1)[0]).strip().upper()
            if check in ("T", "TRUE", "F", "FALSE"):
                ok = self.truefalse(q, answers, fmt, check, feedback)
            else:
                ok = self.fill(b, q, answers, base, feedback)
        if not ok:
            return
        if any(len(tag) > 80 for tag in serialize.clean_tags(tags)):
            b.problem(pos, _("a knowledge point (category or tag) is longer than 80 characters"))
            return
        blank = "{{1}}" if q.type == "fill" else "_____"
        stem = _to_markdown(stem_raw, fmt).replace(_BLANK_MARK, blank)
        if q.type == "fill" and not missing_word:
            stem = f"{stem} {{{{1}}}}"
        if not stem.replace(blank, "").strip():
            b.problem(pos, _("the question has no text"))
            return
        q.stem_md = stem
        # Per-answer feedback is a list ("- answer：feedback"); other parts are paragraphs.
        listed = "\n".join(f for f in feedback if f.startswith("- "))
        q.explanation_md = "\n\n".join(part for part in [general, *[f for f in feedback if not f.startswith("- ")],
                                                           listed] if part)
        q.tags = serialize.clean_tags(q.tags)
        self.result.questions.append(q)

    def question_id(self, b: _Block, title: str | None) -> str:
        given = re.search(r"\[id:(.+?)\]", b.comments)
        if given and serialize.slugify(given.group(1)):
            return serialize.slugify(given.group(1))
        title = unquoted_id(title, lambda note: b.note(0, note))  # ::“mg-001”::, curled by Word: mg-001
        if title and serialize.slugify(title):
            return serialize.slugify(title)
        return f"{self.prefix}-{self.count:03d}"

    # -- the types -------------------------------------------------------------

    def essay(self, q: ParsedQuestion) -> bool:
        q.type, q.data = "essay", {"rubric": ""}
        return True

    def truefalse(self, q: ParsedQuestion, answers: str, fmt: str, check: str, feedback: list[str]) -> bool:
        parts = answers.split("#", 2)
        q.type, q.data = "truefalse", {"correct": check in ("T", "TRUE")}
        wrong = _to_markdown(parts[1], fmt) if len(parts) > 1 else ""
        right = _to_markdown(parts[2], fmt) if len(parts) > 2 else ""
        feedback += [part for part in (right, wrong) if part]
        return True

    def choice(self, b: _Block, q: ParsedQuestion, answers: str, base: int, fmt: str, feedback: list[str]) -> bool:
        pieces = _split_answers(answers, base, "~=")
        if pieces and not pieces[0].marker:
            b.problem(pieces[0].offset, _("text before the first answer: start every answer with = or ~"))
            return False
        options, weights, right, ok = [], {}, [], True
        for index, piece in enumerate(pieces):
            key = chr(ord("A") + index)
            raw = piece.text
            weight = Decimal(100) if piece.marker == "=" else Decimal(0)
            m = _WEIGHT_RE.match(raw)
            if m:
                weight = Decimal(m.group(1))
                raw = raw[m.end():]
                if piece.marker == "=" and weight != 100:
                    b.problem(piece.offset, _("'=' marks the right answer; write partial credit as ~%50%"))
                    ok = False
                if not -100 <= weight <= 100:
                    b.problem(piece.offset, _("a weight must be between -100% and 100%"))
                    ok = False
            text, fb = _feedback(raw)
            option = serialize.one_line(_to_markdown(text, fmt))
            if not option:
                b.problem(piece.offset, _("an answer is empty"))
                ok = False
            if index >= 26:
                b.problem(piece.offset, _("too many answers (at most 26)"))
                return False
            options.append({"key": key, "text": option})
            if fb.strip():
                # Moodle shows an answer's feedback to whoever chose that answer: kept on the option.
                options[-1]["feedback"] = serialize.option_text(_to_markdown(fb, fmt))
            if piece.marker == "=":
                right.append(key)
            elif weight:
                weights[key] = weight
        if not ok:
            return False
        if len(options) < 2:
            b.problem(base, _("a choice question needs at least two answers"))
            return False
        if right:
            if len(right) > 1:
                b.problem(base, _("a single-choice question has one right answer (=); for several right answers "
                                  "give each ~%50% style weights"))
                return False
            q.type, q.data = "single", {"options": options, "correct": right}
            for key, weight in weights.items():
                if weight > 0:
                    b.note(base, _("Partial credit %(weight)s%% for answer %(key)s was dropped: a single-choice "
                                   "question has one right answer.", weight=weight, key=key))
            return True
        positive = {k: w for k, w in weights.items() if w > 0}
        if not positive:
            b.problem(base, _("no right answer: mark it with =, or give the right answers positive weights ~%50%"))
            return False
        total = sum(positive.values())
        # As Moodle checks it: the fractions, rounded to two decimals, add up to 1
        # (three right answers of 33.33333% each are fine).
        if round(total / 100, 2) != 1:
            b.problem(base, _("the weights of the right answers add up to %(total)s%%, not 100%%", total=total))
            return False
        q.type = "multiple"
        q.data = {"options": options, "correct": sorted(positive),
                  "weights": {k: float(w) for k, w in weights.items()}}
        return True

    def fill(self, b: _Block, q: ParsedQuestion, answers: str, base: int, feedback: list[str]) -> bool:
        accepted, ok = [], True
        for piece in _split_answers(answers, base, "="):
            raw = piece.text
            weight = Decimal(100)
            m = _WEIGHT_RE.match(raw)
            if m:
                weight, raw = Decimal(m.group(1)), raw[m.end():]
            text, fb = _feedback(raw)
            answer = _literal(text)
            why = serialize.answer_problem(answer)
            if why:
                b.problem(piece.offset, why)
                ok = False
                continue
            if weight == 100:
                accepted.append(answer)
            else:
                b.note(piece.offset, _("The answer '%(answer)s' (%(weight)s%% credit) was dropped: only "
                                       "full-credit answers are accepted.", answer=answer, weight=weight))
            if fb.strip():
                feedback.append(f"- {serialize.one_line(serialize.plain_to_markdown(answer))}："
                                f"{serialize.one_line(_to_markdown(fb, 'moodle'))}")
        if not ok:
            return False
        if not accepted:
            b.problem(base, _("no full-credit answer (=answer or =%100%answer)"))
            return False
        q.type, q.data = "fill", {"blanks": [list(dict.fromkeys(accepted))]}
        return True

    def numeric(self, b: _Block, q: ParsedQuestion, answers: str, base: int, feedback: list[str]) -> bool:
        wrong_at = answers.find("~")
        if wrong_at >= 0:
            _text, fb = _feedback(answers[wrong_at + 1:])
            if fb.strip():
                feedback.append(_to_markdown(fb, "moodle"))
            answers = answers[:wrong_at]
        intervals, ok = [], True
        pieces = _split_answers(answers, base, "=")
        if not pieces:
            b.problem(base, _("a numeric question needs a number after {#"))
            return False
        for piece in pieces:
            raw = piece.text
            weight = Decimal(100)
            m = _WEIGHT_RE.match(raw)
            if m:
                weight, raw = Decimal(m.group(1)), raw[m.end():]
            value, fb = _feedback(raw)
            value = value.strip()
            if ".." in value:
                lo, hi = (_decimal(v) for v in value.split("..", 1))
                if lo is None or hi is None or lo > hi:
                    b.problem(piece.offset, _("'%(value)s' is not a range like 1..5", value=_unescape(value)))
                    ok = False
                    continue
            else:
                number, _colon, tol = value.partition(":")
                centre, margin = _decimal(number), _decimal(tol) if tol.strip() else Decimal(0)
                if centre is None or margin is None or margin < 0:
                    b.problem(piece.offset, _("'%(value)s' is not a number (with an optional :tolerance)",
                                              value=_unescape(value)))
                    ok = False
                    continue
                lo, hi = centre - margin, centre + margin
            if weight == 100:
                intervals.append((lo, hi))
            else:
                b.note(piece.offset, _("The answer %(value)s (%(weight)s%% credit) was dropped: only full-credit "
                                       "answers are accepted.", value=_unescape(value), weight=weight))
            if fb.strip():
                feedback.append(f"- {serialize.plain_to_markdown(_unescape(value))}："
                                f"{serialize.one_line(_to_markdown(fb, 'moodle'))}")
        if not ok:
            return False
        if not intervals:
            b.problem(base, _("no full-credit answer (=number without a % weight)"))
            return False
        widest = max(intervals, key=lambda iv: iv[1] - iv[0])
        if any(lo < widest[0] or hi > widest[1] for lo, hi in intervals):
            b.problem(base, _("several full-credit numbers that are not inside one another; keep one answer "
                              "(with a tolerance or a range)"))
            return False
        lo, hi = widest
        q.type = "numeric"
        q.data = {"answer": float((lo + hi) / 2), "tolerance": float((hi - lo) / 2)}
        return True


def read_gift(text: str, filename: str, id_prefix: str | None = None) -> GiftResult:
    """Questions, problems and notes of a GIFT file; ``id_prefix`` names the
    untitled questions (``<prefix>-001``; default: the file name)."""
    with messages_locale():
        return GiftReader(filename, id_prefix).read(text)


def parse_gift(text: str, filename: str, id_prefix: str | None = None) -> tuple[list[ParsedQuestion], list[Problem]]:
    result = read_gift(text, filename, id_prefix)
    return result.questions, result.problems
