"""Question banks (``questions/*.md``, content/FORMAT.md): a level-2 heading
with the question's id, ``key: value`` lines, the stem, what the type needs
(options, blanks, answer, rubric, case parts) and ``解析：``.

Every problem names the file and line; a question with problems is still
returned when it has an id, so that duplicate ids and exam draws can be
checked across the whole folder in the same run.
"""
from __future__ import annotations

import math
import re
import unicodedata

from flask_babel import gettext as _

from lms import questions
from lms.content.source.bank_blocks import FENCE, HEADING3, Block, split, split_bank
from lms.content.source.links import check_links
from lms.content.source.markup import check_markup, without_comments
from lms.content.source.pasted import answer_line_message
from lms.questions.base import normalise_text
from lms.questions.fill import blanks_in_tags
from lms.questions.numeric import in_unit, unit_kind_differs
from lms.content.models import DIFFICULTIES, QUESTION_TYPES
from lms.content.schema import ParsedQuestion, Problem, Source
from lms.content.source.words import difficulty_code, truth_value, type_code, type_label, unsupported_type_hint

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
KEY_LINE = re.compile(r"^([A-Za-z_]+)\s*[:：]\s*(.*?)\s*$")  # "type：single" (a Chinese IME's colon) too
OPTION = re.compile(r"^ {0,3}[-*+]\s+\[([ xX])\]\s?(.*)$")
EXPLANATION = re.compile(r"^\s*解析\s*[：:]\s*(.*)$")
RUBRIC = re.compile(r"^\s*评分要点\s*[：:]\s*(.*)$")
FEEDBACK = re.compile(r"^\s*反馈\s*[：:]\s*(.*)$")  # an option's own feedback, indented under it
BLANK = re.compile(r"\[\[(.*?)\]\]")
WRITTEN_LETTER = re.compile(r"^([A-Za-z])\s*[.、．:：)）]\s*\S")  # "A. …", "B、…", "C）…"
TRAILING_COMMENT = re.compile(r"\s+#.*$")
# answer: 62.5±0.5 %  — a number, optionally ±tolerance, optionally a unit (no digits in it)
WRITTEN_ANSWER = re.compile(r"^\s*([+\-\u2212]?[\d,，]*\.?\d+)\s*(?:(?:±|\+/-|\+-)\s*(\d*\.?\d+))?\s*([^\d±+\-.,]{1,20})?\s*$")

COMMON_KEYS = {"type", "points", "difficulty", "tags"}
TYPE_KEYS = {code: set(t.bank_keys) for code, t in questions.TYPES.items() if t.bank_keys}
PART_KEYS = {"type", "points", "answer", "tolerance", "unit"}
# A line that was meant as an option but is not one: full-width brackets
# (［x］, a Chinese input method), "[]" without its space, "[√]".
# A dash typed in full-width mode (－ [x]), or a bullet from Word (•, ·), counts too: it is an option
# that is not written as one, never the stem text it would otherwise become.
LOOSE_OPTION = re.compile(r"^[ \u3000]{0,3}[-*+－—–•·・＊＋]\s*[\[［]\s*[ xX√✓ｘＸ\u3000]?\s*[\]］]")


class _Item:
    """Parses one question or case part; problems go to ``problems``."""

    def __init__(self, block: Block, path: str, problems: list[Problem], *, part_of: str | None = None):
        self.block = block
        self.path = path
        self.problems = problems
        self.part_of = part_of
        self.keys: dict[str, tuple[str, int]] = {}
        self.loose_options = False  # a line meant as an option was reported already

    @property
    def label(self) -> str:  # translated only when a problem needs it (thousands of questions have none)
        if self.part_of:
            return _("part '%(part)s' of %(id)s", part=self.block.ident, id=self.part_of)
        return _("question %(id)s", id=self.block.ident)

    def add(self, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(Source(self.path, line or self.block.line),
                                     _("%(item)s: %(message)s", item=self.label, message=message)))

    # key lines ---------------------------------------------------------------
    def read_keys(self) -> list[tuple[int, str]]:
        body = self.block.body
        i = 0
        while i < len(body) and not body[i][1].strip():
            i += 1
        while i < len(body):
            match = KEY_LINE.match(body[i][1])
            if not match:
                break
            # A trailing "# comment" (as in content/FORMAT.md's examples) is not part of the value.
            key, value = match.group(1), match.group(2)
            if "#" in value:
                value = TRAILING_COMMENT.sub("", value)
            if key in self.keys:
                self.add(_("'%(key)s' is given twice", key=key), body[i][0])
            self.keys[key] = (value, body[i][0])
            i += 1
        return body[i:]

    def check_keys(self, qtype: str) -> None:
        allowed = PART_KEYS if self.part_of else COMMON_KEYS | TYPE_KEYS.get(qtype, set())
        if not qtype:  # the type is wrong already: do not pile up key problems on top
            allowed = allowed | {"answer", "tolerance", "unit"}
        for key, (_value, line) in self.keys.items():
            if key in allowed:
                continue
            if self.part_of and key in ("difficulty", "tags"):
                self.add(_("'%(key)s' belongs to the case, not to its parts", key=key), line)
            elif key in ("answer", "tolerance", "unit"):
                self.add(_("'%(key)s' is not used by questions of type %(type)s", key=key, type=type_label(qtype)),
                         line)
            else:
                expected = sorted(allowed)
                self.add(_("unknown key '%(key)s' (expected one of: %(choices)s)", key=key,
                           choices=", ".join(expected)), line)

    def number(self, key: str, default: float | None, *, minimum: float | None = None,
               positive: bool = False) -> float | None:
        if key not in self.keys:
            return default
        raw, line = self.keys[key]
        try:
            # As a trainer types it: 1,497.83, a typographic minus (−247.46), a tolerance as ±0.01.
            written = raw.replace("，", "").replace(",", "").replace("\u2212", "-")
            if key == "tolerance":
                written = written.removeprefix("±").strip()
            value = float(written)
            if not math.isfinite(value):
                raise ValueError
        except ValueError:
            self.add(_("'%(key)s' must be a number (got '%(value)s')", key=key, value=raw), line)
            return default
        if positive and value <= 0:
            self.add(_("'%(key)s' must be more than 0 (got '%(value)s')", key=key, value=raw), line)
            return default
        if minimum is not None and value < minimum:
            self.add(_("'%(key)s' must be %(minimum)s or more (got '%(value)s')", key=key, minimum="%g" % minimum,
                       value=raw),
                     line)
            return default
        return value

    # the body ---------------------------------------------------------------
    @staticmethod
    def split_at(lines: list[tuple[int, str]], pattern: re.Pattern):
        """(lines before the first match, the match, lines after it); fences respected."""
        in_fence = False
        marker = "解析" if pattern is EXPLANATION else "评分要点"
        for i, (_number, text) in enumerate(lines):
            if ("`" in text or "~" in text) and FENCE.match(text):
                in_fence = not in_fence
            if not in_fence and marker in text:
                match = pattern.match(text)
                if match:
                    return lines[:i], match, lines[i + 1:]
        return lines, None, []

    @staticmethod
    def join(lines: list[tuple[int, str]], first: str = "") -> str:
        text = "\n".join([first] + [t for _n, t in lines]) if first else "\n".join(t for _n, t in lines)
        return text.strip("\n").strip()

    def options(self, lines: list[tuple[int, str]]):
        """(stem lines, options [(checked, text, line, feedback)]); an option's
        indented ``反馈：`` line (and the indented lines after it) is its feedback."""
        stem: list[tuple[int, str]] = []
        options: list[list] = []
        in_fence = False
        for number, text in lines:
            if ("`" in text or "~" in text) and FENCE.match(text):
                in_fence = not in_fence
            match = OPTION.match(text) if "[" in text and not in_fence else None
            if match is None and not in_fence and LOOSE_OPTION.match(text):
                self.add(_("this line looks like an option but is not written as one: write '- [ ] ' or '- [x] ' "
                           "with half-width brackets, a space or an x between them, and a space after them"), number)
                self.loose_options = True
                continue
            if match:
                options.append([match.group(1) != " ", match.group(2).strip(), number, ""])
            elif not options:
                stem.append((number, text))
            elif not text.strip():
                continue
            elif text.startswith(("  ", "\t")) and (options[-1][3] or FEEDBACK.match(text)):
                feedback = FEEDBACK.match(text) if not options[-1][3] else None
                options[-1][3] = feedback.group(1).strip() if feedback else options[-1][3] + "\n" + text.strip()
            elif text.startswith(("  ", "\t")):
                options[-1][1] += "\n" + text.strip()
            else:
                self.add(answer_line_message(text) or _(
                    "text after the options: put the stem before them, or start the explanation with 解析："), number)
        return stem, [tuple(o) for o in options]

    def parse(self):
        """(type, stem_md, data, points, explanation_md)"""
        body = self.read_keys()
        qtype = type_code(self.keys.get("type", ("", 0))[0])
        if "type" not in self.keys:
            self.add(_("'type' is missing (one of: %(choices)s)", choices=", ".join(QUESTION_TYPES)))
            qtype = ""
        elif qtype not in QUESTION_TYPES:
            hint = unsupported_type_hint(qtype)
            self.add(hint or _("unknown question type '%(value)s' (expected one of: %(choices)s)", value=qtype,
                               choices=", ".join(QUESTION_TYPES)),
                     self.keys["type"][1])
            qtype = ""
        found = questions.find(qtype)
        if self.part_of and found is not None and found.has_parts:
            self.add(_("a case cannot contain another case"), self.keys["type"][1])
            qtype, found = "", None
        self.check_keys(qtype)
        points = self.number("points", 1.0, positive=True)
        data: dict = {}
        parts_blocks: list[Block] = []
        if found is not None and found.has_parts:
            body, parts_blocks = split(body, HEADING3)
        content, explanation_match, explanation_lines = self.split_at(body, EXPLANATION)
        explanation = self.join(explanation_lines, explanation_match.group(1)) if explanation_match else ""
        if found is not None and found.has_rubric:
            content, rubric_match, rubric_lines = self.split_at(content, RUBRIC)
            data["rubric"] = self.join(rubric_lines, rubric_match.group(1)) if rubric_match else ""
        stem_lines, options = self.options(content)
        stem = self.join(stem_lines)
        if options and found is not None and not found.has_options:
            self.add(_("options ([ ] / [x]) are only for single and multiple questions"), options[0][2])
        if found is not None:
            read = questions.BankBody(stem=stem, stem_lines=stem_lines, options=options, part_blocks=parts_blocks,
                                      points=points, data=data)
            found.parse_body(self, read)
            stem, points = read.stem, read.points
        if not stem:
            self.add(_("the case has no scenario text") if found is not None and found.has_parts
                     else _("the question has no text (stem)"))
        return qtype, stem, data, points, explanation

    def case_parts(self, parts_blocks: list[Block], points: float) -> tuple[list[dict], float]:
        """A case's parts, and its points: their sum."""
        parts = self.parts(parts_blocks)
        total = sum(part["points"] for part in parts)
        if "points" in self.keys and parts and points != total:
            self.add(_("a case's points are the sum of its parts (%(total)s); remove 'points'", total="%g" % total),
                     self.keys["points"][1])
        return parts, total or points

    def choice_data(self, qtype: str, options) -> dict:
        if len(options) < 2 and not self.loose_options:
            self.add(_("a question of type %(type)s needs at least two options written as '- [ ]' / '- [x]'",
                       type=type_label(qtype)))
        keys = [chr(ord("A") + i) if i < 26 else f"O{i + 1}" for i in range(len(options))]
        correct = [key for key, (checked, *_rest) in zip(keys, options) if checked]
        for checked_text_line in options:
            if not checked_text_line[1]:
                self.add(_("an option has no text"), checked_text_line[2])
        seen: dict[str, str] = {}
        for key, (_c, text, line, _f) in zip(keys, options):
            plain = normalise_text(text)
            if plain and plain in seen:
                # 2.80% and 2.80％, （含） and (含): two options a learner cannot tell apart.
                self.add(_("option %(key)s reads the same as option %(other)s (they differ at most in full-width "
                           "and half-width characters or spaces): a learner cannot tell them apart; change or "
                           "remove one", key=key, other=seen[plain]), line)
            seen.setdefault(plain, key)
        where = options[0][2] if options else None
        if len(options) >= 2 and all((m := WRITTEN_LETTER.match(text)) and m[1].upper() == key
                                     for key, (_c, text, *_r) in zip(keys, options)):
            # "- [x] B. 5 万元": the page letters options itself, and shuffles them.
            self.add(_("the options start with their letters (A. B. …): the exam letters options itself and may "
                       "shuffle them; remove the letters"), where)
        single_answer = questions.get(qtype).single_answer
        if single_answer and len(correct) != 1 and options:
            self.add(_("a single-choice question needs exactly one correct option [x] (found %(n)s)", n=len(correct)),
                     where)
        if not single_answer and not correct and options:
            self.add(_("a multiple-choice question needs at least one correct option [x]"), where)
        data = {"options": [{"key": key, "text": text, **({"feedback": feedback} if feedback else {})}
                            for key, (_c, text, _l, feedback) in zip(keys, options)],
                "correct": correct}
        if "weights" in questions.get(qtype).bank_keys and "weights" in self.keys:
            weights = self.weights(keys, correct)
            if weights:
                data["weights"] = weights
        return data

    def weights(self, keys: list[str], correct: list[str]) -> dict[str, float]:
        """Partial-credit weights in percent, as Moodle's GIFT has them:
        ``weights: A 50, B -50, C 50``. The right answers ([x]) carry the
        positive weights, which add up to 100."""
        raw, line = self.keys["weights"]
        weights: dict[str, float] = {}
        for entry in (part.strip() for part in re.split(r"[,，;；]", raw) if part.strip()):
            match = re.fullmatch(r"([A-Za-z]+[0-9]*)\s*[:=]?\s*([-+]?\d+(?:\.\d+)?)%?", entry)
            if not match:
                self.add(_("weights: '%(entry)s' is not 'option percent', e.g. 'A 50'", entry=entry), line)
                return {}
            key, value = match.group(1).upper(), float(match.group(2))
            if key not in keys:
                self.add(_("weights: there is no option %(key)s", key=key), line)
                return {}
            if not -100 <= value <= 100:
                self.add(_("weights: %(key)s must be between -100 and 100", key=key), line)
                return {}
            weights[key] = value
        positive = sorted(k for k, v in weights.items() if v > 0)
        if positive != sorted(correct):
            self.add(_("weights: the options marked [x] must be exactly those with a positive weight"), line)
            return {}
        total = sum(weights[k] for k in positive)
        if abs(total - 100) > 0.5:  # Moodle accepts 33.333 x 3
            self.add(_("weights: the positive weights add up to %(total)s, not 100", total="%g" % total), line)
            return {}
        return weights

    def truefalse(self) -> bool | None:
        if "answer" not in self.keys:
            self.add(_("a true/false question needs 'answer: true' or 'answer: false'"))
            return None
        raw, line = self.keys["answer"]
        value = truth_value(raw)
        if value is None:
            self.add(_("'answer' must be true or false (对 / 错), got '%(value)s'", value=raw), line)
        return value

    def numeric(self) -> dict:
        if "answer" not in self.keys:
            self.add(_("a numeric question needs 'answer:' with a number"))
        else:
            self.split_written_answer()
        data = {"answer": self.number("answer", None), "tolerance": self.number("tolerance", 0.0, minimum=0)}
        unit = self.keys.get("unit", ("", 0))[0].strip()
        if unit:
            data["unit"] = unit
        return data

    def split_written_answer(self) -> None:
        """``answer: 62.5±0.5 %`` / ``answer: 847.83 万元`` — the Excel template's way — is
        the answer, its tolerance and its unit, as if written on three lines."""
        raw, line = self.keys["answer"]
        match = WRITTEN_ANSWER.match(raw)
        if not match or not (match.group(2) or match.group(3)):
            return
        number, tolerance, unit = match.group(1), match.group(2), (match.group(3) or "").strip()
        if unit and "unit" in self.keys and _same_unit(self.keys["unit"][0].strip()) != _same_unit(unit):
            # answer: 3.5万 with unit: 元 is 35,000 元, as the trainer means it (and as an RM's 3.5万 is read).
            key_unit = self.keys["unit"][0].strip()
            if unit_kind_differs(unit, key_unit):
                self.add(_("the answer is written in %(written)s, which is not the same kind of quantity as the "
                           "unit %(unit)s (an amount and a ratio do not convert): write the answer in %(unit)s, or "
                           "correct 'unit'", written=unit, unit=key_unit), line)
                unit = tolerance = ""  # one problem, not a second one for the figure
            elif in_unit(number, unit, key_unit) is not None:
                number, tolerance = in_unit(number, unit, key_unit), tolerance and in_unit(tolerance, unit, key_unit)
                unit = ""
        self.keys["answer"] = (number, line)
        for key, value in (("tolerance", tolerance), ("unit", unit)):
            if not value:
                continue
            if key in self.keys and _same_unit(self.keys[key][0].lstrip("±").strip()) != _same_unit(value):
                self.add(_("'answer' gives %(key)s %(value)s, but '%(key)s' says %(other)s: write it once",
                           key=key, value=value, other=self.keys[key][0]), self.keys[key][1])
            elif key not in self.keys:
                self.keys[key] = (value, line)

    def blanks(self, stem: str, stem_lines) -> tuple[str, list[list[str]]]:
        blanks: list[list[str]] = []

        def replace(match: re.Match) -> str:
            accepted = [alt.strip() for alt in match.group(1).split("|") if alt.strip()]
            if not accepted:
                line = next((n for n, t in stem_lines if match.group(0) in t), None)
                self.add(_("a blank [[ ]] has no accepted answer"), line)
            blanks.append(accepted)
            return "{{%d}}" % len(blanks)

        stem = BLANK.sub(replace, stem)
        if not blanks:
            self.add(_("a fill question needs at least one blank written as [[答案]] in its stem"))
        for n in blanks_in_tags(stem):
            self.add(_("blank %(n)d stands in an image's description or a link's title, where no text box can "
                       "be shown: put it in the sentence", n=n))
        return stem, blanks

    def parts(self, blocks: list[Block]) -> list[dict]:
        if not blocks:
            self.add(_("a case needs sub-questions (### a, ### b …), each with its own type"))
        parts = []
        seen: dict[str, int] = {}
        for block in blocks:
            if not block.ident:
                self.add(_("a sub-question heading needs an id (### a)"), block.line)
            elif block.ident in seen:
                self.add(_("sub-question '%(part)s' is given twice (lines %(first)s and %(second)s)", part=block.ident,
                           first=seen[block.ident], second=block.line),
                         block.line)
            seen.setdefault(block.ident, block.line)
            item = _Item(block, self.path, self.problems, part_of=self.block.ident)
            qtype, stem, data, points, explanation = item.parse()
            parts.append({"id": block.ident, "type": qtype, "stem": stem, "points": points, "data": data,
                          "explanation": explanation})
        return parts


def _same_unit(text: str) -> str:
    """``％`` and ``%``, ``万 元`` and ``万元`` are one unit (full-width as an input method types it)."""
    return unicodedata.normalize("NFKC", text).replace(" ", "")


def _tags(raw: str) -> list[str]:
    return sorted({tag.strip() for tag in re.split(r"[,，、]", raw) if tag.strip()})


# What the database keeps of a question's bank file (``Question.bank``): a longer path was a
# server error on PostgreSQL when the bank was published.
BANK_PATH_MAX = 200


def parse_question_bank(text: str, path: str, course_id: str | None, *,
                        course_files: set[str] | None = None) -> tuple[list[ParsedQuestion], list[Problem]]:
    """All questions of one bank file. ``course_files`` (paths inside the
    course folder), when given, is used to report broken links and images."""
    problems: list[Problem] = []
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    check_markup(text, path, 1, problems)
    before, blocks = split_bank(without_comments(text))  # a question or option commented out is not there
    for number, line in before:
        stripped = line.strip()
        if stripped and not stripped.startswith("# "):
            problems.append(Problem(Source(path, number), _(
                "text before the first question: each question starts with a heading '## question-id'")))
            break
    if not blocks:
        problems.append(Problem(Source(path, 1), _("the bank has no questions ('## question-id' headings)")))
    if len(path) > BANK_PATH_MAX:
        problems.append(Problem(Source(path, 1), _(
            "the file's path has %(n)d characters: a question bank's may have at most %(max)d (choose shorter "
            "folder or file names)", n=len(path), max=BANK_PATH_MAX)))
    questions: list[ParsedQuestion] = []
    for block in blocks:
        item = _Item(block, path, problems)
        if not ID_RE.match(block.ident):
            item.add(_("invalid id: use lower-case letters, digits and '-' (at most 80)"))
        qtype, stem, data, points, explanation = item.parse()
        difficulty = "medium"
        if "difficulty" in item.keys:
            raw, line = item.keys["difficulty"]
            difficulty = difficulty_code(raw)
            if difficulty not in DIFFICULTIES:
                item.add(_("unknown difficulty '%(value)s' (expected one of: %(choices)s)", value=difficulty,
                           choices=", ".join(DIFFICULTIES)), line)
                difficulty = "medium"
        if course_files is not None and any("](" in t for _n, t in block.body):
            check_links("\n".join(t for _n, t in block.body), path, block.line + 1, course_files, problems)
        questions.append(ParsedQuestion(
            id=block.ident, type=qtype, stem_md=stem, points=points or 1.0, difficulty=difficulty,
            tags=_tags(item.keys.get("tags", ("", 0))[0]), explanation_md=explanation, data=data,
            source=Source(path, block.line), course_id=course_id, bank=path))
    return questions, problems
