"""The Excel question-bank template both ways: sheet and column names, the
words a cell may use, and how a cell's value reads as text (``xlsx`` reads a
workbook, ``xlsx_export`` writes one).

Sheet 题库, one question per row:

    编号 | 题型 | 题干 | 选项A … 选项F | 答案 | 解析 | 分值 | 难度 | 知识点

- 编号 (optional): the stable id (lower-case letters, digits, ``-``; capitals
  are lowered). Without it a question is ``<bank>-<n>`` by position, so fill
  it in when the bank will be edited and imported again.
- 题型: 单选 多选 判断 填空 数值 简答 (also 单选题…, or single, multiple,
  truefalse, fill, numeric, essay).
- 答案: choice letters (``B``, ``ACD``, ``A,C,D``, ``A、C/D``), or for partial-credit
  multiple choice the weights ``A50%,C50%,B-50%``; 对/错/正确/错误 for
  true/false; fill-in: the stem marks each blank with ``（ ）`` or ``____``
  and 答案 lists the blanks separated by ``;``, the accepted answers of one
  blank by ``|`` (``次级|次级类;可疑``) — or the stem holds the answers
  itself as ``[[次级|次级类]]`` and 答案 stays empty; numeric: a number with
  an optional ``±tolerance`` and unit (``62.5±0.5 %``); essay: the rubric.
- 难度 易/中/难 (default 中); 知识点 separated by 、 or commas; 分值 default 1.
- Cells are markdown; plain text shows as typed.

A title row above the headers is skipped, and so is a header of two rows:
选项 merged over the option columns with A, B, C… (or 选项A…) in the row
below it, the other headers merged down over both rows.

Sheet 案例题 holds case questions, one row per sub-question: a row with
案例背景 starts a case (its 编号, 难度, 知识点 and 案例解析 go on that row);
the rows below it, 案例背景 empty, are its further sub-questions, lettered
a, b, c…. The other columns mean what they mean on 题库.

Every problem names its row and column (``第 7 行 答案 列 (I7)：…``);
any problem and nothing is imported. ``export_xlsx`` writes any list of
questions in exactly this shape, so an exported bank imports back unchanged.
"""
from __future__ import annotations

from datetime import datetime, time

import re

from lms.questions.fill import WRITTEN_BLANK

MAIN_SHEET, CASE_SHEET, HELP_SHEET = "题库", "案例题", "填写说明"
COL_ID, COL_TYPE, COL_STEM, COL_ANSWER, COL_EXPLANATION = "编号", "题型", "题干", "答案", "解析"
COL_POINTS, COL_DIFFICULTY, COL_TAGS = "分值", "难度", "知识点"
COL_SCENARIO, COL_CASE_EXPLANATION = "案例背景", "案例解析"
OPTION_LETTERS = "ABCDEF"
OPTION_GROUP = "选项"  # a group header merged over the option columns, A B C D in the row below it
OPTION_COLUMNS = tuple(f"选项{letter}" for letter in OPTION_LETTERS)
MAIN_HEADERS = (COL_ID, COL_TYPE, COL_STEM, *OPTION_COLUMNS, COL_ANSWER, COL_EXPLANATION, COL_POINTS,
                COL_DIFFICULTY, COL_TAGS)
CASE_HEADERS = (COL_ID, COL_SCENARIO, COL_TYPE, COL_STEM, *OPTION_COLUMNS, COL_ANSWER, COL_EXPLANATION,
                COL_POINTS, COL_DIFFICULTY, COL_TAGS, COL_CASE_EXPLANATION)
REQUIRED = (COL_TYPE, COL_STEM)
MAX_ROWS = 5000

# A blank in a fill-in stem: empty brackets （ ） ( ) or three or more underscores.
BLANK_MARK = WRITTEN_BLANK
INLINE_BLANK = re.compile(r"\[\[(.*?)\]\]")
NUMERIC_ANSWER = re.compile(
    r"^\s*([+-]?(?:\d[\d,，]*)?\.?\d+)\s*(?:(?:±|\+/-|\+-)\s*(\d*\.?\d+))?\s*(.{0,20}?)\s*$")
FEEDBACK_LINE = re.compile(r"^[ \t]*反馈[ \t]*[：:][ \t]*(.*)$", re.M)
LETTER_SEPARATORS = re.compile(r"[\s,，、;；.。/]+")  # "A、C/D": the separators trainers mix
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):  # a date cell: WPS and Excel turn a typed 2026年9月14日 into one
        if value.time() == time(0):
            return f"{value.year}年{value.month}月{value.day}日"
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)
