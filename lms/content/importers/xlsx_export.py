"""Question banks in Excel: export (``export_xlsx``) in the import template,
and the blank template; ``lms.content.importers.xlsx`` reads them back."""
from __future__ import annotations

import io
import re

from lms import questions as question_types
from lms.content.importers.xlsx_sheet import (
    CASE_SHEET, COL_ANSWER, COL_CASE_EXPLANATION, COL_DIFFICULTY, COL_EXPLANATION, COL_ID, COL_POINTS, COL_SCENARIO,
    COL_STEM, COL_TAGS, COL_TYPE, HELP_SHEET, MAIN_SHEET, column_letter,
)
from lms.content.source.words import DIFFICULTY_NAMES, TYPE_NAMES
from lms.content.schema import ParsedQuestion
from lms.control_characters import shown_direction_characters

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
    ("导入规则", "全部检查通过才会导入：任何一格有问题，系统都会指出第几行、哪一列（如 第 7 行 答案 列 (I7)），"
             "题库不做任何改动。导出的题库文件可以修改后直接再导入。"),
]


# What a worksheet cannot hold (XML 1.0): control characters but tab, newline and CR, and U+FFFE/U+FFFF.
# A stem pasted from Word with a vertical tab made the export a server error (openpyxl refuses it).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _set(sheet, row: int, column: int, value) -> None:
    if isinstance(value, str):
        # A text-direction control (a stem stored before imports refused them)
        # written out, so the trainer sees it and the next import is not refused for it.
        value = shown_direction_characters(_ILLEGAL.sub("", value))
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
        sheet.column_dimensions[column_letter(column)].width = widths.get(header, 16 if header.startswith("选项")
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
