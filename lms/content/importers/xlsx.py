"""Question banks in Excel: the import (``read_xlsx``, ``parse_xlsx``) of the
template trainers already use, described in ``xlsx_sheet``. This module reads
the workbook, its sheets and rows; ``xlsx_cells`` what a row's cells say. Every
problem names its row and column; any problem and nothing is imported."""
from __future__ import annotations

import io
import re
import unicodedata
from itertools import chain, islice
import zipfile
from xml.etree.ElementTree import ParseError

from flask_babel import gettext as _
from flask_babel import ngettext

from lms import punctuation
from lms import questions as question_types
from lms.content.importers import messages_locale, serialize
from lms.content.importers.gift import Note
from lms.content.importers.xlsx_cells import CellReader, Item, Row, XlsxResult
from lms.content.importers.xlsx_sheet import (
    CASE_HEADERS, CASE_SHEET, COL_ANSWER, COL_CASE_EXPLANATION, COL_DIFFICULTY, COL_EXPLANATION, COL_ID, COL_POINTS,
    COL_SCENARIO, COL_STEM, COL_TAGS, COL_TYPE, HELP_SHEET, ID_RE, MAIN_HEADERS, MAIN_SHEET, MAX_ROWS, OPTION_GROUP,
    OPTION_LETTERS, REQUIRED, cell_text,
)
from lms.content.source.words import CASE_TYPE, DIFFICULTY_ALIASES, MATCHING_WORDS, ORDERING_WORDS, TYPE_ALIASES
from lms.content.schema import ParsedQuestion, Problem, Source
from lms.content.source.pasted import unquoted_id
from lms.xlsx_hidden import hidden_cells, numbers_text
from lms.xlsx_safety import unpacked_problem


def percent_text(value: float) -> str:
    """A number Excel shows as a percentage (0.25 in a cell formatted 0%), as
    shown: "25%"."""
    shown = round(value * 100, 9)
    return (str(int(shown)) if shown.is_integer() else repr(shown)) + "%"


def shown_values(rows):
    """The values of each row's cells; a number in a cell formatted as a
    percentage is read as Excel shows it ("25%", not 0.25): a numeric answer
    typed as 25% is 25 with the unit %, which is what a learner types."""
    for cells in rows:
        yield tuple(percent_text(cell.value) if isinstance(cell.value, (int, float))
                    and not isinstance(cell.value, bool) and "%" in (getattr(cell, "number_format", None) or "")
                    else cell.value for cell in cells)


class XlsxReader(CellReader):
    # -- the workbook -----------------------------------------------------------

    def read(self, data: bytes) -> XlsxResult:
        try:
            return self._read(data)
        except ParseError:
            # XML no Excel writes: entity declarations (a billion laughs, an external entity —
            # expat refuses both) or a damaged part. Was a server error.
            self.result.questions = []
            self.result.problems.append(Problem(Source(self.filename), _(
                "The file is not a readable Excel workbook (.xlsx). Save it as “Excel Workbook (*.xlsx)”.")))
            return self.result

    def _read(self, data: bytes) -> XlsxResult:
        from openpyxl import load_workbook

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
                rows = shown_values(workbook[name].iter_rows())
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
        required = REQUIRED + ((COL_SCENARIO,) if case else ())
        header_row, header_values, columns = 1, first, _headers(first)
        # A title above the headers (a merged 普惠小微贷款题库（2026版） across the sheet, as WPS
        # templates have): the headers are on the first of the top rows that holds them.
        while any(h not in columns for h in required) and header_row < HEADER_ROWS_LOOKED_AT:
            following = next(rows, None)
            if following is None:
                break
            header_row += 1
            if all(h in _headers(following) for h in required):
                header_values, columns = following, _headers(following)
        missing = [h for h in required if h not in columns]
        if missing:
            columns = _headers(first)
            self.problem(name, 1, None, None, _("the header row lacks the columns %(columns)s (use the template)",
                                                columns=punctuation.listing([h for h in required
                                                                             if h not in columns])))
            return
        header_top = header_row  # below a title; a second header row (A B C D) may follow
        if OPTION_GROUP in columns:
            # A header of two rows: 选项 merged over four cells, A/B/C/D below it (the other
            # headers merged down over both rows).
            below = next(rows, None)
            labels = _group_labels(header_values, below) if below is not None else None
            if labels is None:
                rows = chain(() if below is None else (below,), rows)  # a question, not labels: read it
            else:
                header_row += 1
                wrong = False
                for index, label in labels:
                    option = _option_header(label)
                    if option is None:
                        letter = OPTION_LETTERS[min(index - columns[OPTION_GROUP], len(OPTION_LETTERS) - 1)]
                        self.problem(name, header_row, OPTION_GROUP, index, _(
                            "the labels under “%(group)s” must be the option letters %(letters)s (got “%(value)s”): "
                            "write %(letter)s, or make the header one row (选项A, 选项B …)", group=OPTION_GROUP,
                            letters=punctuation.listing(list(OPTION_LETTERS)), value=label, letter=letter))
                        wrong = True
                    else:
                        columns.setdefault(option, index)
                if wrong:
                    return
        hiding = self.hiding.get(name)
        if hiding:
            for header, index in columns.items():
                if header in (CASE_HEADERS if case else MAIN_HEADERS) and hiding.column(index):
                    self.problem(name, header_top, header, index, _(
                        "this column is hidden in Excel, yet it would be imported: unhide it and check it, then "
                        "upload the file again."))
        hidden_rows: list[int] = []
        case_rows: list[list[Row]] = []
        for number, values in enumerate(rows, start=header_row + 1):
            if all(cell_text(v) == "" for v in values):
                continue
            if hiding and number in hiding.rows:
                hidden_rows.append(number)  # refused below, not read
                continue
            if number > MAX_ROWS + 1:
                self.problem(name, number, None, None, _("at most %(n)s questions per sheet", n=MAX_ROWS))
                return
            row = Row(self, name, number, {h: values[i - 1] if i - 1 < len(values) else None
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

    def question_row(self, row: Row) -> None:
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

    def case(self, rows: list[Row]) -> None:
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

    def type_of(self, row: Row) -> str:
        raw = row[COL_TYPE]
        if not raw:
            row.problem(COL_TYPE, _("the question type is missing (单选, 多选, 判断, 填空, 数值 or 简答)"))
            return ""
        qtype = TYPE_ALIASES.get(raw.replace(" ", "").lower()) or (CASE_TYPE if raw.startswith("案例") or
                                                                       raw.lower() == CASE_TYPE else None)
        if qtype is None:
            row.problem(COL_TYPE, _unsupported_type(raw) or _(
                "unknown question type “%(value)s” (单选, 多选, 判断, 填空, 数值 or 简答)", value=raw))
            return ""
        return qtype

    def meta(self, row: Row) -> tuple[str | None, str, list[str]] | None:
        qid = None
        raw_id = unquoted_id(row[COL_ID], lambda note: self.result.notes.append(Note(row.number, note)))
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

    def item(self, row: Row, qtype: str) -> Item | None:
        if not qtype:
            return None
        item = Item(row, type=qtype)
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

def _unsupported_type(raw: str) -> str | None:
    """What to write in the sheet instead of a matching or an ordering question (连线题, 排序题), or None."""
    word = raw.replace(" ", "").lower()
    if word in MATCHING_WORDS:
        return _("there is no matching question (“%(value)s”): put it on the sheet 案例题 as a case, one row for "
                 "each item to match (题型 单选, its options the choices it is matched with)", value=raw)
    if word in ORDERING_WORDS:
        return _("there is no ordering question (“%(value)s”): write it as a 单选 whose options are orders "
                 "(评估 → 匹配 → 揭示), or on the sheet 案例题 as a case with one row for each step", value=raw)
    return None


# How far down a title may push the header row.
HEADER_ROWS_LOOKED_AT = 5


def _headers(values) -> dict[str, int]:
    """The column of each header of a row (its first place); "题型*" or "选项 A"
    as some templates write them."""
    columns: dict[str, int] = {}
    for index, value in enumerate(values, start=1):
        header = _header_text(value)
        if header and header not in columns:
            columns[header] = index
    return columns


def _group_labels(top, below) -> list[tuple[int, str]] | None:
    """The labels under the group header 选项 (column, text), when ``below`` is
    the second row of a two-row header: it writes only under 选项 and the empty
    cells of its merged span. None when ``below`` is a question's row."""
    group_start = None
    labels = []
    for index in range(1, max(len(top), len(below)) + 1):
        head = _header_text(top[index - 1] if index - 1 < len(top) else None)
        if head:
            group_start = index if head == OPTION_GROUP else None
        label = _header_text(below[index - 1] if index - 1 < len(below) else None)
        if not label:
            continue
        if group_start is None:
            return None  # a cell under 题型, 题干 …: a question
        labels.append((index, label))
    return labels or None


def _option_header(label: str) -> str | None:
    """选项A for a label A (Ａ, a) or 选项A under the group; None for anything else."""
    letter = unicodedata.normalize("NFKC", label).upper().removeprefix(OPTION_GROUP)
    return OPTION_GROUP + letter if len(letter) == 1 and letter in OPTION_LETTERS else None


def _header_text(value) -> str:
    return re.sub(r"[\s*＊]", "", cell_text(value))


def read_xlsx(data: bytes, filename: str, id_prefix: str | None = None) -> XlsxResult:
    """Questions, problems (row and column each) and notes of a workbook."""
    with messages_locale():
        return XlsxReader(filename, id_prefix).read(data)


def parse_xlsx(data: bytes, filename: str, id_prefix: str | None = None
               ) -> tuple[list[ParsedQuestion], list[Problem]]:
    result = read_xlsx(data, filename, id_prefix)
    return result.questions, result.problems
