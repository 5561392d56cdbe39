"""The cells of a question bank's rows (``xlsx``): a row, what it says, and
how the answer and option columns become each question type's data. Every
problem names its sheet, row and column."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _

from lms import questions as question_types
from lms.content.importers import serialize
from lms.content.importers.gift import Note
from lms.content.importers.xlsx_sheet import (
    BLANK_MARK, COL_ANSWER, COL_STEM, FEEDBACK_LINE, INLINE_BLANK, LETTER_SEPARATORS, MAIN_SHEET,
    NUMERIC_ANSWER, OPTION_COLUMNS, OPTION_LETTERS, cell_text, column_letter,
)
from lms.content.schema import ParsedQuestion, Problem, Source
from lms.content.source.words import truth_value
from lms.numbers import counted
from lms.xlsx_hidden import Hidden

# An answer cell written as in Word: "答案：B", "正确答案: AC", or in quotes ("“B”").
WRITTEN_KEY = re.compile(r"\s*(?:(?:正确)?答案\s*[:：]\s*)?[“\"'‘]?\s*([A-Za-z][A-Za-z,，、;；/\s]*?)\s*[”\"'’]?\s*")

WRITTEN_TRUTH = re.compile(r"\s*(?:正确)?答案\s*[:：]\s*(\S+?)\s*")


class XlsxResult:
    def __init__(self):
        self.questions: list[ParsedQuestion] = []
        self.problems: list[Problem] = []
        self.notes: list[Note] = []


@dataclass
class Row:
    """One row of a sheet, with a way to report a problem on one of its cells."""

    reader: CellReader
    sheet: str
    number: int
    values: dict[str, object]
    columns: dict[str, int]
    failed: bool = False

    def __getitem__(self, header: str) -> str:
        return cell_text(self.values.get(header))

    def raw(self, header: str):
        return self.values.get(header)

    def problem(self, header: str | None, message: str) -> None:
        self.failed = True
        self.reader.problem(self.sheet, self.number, header, self.columns.get(header) if header else None, message)


@dataclass
class Item:
    """What one row says (a question, or a part of a case)."""

    row: Row
    type: str = ""
    stem: str = ""
    data: dict = field(default_factory=dict)
    points: float = 1.0
    explanation: str = ""


class CellReader:
    """What a row's cells say, in the bank's terms: the answer and option
    columns of each question type (a type's ``from_excel_row`` calls these),
    each problem named by sheet, row and column."""

    def __init__(self, filename: str, id_prefix: str | None = None):
        self.filename = filename
        stem = Path(filename).name.split(".")[0]
        self.prefix = serialize.slugify(id_prefix or "", limit=60) or serialize.slugify(stem, limit=60) or "xlsx"
        self.result = XlsxResult()
        self.ids: dict[str, int] = {}  # given id → row
        self.pending: list[tuple[ParsedQuestion, bool]] = []  # (question, id given)
        self.feedback: dict[tuple[str, int, str], str] = {}  # (sheet, row, option letter) → feedback
        self.hiding: dict[str, Hidden] = {}  # sheet → the rows and columns Excel does not show

    def problem(self, sheet: str, row: int, header: str | None, column: int | None, message: str) -> None:
        if header and column:
            cell = column_letter(column) + str(row)
            where = _("Row %(row)s, column %(header)s (%(cell)s)", row=row, header=header, cell=cell)
        elif header:
            where = _("Row %(row)s, column %(header)s", row=row, header=header)
        else:
            where = _("Row %(row)s", row=row)
        if sheet != MAIN_SHEET:
            where = _("Sheet %(sheet)s, %(where)s", sheet=sheet, where=where)
        self.result.problems.append(Problem(Source(self.filename, row, column),
                                            _("%(where)s: %(message)s", where=where, message=message)))

    def written_key(self, row: Row, answer: str, pattern: re.Pattern) -> str:
        """The key of a cell written as a question is in Word ("答案：B", "“B”"), with a note."""
        written = pattern.fullmatch(answer)
        if written is None or written[1] == answer:
            return answer
        self.result.notes.append(Note(row.number, _("答案 “%(cell)s” is read as %(key)s", cell=row[COL_ANSWER],
                                                    key=written[1])))
        return written[1]

    def truefalse(self, row: Row, answer: str) -> dict:
        value = truth_value(self.written_key(row, answer, WRITTEN_TRUTH))
        if value is not None:
            return {"correct": value}
        row.problem(COL_ANSWER, _("a true/false answer is 对 or 错 (got “%(value)s”)", value=answer))
        return {}

    def rubric(self, row: Row, answer: str) -> dict:
        return {"rubric": serialize.markdown_safe(answer)}

    def options(self, row: Row, qtype: str) -> list[tuple[str, str]]:
        found = []
        for header in sorted(h for h in row.columns if re.fullmatch(r"选项[A-Z]", h)):
            cell = row[header]
            match = FEEDBACK_LINE.search(cell)  # 反馈：… on its own line: the option's feedback
            text, feedback = (cell[:match.start()], match.group(1) + cell[match.end():]) if match else (cell, "")
            text = serialize.option_text(serialize.markdown_safe(text))
            if feedback.strip():
                self.feedback[(row.sheet, row.number, header[-1])] = serialize.option_text(
                    serialize.markdown_safe(feedback))
            found.append((header[-1], text, header))
        found_type = question_types.find(qtype)
        if found_type is None or not found_type.has_options:
            for _letter, text, header in found:
                if text:
                    row.problem(header, _("only choice questions have options; leave this cell empty"))
                    break
            return []
        while found and not found[-1][1]:
            found.pop()
        for expected, (letter, text, header) in zip(OPTION_LETTERS + "GHIJKLMNOPQRSTUVWXYZ", found):
            if letter != expected or not text:
                row.problem(header if letter == expected else f"选项{expected}",
                            _("option %(letter)s is empty but a later option is filled in", letter=expected))
                return []
        if len(found) < 2:
            row.problem(OPTION_COLUMNS[len(found)] if len(found) < len(OPTION_COLUMNS) else None,
                        _("a choice question needs at least two options (选项A, 选项B …)"))
            return []
        return [(letter, text) for letter, text, _header in found]

    def choice(self, row: Row, qtype: str, options, answer: str) -> dict:
        if not options:
            return {}
        # Typed in a Chinese input method's full-width mode: "ＡＣ", "Ａ５０％".
        answer = unicodedata.normalize("NFKC", answer)
        answer = self.written_key(row, answer, WRITTEN_KEY)
        if "weights" in question_types.get(qtype).bank_keys and "%" in answer:
            return self.weighted_choice(row, options, answer)
        letters = LETTER_SEPARATORS.sub("", answer).upper()
        if not letters:
            row.problem(COL_ANSWER, _("the answer is missing: write the letter of the right option, e.g. B"))
            return {}
        if not re.fullmatch(r"[A-Z]+", letters):
            row.problem(COL_ANSWER, _("write the answer as option letters, e.g. B or ACD (got “%(value)s”)",
                                      value=answer))
            return {}
        chosen = sorted(set(letters))
        if question_types.get(qtype).single_answer and len(chosen) != 1:
            row.problem(COL_ANSWER, _("a single-choice question has exactly one answer"))
            return {}
        keys = [letter for letter, _text in options]
        for letter in chosen:
            if letter not in keys:
                row.problem(COL_ANSWER, _("the answer %(letter)s names an option that is empty", letter=letter))
                return {}
        return {"options": self.option_dicts(row, options), "correct": chosen}

    def option_dicts(self, row: Row, options) -> list[dict]:
        """Options with their own feedback (a ``反馈：`` line in the option's cell)."""
        out = []
        for key, text in options:
            feedback = self.feedback.get((row.sheet, row.number, key))
            out.append({"key": key, "text": text, **({"feedback": feedback} if feedback else {})})
        return out

    def weighted_choice(self, row: Row, options, answer: str) -> dict:
        """Partial-credit weights as GIFT has them: ``A50%,C50%,B-50%`` (the
        right answers carry the positive weights, adding up to 100)."""
        keys = [letter for letter, _text in options]
        weights: dict[str, float] = {}
        for entry in (e.strip() for e in re.split(r"[,，;；、\s]+", answer) if e.strip()):
            match = re.fullmatch(r"([A-Fa-f])\s*([-+]?\d+(?:\.\d+)?)%", entry)
            if not match or match.group(1).upper() not in keys or not -100 <= float(match.group(2)) <= 100:
                row.problem(COL_ANSWER, _("write weights as option letter and percent, e.g. A50%%,C50%%,B-50%% "
                                          "(got “%(value)s”)", value=entry))
                return {}
            weights[match.group(1).upper()] = float(match.group(2))
        positive = sorted(k for k, v in weights.items() if v > 0)
        if not positive or abs(sum(weights[k] for k in positive) - 100) > 0.5:
            row.problem(COL_ANSWER, _("the positive weights must add up to 100%%"))
            return {}
        return {"options": self.option_dicts(row, options), "correct": positive, "weights": weights}

    def fill(self, row: Row, stem: str, answer: str) -> tuple[str, dict]:
        raw_stem = row[COL_STEM]
        inline = INLINE_BLANK.findall(raw_stem)
        blanks: list[list[str]] = []
        if inline:
            if answer:
                row.problem(COL_ANSWER, _("the stem holds the answers in [[ ]]; leave 答案 empty"))
                return stem, {}
            for group in inline:
                blanks.append([a.strip() for a in group.split("|") if a.strip()])
            # Markdown-safe escaped the brackets; put the blanks back as {{n}}.
            counter = iter(range(1, len(inline) + 1))
            stem = re.sub(r"\\\[\\\[(.*?)\\\]\\\]", lambda _m: "{{%d}}" % next(counter), stem)
        else:
            marks = BLANK_MARK.findall(stem)
            if not marks:
                row.problem(COL_STEM, _("mark each blank in the stem with （ ） or ____ (or write [[answer]])"))
                return stem, {}
            groups = [g for g in re.split(r"[;；]", answer)] if answer else []
            blanks = [[a.strip() for a in g.split("|") if a.strip()] for g in groups]
            if len(blanks) != len(marks):
                row.problem(COL_ANSWER, counted("the stem has %(num)s blank but the answer gives %(answers)s "
                                                "(separate blanks with ;)",
                                                "the stem has %(num)s blanks but the answer gives %(answers)s "
                                                "(separate blanks with ;)", len(marks), answers=len(blanks)))
                return stem, {}
            counter = iter(range(1, len(marks) + 1))
            stem = BLANK_MARK.sub(lambda _m: "{{%d}}" % next(counter), stem)
        for accepted in blanks:
            if not accepted:
                row.problem(COL_ANSWER if not inline else COL_STEM, _("a blank has no accepted answer"))
                return stem, {}
            for a in accepted:
                why = serialize.answer_problem(a)
                if why:
                    row.problem(COL_ANSWER if not inline else COL_STEM, why)
                    return stem, {}
        return stem, {"blanks": blanks}

    def numeric(self, row: Row, answer: str) -> dict:
        raw = row.raw(COL_ANSWER)
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return {"answer": float(raw), "tolerance": 0.0}
        answer = (answer or "").replace("\u2212", "-")  # a typographic minus, as Word and statements print it
        m = NUMERIC_ANSWER.match(answer)
        if not answer or not m or re.search(r"[\d±+]", m.group(3) or ""):
            row.problem(COL_ANSWER, _("a numeric answer is a number with an optional ±tolerance and unit, "
                                      "e.g. 62.5±0.5 %% (got “%(value)s”)", value=answer))
            return {}
        value = float(m.group(1).replace(",", "").replace("，", ""))
        data = {"answer": value, "tolerance": float(m.group(2) or 0)}
        if m.group(3):
            data["unit"] = m.group(3)
        return data
