"""Question banks in Excel: import (``parse_xlsx``) and export (``export_xlsx``)
with the template trainers already use.

Sheet 题库, one question per row:

    编号 | 题型 | 题干 | 选项A … 选项F | 答案 | 解析 | 分值 | 难度 | 知识点

- 编号 (optional): the stable id (lower-case letters, digits, ``-``; capitals
  are lowered). Without it a question is ``<bank>-<n>`` by position, so fill
  it in when the bank will be edited and imported again.
- 题型: 单选 多选 判断 填空 数值 简答 (also 单选题…, or single, multiple,
  truefalse, fill, numeric, essay).
- 答案: choice letters (``B``, ``ACD``, ``A,C,D``), or for partial-credit
  multiple choice the weights ``A50%,C50%,B-50%``; 对/错/正确/错误 for
  true/false; fill-in: the stem marks each blank with ``（ ）`` or ``____``
  and 答案 lists the blanks separated by ``;``, the accepted answers of one
  blank by ``|`` (``次级|次级类;可疑``) — or the stem holds the answers
  itself as ``[[次级|次级类]]`` and 答案 stays empty; numeric: a number with
  an optional ``±tolerance`` and unit (``62.5±0.5 %``); essay: the rubric.
- 难度 易/中/难 (default 中); 知识点 separated by 、 or commas; 分值 default 1.
- Cells are markdown; plain text shows as typed.

Sheet 案例题 holds case questions, one row per sub-question: a row with
案例背景 starts a case (its 编号, 难度, 知识点 and 案例解析 go on that row);
the rows below it, 案例背景 empty, are its further sub-questions, lettered
a, b, c…. The other columns mean what they mean on 题库.

Every problem names its row and column (``第 7 行 答案 列（I7）：…``);
any problem and nothing is imported. ``export_xlsx`` writes any list of
questions in exactly this shape, so an exported bank imports back unchanged.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _

from lms import questions as question_types
from lms.content.importers import messages_locale, serialize
from lms.content.importers.gift import Note
from lms.content.schema import ParsedQuestion, Problem, Source
from lms.questions.fill import WRITTEN_BLANK

MAIN_SHEET, CASE_SHEET, HELP_SHEET = "题库", "案例题", "填写说明"
COL_ID, COL_TYPE, COL_STEM, COL_ANSWER, COL_EXPLANATION = "编号", "题型", "题干", "答案", "解析"
COL_POINTS, COL_DIFFICULTY, COL_TAGS = "分值", "难度", "知识点"
COL_SCENARIO, COL_CASE_EXPLANATION = "案例背景", "案例解析"
OPTION_LETTERS = "ABCDEF"
OPTION_COLUMNS = tuple(f"选项{letter}" for letter in OPTION_LETTERS)
MAIN_HEADERS = (COL_ID, COL_TYPE, COL_STEM, *OPTION_COLUMNS, COL_ANSWER, COL_EXPLANATION, COL_POINTS,
                COL_DIFFICULTY, COL_TAGS)
CASE_HEADERS = (COL_ID, COL_SCENARIO, COL_TYPE, COL_STEM, *OPTION_COLUMNS, COL_ANSWER, COL_EXPLANATION,
                COL_POINTS, COL_DIFFICULTY, COL_TAGS, COL_CASE_EXPLANATION)
REQUIRED = (COL_TYPE, COL_STEM)
MAX_ROWS = 5000

# The 题型 names of the types a sheet row holds (a case spans rows of its own sheet).
TYPE_NAMES = {code: t.excel_name for code, t in question_types.TYPES.items() if not t.has_parts}
TYPE_ALIASES = {
    **{code: code for code in TYPE_NAMES}, **{name: code for code, name in TYPE_NAMES.items()},
    **{name + "题": code for code, name in TYPE_NAMES.items()},
    **{alias: code for code, t in question_types.TYPES.items() for alias in t.excel_aliases},
}
CASE_TYPE = next(code for code, t in question_types.TYPES.items() if t.has_parts)
DIFFICULTY_NAMES = {"easy": "易", "medium": "中", "hard": "难"}
DIFFICULTY_ALIASES = {"易": "easy", "简单": "easy", "容易": "easy", "easy": "easy", "中": "medium", "中等": "medium",
                      "一般": "medium", "medium": "medium", "难": "hard", "困难": "hard", "较难": "hard",
                      "hard": "hard"}
TRUE_WORDS = {"对", "正确", "是", "√", "✓", "t", "true", "y", "yes"}
FALSE_WORDS = {"错", "错误", "否", "×", "✗", "x", "f", "false", "n", "no"}
# A blank in a fill-in stem: empty brackets （ ） ( ) or three or more underscores.
BLANK_MARK = WRITTEN_BLANK
INLINE_BLANK = re.compile(r"\[\[(.*?)\]\]")
NUMERIC_ANSWER = re.compile(
    r"^\s*([+-]?(?:\d[\d,，]*)?\.?\d+)\s*(?:(?:±|\+/-|\+-)\s*(\d*\.?\d+))?\s*(.{0,20}?)\s*$")
FEEDBACK_LINE = re.compile(r"^[ \t]*反馈[ \t]*[：:][ \t]*(.*)$", re.M)
LETTER_SEPARATORS = re.compile(r"[\s,，、;；.。]+")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


class XlsxResult:
    def __init__(self):
        self.questions: list[ParsedQuestion] = []
        self.problems: list[Problem] = []
        self.notes: list[Note] = []


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


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
        return _text(self.values.get(header))

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

    def problem(self, sheet: str, row: int, header: str | None, column: int | None, message: str) -> None:
        if header and column:
            cell = _column_letter(column) + str(row)
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

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
            self.result.problems.append(Problem(Source(self.filename), _(
                "The file is not a readable Excel workbook (.xlsx). Save it as “Excel Workbook (*.xlsx)”.")))
            return self.result
        try:
            names = workbook.sheetnames
            main = MAIN_SHEET if MAIN_SHEET in names else next(
                (n for n in names if n not in (CASE_SHEET, HELP_SHEET)), None)
            if main is None and CASE_SHEET not in names:
                self.result.problems.append(Problem(Source(self.filename), _(
                    "The workbook has no sheet of questions (题库).")))
                return self.result
            if main is not None:
                self.sheet(main, workbook[main].iter_rows(values_only=True), case=False)
            if CASE_SHEET in names:
                self.sheet(CASE_SHEET, workbook[CASE_SHEET].iter_rows(values_only=True), case=True)
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
            header = re.sub(r"[\s*＊]", "", _text(value))
            if header and header not in columns:
                columns[header] = index
        required = REQUIRED + ((COL_SCENARIO,) if case else ())
        missing = [h for h in required if h not in columns]
        if missing:
            self.problem(name, 1, None, None, _("the header row lacks the columns %(columns)s (use the template)",
                                                columns="、".join(missing)))
            return
        case_rows: list[list[_Row]] = []
        for number, values in enumerate(rows, start=2):
            if all(_text(v) == "" for v in values):
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
        if _text(raw_points):
            try:
                item.points = float(_text(raw_points).replace(",", ""))
                if not item.points > 0 or item.points > 1000:
                    raise ValueError
            except ValueError:
                row.problem(COL_POINTS, _("the points must be a number above 0 (got “%(value)s”)",
                                          value=_text(raw_points)))
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


# --- export --------------------------------------------------------------------

HELP_ROWS = [
    ("题库导入模板 · 填写说明", ""),
    ("工作表", "“题库”每行一道题；“案例题”每行一个小题；本页是说明，导入时忽略。"),
    ("编号", "可选。题目的固定编号，只用小写字母、数字和 -（如 dep-001）。再次导入同一编号会更新原题，"
           "考试记录仍保留旧版本。不填则按顺序自动编号（题库名-001…），因此题库要反复修改时请填写编号。"),
    ("题型", "单选、多选、判断、填空、数值、简答（也可写 单选题 或 single/multiple/truefalse/fill/numeric/essay）。"),
    ("题干", "题目正文。单元格内可用 Alt+Enter 换行；支持 Markdown（**加粗**），普通文字照原样显示。"),
    ("选项A–F", "只用于单选、多选，从 A 起连续填写，至少两个；需要更多选项时可加列 选项G、选项H……"),
    ("答案 · 单选/多选", "选项字母：B；多选写 ACD 或 A,C,D。多选按选项给部分分时写权重：A50%,C50%,B-50%（正权重之和为 100%）。"),
    ("答案 · 判断", "对 或 错（也可写 正确/错误、√/×）。"),
    ("答案 · 填空", "题干中用 （ ） 或 ____ 标出每个空；答案列按顺序写各空答案，空与空之间用 ; 分隔，"
                 "同一空的多个可接受答案用 | 分隔，如：次级|次级类;可疑。也可以直接在题干里写 [[次级|次级类]]，此时答案列留空。"),
    ("答案 · 数值", "一个数，可加 ± 允许误差和单位，如 62.5±0.5 %、800 万元。"),
    ("答案 · 简答", "评分要点（给阅卷培训师看，学员看不到）。"),
    ("解析", "交卷后按考试设置向学员显示。"),
    ("分值", "大于 0 的数，不填为 1 分。案例题的分值是各小题分值之和。"),
    ("难度", "易、中、难，不填为 中。"),
    ("知识点", "多个知识点用 、 或逗号分隔，如：个人存款、通知存款。组卷和错题本按知识点归类。"),
    ("案例题", "在“案例题”表中，一个案例占若干行：第一行填 案例背景（以及编号、难度、知识点、案例解析），"
            "每行填一个小题的 题型、题干、选项、答案、解析、分值；下面各行的 案例背景 留空，表示同一案例的后续小题，"
            "依次为小题 a、b、c……"),
    ("导入规则", "全部检查通过才会导入：任何一格有问题，系统都会指出第几行、哪一列（如 第 7 行 答案 列（I7）），"
             "题库不做任何改动。导出的题库文件可以修改后直接再导入。"),
]


def _set(sheet, row: int, column: int, value) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, even if the text starts with =


def _row_values(qtype: str, stem: str, data: dict, points: float, explanation: str,
                option_count: int) -> dict[str, object]:
    found = question_types.get(qtype)
    answer, stem = found.excel_answer(data, stem)
    values: dict[str, object] = {COL_TYPE: TYPE_NAMES.get(qtype, qtype), COL_STEM: stem, COL_ANSWER: answer,
                                 COL_EXPLANATION: explanation,
                                 COL_POINTS: int(points) if float(points).is_integer() else points}
    for i, option in enumerate(data.get("options", []) if found.has_options else []):
        text = option["text"] + (f"\n反馈：{option['feedback']}" if option.get("feedback") else "")
        values[f"选项{option['key']}" if len(option["key"]) == 1 else f"选项{chr(65 + i)}"] = text
    return values


def _option_headers(questions: list[ParsedQuestion]) -> tuple[str, ...]:
    most = 6
    for q in questions:
        items = question_types.get(q.type).parts(q.data) or [{"data": q.data}]
        for item in items:
            most = max(most, len(item["data"].get("options", [])))
    return tuple(f"选项{chr(65 + i)}" for i in range(min(most, 26)))


def _write_headers(sheet, headers) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    for column, header in enumerate(headers, start=1):
        _set(sheet, 1, column, header)
        cell = sheet.cell(row=1, column=column)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F3")
        cell.alignment = Alignment(horizontal="center")
    sheet.freeze_panes = "A2"
    widths = {COL_STEM: 50, COL_SCENARIO: 50, COL_EXPLANATION: 36, COL_CASE_EXPLANATION: 30, COL_ID: 16,
              COL_TAGS: 20, COL_ANSWER: 14}
    for column, header in enumerate(headers, start=1):
        sheet.column_dimensions[_column_letter(column)].width = widths.get(header, 16 if header.startswith("选项")
                                                                           else 8)


def export_xlsx(questions: list[ParsedQuestion], *, with_help: bool = True) -> bytes:
    """The questions in the import template: 题库 (one row per question),
    案例题 (one row per sub-question) and 填写说明. ``parse_xlsx`` reads it
    back to the same questions."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    options = _option_headers(questions)
    main_headers = (COL_ID, COL_TYPE, COL_STEM, *options, COL_ANSWER, COL_EXPLANATION, COL_POINTS,
                    COL_DIFFICULTY, COL_TAGS)
    case_headers = (COL_ID, COL_SCENARIO, COL_TYPE, COL_STEM, *options, COL_ANSWER, COL_EXPLANATION, COL_POINTS,
                    COL_DIFFICULTY, COL_TAGS, COL_CASE_EXPLANATION)
    workbook = Workbook()
    main = workbook.active
    main.title = MAIN_SHEET
    cases = workbook.create_sheet(CASE_SHEET)
    _write_headers(main, main_headers)
    _write_headers(cases, case_headers)
    wrap = Alignment(wrap_text=True, vertical="top")

    def put(sheet, headers, row, values):
        for column, header in enumerate(headers, start=1):
            value = values.get(header)
            if value not in (None, ""):
                _set(sheet, row, column, value)
                sheet.cell(row=row, column=column).alignment = wrap

    main_row = case_row = 1
    for q in questions:
        common = {COL_ID: q.id, COL_DIFFICULTY: DIFFICULTY_NAMES.get(q.difficulty, "中"),
                  COL_TAGS: "、".join(q.tags)}
        if not question_types.get(q.type).has_parts:
            main_row += 1
            put(main, main_headers, main_row,
                {**common, **_row_values(q.type, q.stem_md, q.data, q.points, q.explanation_md, len(options))})
            continue
        for index, part in enumerate(q.data.get("parts", [])):
            case_row += 1
            values = _row_values(part["type"], part["stem"], part["data"], part["points"],
                                 part.get("explanation", ""), len(options))
            if index == 0:
                values.update(common)
                values[COL_SCENARIO] = q.stem_md
                values[COL_CASE_EXPLANATION] = q.explanation_md
            put(cases, case_headers, case_row, values)
    if with_help:
        help_sheet = workbook.create_sheet(HELP_SHEET)
        help_sheet.column_dimensions["A"].width = 18
        help_sheet.column_dimensions["B"].width = 100
        for number, (label, text) in enumerate(HELP_ROWS, start=1):
            _set(help_sheet, number, 1, label)
            if text:
                _set(help_sheet, number, 2, text)
            help_sheet.cell(row=number, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        from openpyxl.styles import Font

        help_sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_xlsx() -> bytes:
    """The blank template: headers of both sheets and the instructions."""
    return export_xlsx([])
