"""Question banks in Excel: the import (``read_xlsx``, ``parse_xlsx``) of the
template trainers already use, described in ``xlsx_sheet``. Every problem names
its row and column; any problem and nothing is imported."""
from __future__ import annotations

import io
import re
from itertools import islice
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import ngettext

from lms import questions as question_types
from lms.content.importers import messages_locale, serialize
from lms.content.importers.gift import Note
from lms.content.schema import ParsedQuestion, Problem, Source
from lms.xlsx_hidden import Hidden, hidden_cells, numbers_text

from lms.content.importers.xlsx_sheet import (
    BLANK_MARK, CASE_HEADERS, CASE_SHEET, CASE_TYPE, COL_ANSWER, COL_CASE_EXPLANATION, COL_DIFFICULTY, COL_EXPLANATION, COL_ID, COL_POINTS, COL_SCENARIO, COL_STEM, COL_TAGS, COL_TYPE, DIFFICULTY_ALIASES, FALSE_WORDS, FEEDBACK_LINE, HELP_SHEET, ID_RE, INLINE_BLANK, LETTER_SEPARATORS, MAIN_HEADERS, MAIN_SHEET, MAX_ROWS, NUMERIC_ANSWER, OPTION_COLUMNS, OPTION_LETTERS, REQUIRED, TRUE_WORDS, TYPE_ALIASES, cell_text, column_letter,
)


class XlsxResult:
    def __init__(self):
        self.questions: list[ParsedQuestion] = []
        self.problems: list[Problem] = []
        self.notes: list[Note] = []


@dataclass
class _Row:
    """One row of a sheet, with a way to report a problem on one of its cells."""

    reader: XlsxReader
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
class _Item:
    """What one row says (a question, or a part of a case)."""

    row: _Row
    type: str = ""
    stem: str = ""
    data: dict = field(default_factory=dict)
    points: float = 1.0
    explanation: str = ""


class XlsxReader:
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

    # -- the workbook -----------------------------------------------------------

    def read(self, data: bytes) -> XlsxResult:
        from openpyxl import load_workbook

        from lms.xlsx_safety import unpacked_problem

        too_large = unpacked_problem(data)
        if too_large:
            self.result.problems.append(Problem(Source(self.filename), too_large))
            return self.result
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
            self.result.problems.append(Problem(Source(self.filename), _(
                "The file is not a readable Excel workbook (.xlsx). Save it as “Excel Workbook (*.xlsx)”.")))
            return self.result
        self.hiding = hidden_cells(data)
        try:
            names = workbook.sheetnames

            def shown(name: str) -> bool:
                return getattr(workbook[name], "sheet_state", "visible") == "visible"

            others = [n for n in names if n not in (CASE_SHEET, HELP_SHEET)]
            main = MAIN_SHEET if MAIN_SHEET in names else next((n for n in others if shown(n)),
                                                                others[0] if others else None)
            if main is None and CASE_SHEET not in names:
                self.result.problems.append(Problem(Source(self.filename), _(
                    "The workbook has no sheet of questions (题库).")))
                return self.result
            for name, case in ((main, False), (CASE_SHEET if CASE_SHEET in names else None, True)):
                if name is None:
                    continue
                rows = workbook[name].iter_rows(values_only=True)
                if not shown(name):  # what nobody sees is not imported silently
                    if any(any(cell_text(v) for v in row) for row in islice(rows, 1, None)):
                        self.result.problems.append(Problem(Source(self.filename), _(
                            "The sheet %(sheet)s is hidden in Excel, yet its questions would be imported: unhide "
                            "it (or delete it), then upload the file again.", sheet=name)))
                    continue
                self.sheet(name, rows, case=case)
        finally:
            workbook.close()
        self.assign_ids()
        if self.result.problems:
            self.result.questions = []  # all or nothing
        elif not self.result.questions:
            self.result.problems.append(Problem(Source(self.filename), _("The workbook holds no questions.")))
        return self.result

    def sheet(self, name: str, rows, *, case: bool) -> None:
        """Read one sheet; ``rows`` is consumed lazily, so that a workbook
        claiming a million rows stops at MAX_ROWS instead of filling memory."""
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            if not case:
                self.problem(name, 1, None, None, _("the sheet is empty: the first row must hold the column "
                                                    "headers of the template"))
            return
        columns: dict[str, int] = {}
        for index, value in enumerate(first, start=1):
            # "题型*" or "选项 A" as some templates write them.
            header = re.sub(r"[\s*＊]", "", cell_text(value))
            if header and header not in columns:
                columns[header] = index
        required = REQUIRED + ((COL_SCENARIO,) if case else ())
        missing = [h for h in required if h not in columns]
        if missing:
            self.problem(name, 1, None, None, _("the header row lacks the columns %(columns)s (use the template)",
                                                columns="、".join(missing)))
            return
        hiding = self.hiding.get(name)
        if hiding:
            for header, index in columns.items():
                if header in (CASE_HEADERS if case else MAIN_HEADERS) and hiding.column(index):
                    self.problem(name, 1, header, index, _(
                        "this column is hidden in Excel, yet it would be imported: unhide it and check it, then "
                        "upload the file again."))
        hidden_rows: list[int] = []
        case_rows: list[list[_Row]] = []
        for number, values in enumerate(rows, start=2):
            if all(cell_text(v) == "" for v in values):
                continue
            if hiding and number in hiding.rows:
                hidden_rows.append(number)  # refused below, not read
                continue
            if number > MAX_ROWS + 1:
                self.problem(name, number, None, None, _("at most %(n)s questions per sheet", n=MAX_ROWS))
                return
            row = _Row(self, name, number, {h: values[i - 1] if i - 1 < len(values) else None
                                            for h, i in columns.items()}, columns)
            if not case:
                self.question_row(row)
            elif row[COL_SCENARIO]:
                case_rows.append([row])
            elif not case_rows:
                row.problem(COL_SCENARIO, _("a case starts with its scenario (案例背景) on its first row"))
            else:
                case_rows[-1].append(row)
        for group in case_rows:
            self.case(group)
        if hidden_rows:
            where = "" if name == MAIN_SHEET else _("Sheet %(sheet)s: ", sheet=name)
            self.result.problems.append(Problem(Source(self.filename, hidden_rows[0]), where + ngettext(
                "Row %(rows)s is hidden in Excel (hidden, filtered out or folded in a group), yet it would be "
                "imported. Delete the row if it is not to be imported, or unhide it (clear the filter), then upload "
                "the file again.",
                "Rows %(rows)s are hidden in Excel (hidden, filtered out or folded in a group), yet they would be "
                "imported. Delete the rows that are not to be imported, or unhide them (clear the filter), then "
                "upload the file again.", len(hidden_rows), rows=numbers_text(hidden_rows))))

    # -- rows -------------------------------------------------------------------

    def question_row(self, row: _Row) -> None:
        qtype = self.type_of(row)
        if qtype == CASE_TYPE:
            row.problem(COL_TYPE, _("case questions go on the sheet 案例题, one row per sub-question"))
            return
        item = self.item(row, qtype)
        meta = self.meta(row)
        if row.failed or item is None or meta is None:
            return
        qid, difficulty, tags = meta
        self.add(qid, ParsedQuestion(
            id=qid or "", type=item.type, stem_md=item.stem, points=item.points, difficulty=difficulty, tags=tags,
            explanation_md=item.explanation, data=item.data, source=Source(self.filename, row.number)))

    def case(self, rows: list[_Row]) -> None:
        first = rows[0]
        scenario = serialize.markdown_safe(first[COL_SCENARIO])
        meta = self.meta(first)
        for later in rows[1:]:
            for header in (COL_ID, COL_DIFFICULTY, COL_TAGS, COL_CASE_EXPLANATION):
                if later[header]:
                    later.problem(header, _("write this on the first row of the case (the row with 案例背景)"))
        parts = []
        for letter_index, row in enumerate(rows):
            qtype = self.type_of(row)
            if qtype == CASE_TYPE:
                row.problem(COL_TYPE, _("a case cannot contain another case"))
                continue
            item = self.item(row, qtype)
            if item is not None:
                parts.append({"id": chr(ord("a") + letter_index), "type": item.type, "stem": item.stem,
                              "points": item.points, "data": item.data, "explanation": item.explanation})
        if any(r.failed for r in rows) or meta is None:
            return
        qid, difficulty, tags = meta
        self.add(qid, ParsedQuestion(
            id=qid or "", type=CASE_TYPE, stem_md=scenario, points=float(sum(p["points"] for p in parts)),
            difficulty=difficulty, tags=tags, explanation_md=serialize.markdown_safe(first[COL_CASE_EXPLANATION]),
            data={"parts": parts}, source=Source(self.filename, first.number)))

    def add(self, qid: str | None, question: ParsedQuestion) -> None:
        self.pending.append((question, qid is not None))

    def assign_ids(self) -> None:
        n = 0
        taken = {q.id for q, given in self.pending if given}
        for question, given in self.pending:
            if not given:
                while True:
                    n += 1
                    candidate = f"{self.prefix}-{n:03d}"
                    if candidate not in taken:
                        break
                question.id = candidate
                taken.add(candidate)
            self.result.questions.append(question)

    def type_of(self, row: _Row) -> str:
        raw = row[COL_TYPE]
        if not raw:
            row.problem(COL_TYPE, _("the question type is missing (单选, 多选, 判断, 填空, 数值 or 简答)"))
            return ""
        qtype = TYPE_ALIASES.get(raw.replace(" ", "").lower()) or (CASE_TYPE if raw.startswith("案例") or
                                                                       raw.lower() == CASE_TYPE else None)
        if qtype is None:
            row.problem(COL_TYPE, _("unknown question type “%(value)s” (单选, 多选, 判断, 填空, 数值 or 简答)",
                                    value=raw))
            return ""
        return qtype

    def meta(self, row: _Row) -> tuple[str | None, str, list[str]] | None:
        qid = None
        raw_id = row[COL_ID]
        if raw_id:
            qid = raw_id.lower()
            if not ID_RE.match(qid):
                row.problem(COL_ID, _("“%(value)s” is not a valid id: use letters, digits and - (at most 80)",
                                      value=raw_id))
                qid = None
            elif qid in self.ids:
                row.problem(COL_ID, _("the id %(id)s is already used on row %(row)s", id=qid, row=self.ids[qid]))
            else:
                self.ids[qid] = row.number
        raw_difficulty = row[COL_DIFFICULTY]
        difficulty = DIFFICULTY_ALIASES.get(raw_difficulty.lower() if raw_difficulty else "中")
        if difficulty is None:
            row.problem(COL_DIFFICULTY, _("the difficulty is 易, 中 or 难 (got “%(value)s”)", value=raw_difficulty))
        tags = serialize.clean_tags([row[COL_TAGS]])
        if any(len(tag) > 80 for tag in tags):
            row.problem(COL_TAGS, _("a knowledge point is longer than 80 characters"))
        if row.failed:
            return None
        return qid, difficulty or "medium", tags

    def item(self, row: _Row, qtype: str) -> _Item | None:
        if not qtype:
            return None
        item = _Item(row, type=qtype)
        stem = serialize.markdown_safe(row[COL_STEM])
        if not stem:
            row.problem(COL_STEM, _("the stem (题干) is empty"))
        item.explanation = serialize.markdown_safe(row[COL_EXPLANATION])
        raw_points = row.raw(COL_POINTS)
        if cell_text(raw_points):
            try:
                item.points = float(cell_text(raw_points).replace(",", ""))
                if not item.points > 0 or item.points > 1000:
                    raise ValueError
            except ValueError:
                row.problem(COL_POINTS, _("the points must be a number above 0 (got “%(value)s”)",
                                          value=cell_text(raw_points)))
        options = self.options(row, qtype)
        answer = row[COL_ANSWER]
        found = question_types.find(qtype)
        if found is not None:
            stem, item.data = found.from_excel_row(self, row, stem, answer, options)
        item.stem = stem
        return None if row.failed else item

    def truefalse(self, row: _Row, answer: str) -> dict:
        word = answer.lower()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return {"correct": word in TRUE_WORDS}
        row.problem(COL_ANSWER, _("a true/false answer is 对 or 错 (got “%(value)s”)", value=answer))
        return {}

    def rubric(self, row: _Row, answer: str) -> dict:
        return {"rubric": serialize.markdown_safe(answer)}

    def options(self, row: _Row, qtype: str) -> list[tuple[str, str]]:
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

    def choice(self, row: _Row, qtype: str, options, answer: str) -> dict:
        if not options:
            return {}
        # Typed in a Chinese input method's full-width mode: "ＡＣ", "Ａ５０％".
        answer = unicodedata.normalize("NFKC", answer)
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

    def option_dicts(self, row: _Row, options) -> list[dict]:
        """Options with their own feedback (a ``反馈：`` line in the option's cell)."""
        out = []
        for key, text in options:
            feedback = self.feedback.get((row.sheet, row.number, key))
            out.append({"key": key, "text": text, **({"feedback": feedback} if feedback else {})})
        return out

    def weighted_choice(self, row: _Row, options, answer: str) -> dict:
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

    def fill(self, row: _Row, stem: str, answer: str) -> tuple[str, dict]:
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
                row.problem(COL_ANSWER, _("the stem has %(blanks)s blank(s) but the answer gives %(answers)s "
                                          "(separate blanks with ;)", blanks=len(marks), answers=len(blanks)))
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

    def numeric(self, row: _Row, answer: str) -> dict:
        raw = row.raw(COL_ANSWER)
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return {"answer": float(raw), "tolerance": 0.0}
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


def read_xlsx(data: bytes, filename: str, id_prefix: str | None = None) -> XlsxResult:
    """Questions, problems (row and column each) and notes of a workbook."""
    with messages_locale():
        return XlsxReader(filename, id_prefix).read(data)


def parse_xlsx(data: bytes, filename: str, id_prefix: str | None = None
               ) -> tuple[list[ParsedQuestion], list[Problem]]:
    result = read_xlsx(data, filename, id_prefix)
    return result.questions, result.problems
