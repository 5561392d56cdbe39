"""Excel question banks: a good file, each kind of bad cell with its row and
column, export → import round trip, and the shipped template and example."""
import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from lms.content.source.bank_parser import parse_question_bank
from lms.content.importers.examples import example_questions
from lms.content.importers.serialize import bank_markdown
from lms.content.importers.xlsx import read_xlsx
from lms.content.importers.xlsx_export import export_xlsx, template_xlsx
from lms.content.importers.xlsx_sheet import MAIN_HEADERS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FIELDS = ("id", "type", "stem_md", "points", "difficulty", "tags", "explanation_md", "data")


def workbook(rows, *, headers=MAIN_HEADERS, cases=None, case_headers=None) -> bytes:
    wb = Workbook()
    sheet = wb.active
    sheet.title = "题库"
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    if cases is not None:
        from lms.content.importers.xlsx_sheet import CASE_HEADERS

        case_headers = case_headers or CASE_HEADERS
        case_sheet = wb.create_sheet("案例题")
        case_sheet.append(list(case_headers))
        for row in cases:
            case_sheet.append([row.get(h) for h in case_headers])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def fields(q):
    return tuple(getattr(q, f) for f in FIELDS)


GOOD = [
    {"编号": "DEP-001", "题型": "单选", "题干": "个人通知存款的最低起存金额是多少？", "选项A": "1 万元", "选项B": "5 万元",
     "选项C": "10 万元", "答案": "B", "解析": "最低 5 万元。", "分值": 2, "难度": "易", "知识点": "个人存款、通知存款"},
    {"题型": "多选题", "题干": "属于不良贷款的有：", "选项A": "关注", "选项B": "次级", "选项C": "可疑", "选项D": "损失",
     "答案": "B,C、D", "知识点": "贷款风险分类"},
    {"题型": "判断", "题干": "理财产品可以承诺保本。", "答案": "错"},
    {"题型": "填空", "题干": "五级分类依次为正常、关注、（ ）、____、损失。", "答案": "次级|次级类;可疑"},
    {"题型": "fill", "题干": "流动比率 = [[流动资产]] ÷ 流动负债。"},
    {"题型": "数值", "题干": "资产负债率？", "答案": "62.5±0.5 %", "难度": "难"},
    {"题型": "计算题", "题干": "到期利息（元）？", "答案": 1500},
    {"题型": "简答", "题干": "简述“三查”。", "答案": "贷前调查、贷时审查、贷后检查", "分值": 5},
]


# --- a good file ---------------------------------------------------------------------

def test_a_good_file_reads_every_type(app):
    result = read_xlsx(workbook(GOOD), "存款题库.xlsx", id_prefix="deposits")
    assert not result.problems, [p.message for p in result.problems]
    qs = {q.id: q for q in result.questions}
    assert list(qs) == ["dep-001", "deposits-001", "deposits-002", "deposits-003", "deposits-004",
                        "deposits-005", "deposits-006", "deposits-007"]
    single = qs["dep-001"]
    assert (single.type, single.points, single.difficulty, single.tags) == ("single", 2.0, "easy", ["个人存款", "通知存款"])
    assert single.data["correct"] == ["B"] and len(single.data["options"]) == 3
    assert single.source.line == 2
    assert qs["deposits-001"].data["correct"] == ["B", "C", "D"]
    assert qs["deposits-002"].data == {"correct": False}
    assert qs["deposits-003"].stem_md == "五级分类依次为正常、关注、{{1}}、{{2}}、损失。"
    assert qs["deposits-003"].data == {"blanks": [["次级", "次级类"], ["可疑"]]}
    assert qs["deposits-004"].data == {"blanks": [["流动资产"]]}
    assert qs["deposits-005"].data == {"answer": 62.5, "tolerance": 0.5, "unit": "%"}
    assert qs["deposits-005"].difficulty == "hard"
    assert qs["deposits-006"].data == {"answer": 1500.0, "tolerance": 0.0}
    assert qs["deposits-007"].data == {"rubric": "贷前调查、贷时审查、贷后检查"} and qs["deposits-007"].points == 5


def test_a_case_is_a_group_of_rows_on_its_own_sheet(app):
    cases = [
        {"编号": "case-1", "案例背景": "某企业申请贷款 800 万元……", "题型": "单选", "题干": "流动比率约为？",
         "选项A": "0.8", "选项B": "1.2", "答案": "B", "分值": 2, "难度": "难", "知识点": "贷前调查", "案例解析": "综合分析。"},
        {"题型": "数值", "题干": "资产负债率（%）？", "答案": "62.5±0.5", "分值": 3},
        {"案例背景": "第二个案例。", "题型": "判断", "题干": "应当核查关联交易。", "答案": "对"},
    ]
    result = read_xlsx(workbook([], cases=cases), "cases.xlsx")
    assert not result.problems, [p.message for p in result.problems]
    first, second = result.questions
    assert first.id == "case-1" and first.type == "case" and first.points == 5.0
    assert [p["id"] for p in first.data["parts"]] == ["a", "b"]
    assert first.data["parts"][1]["data"] == {"answer": 62.5, "tolerance": 0.5}
    assert (first.difficulty, first.tags, first.explanation_md) == ("hard", ["贷前调查"], "综合分析。")
    assert second.id == "cases-001" and second.source.line == 4


# --- bad cells: row and column every time ------------------------------------------------

BAD_CELLS = [
    # (row values, column header, cell, words of the message)
    ({"题型": "单选", "题干": "甲？", "选项A": "一", "选项B": "二", "答案": "AB"}, "答案", "J2", "exactly one"),
    ({"题型": "单选", "题干": "甲？", "选项A": "一", "选项B": "二", "答案": "C"}, "答案", "J2", "empty"),
    ({"题型": "单选", "题干": "甲？", "选项A": "一", "选项B": "二", "答案": "第二个"}, "答案", "J2", "letters"),
    ({"题型": "单选", "题干": "甲？", "选项A": "一", "选项B": "二"}, "答案", "J2", "missing"),
    ({"题型": "多选", "题干": "甲？", "选项A": "一", "选项C": "三", "答案": "AC"}, "选项B", "E2", "option B"),
    ({"题型": "单选", "题干": "甲？", "选项A": "一", "答案": "A"}, "选项B", "E2", "two options"),
    ({"题型": "判断", "题干": "甲？", "答案": "也许"}, "答案", "J2", "也许"),
    ({"题型": "判断", "题干": "甲？", "选项A": "对", "答案": "对"}, "选项A", "D2", "only choice"),
    ({"题型": "填空", "题干": "没有空。", "答案": "甲"}, "题干", "C2", "blank"),
    ({"题型": "填空", "题干": "甲（ ）乙（ ）", "答案": "一"}, "答案", "J2", "2 blank"),
    ({"题型": "填空", "题干": "甲[[一]]", "答案": "一"}, "答案", "J2", "[[ ]]"),
    ({"题型": "数值", "题干": "甲？", "答案": "大约五十"}, "答案", "J2", "numeric"),
    ({"题型": "数值", "题干": "甲？", "答案": "62.5±"}, "答案", "J2", "numeric"),
    ({"题型": "数值", "题干": "甲？", "答案": "62.5 ± 0.5 ± 1"}, "答案", "J2", "numeric"),
    ({"题型": "问卷", "题干": "甲？"}, "题型", "B2", "问卷"),
    ({"题干": "甲？"}, "题型", "B2", "missing"),
    ({"题型": "简答", "题干": ""}, "题干", "C2", "empty"),
    ({"题型": "简答", "题干": "甲", "分值": "两分"}, "分值", "L2", "两分"),
    ({"题型": "简答", "题干": "甲", "分值": 0}, "分值", "L2", "above 0"),
    ({"题型": "简答", "题干": "甲", "难度": "超难"}, "难度", "M2", "超难"),
    ({"编号": "存款001", "题型": "简答", "题干": "甲"}, "编号", "A2", "存款001"),
    ({"题型": "案例", "题干": "甲"}, "题型", "B2", "案例题"),
]


@pytest.mark.parametrize("row,header,cell,words", BAD_CELLS, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD_CELLS)])
def test_each_bad_cell_is_named_by_row_and_column(row, header, cell, words):
    # Outside a request and an app the messages are in English.
    result = read_xlsx(workbook([row]), "bank.xlsx")
    assert not result.questions
    (problem,) = result.problems
    assert problem.source.line == 2
    assert problem.source.column == MAIN_HEADERS.index(header) + 1
    assert problem.message.startswith(f"Row 2, column {header} ({cell}): ")
    assert words.lower() in problem.message.lower()


def test_problems_are_worded_in_chinese_by_default(app):
    result = read_xlsx(workbook([GOOD[0]] * 5 + [{"题型": "单选", "题干": "甲？", "选项A": "一", "选项B": "二",
                                                  "选项C": "三", "答案": "AB"}]), "bank.xlsx")
    messages = [p.message for p in result.problems]
    assert "第 7 行 答案 列 (J7)：单选题只能有一个答案" in messages
    assert "第 3 行 编号 列 (A3)：编号 dep-001 已在第 2 行使用" in messages


def test_a_blank_count_that_does_not_match_reads_as_words(app):
    """The message read "the stem has 2 blank(s)": one blank or many, in English and in Chinese."""
    from flask_babel import force_locale

    rows = [{"题型": "填空", "题干": "甲（ ）", "答案": "一;二"}, {"题型": "填空", "题干": "甲（ ）乙（ ）", "答案": "一"}]
    with app.test_request_context(), force_locale("en"):  # an English-speaking trainer's upload
        messages = [p.message for p in read_xlsx(workbook(rows), "bank.xlsx").problems]
    assert messages == ["Row 2, column 答案 (J2): the stem has 1 blank but the answer gives 2 (separate blanks with ;)",
                        "Row 3, column 答案 (J3): the stem has 2 blanks but the answer gives 1 (separate blanks with ;)"]
    messages = [p.message for p in read_xlsx(workbook(rows[1:]), "bank.xlsx").problems]
    assert messages == ["第 2 行 答案 列 (J2)：题干有 2 个空，答案却给了 1 个（各空答案之间用 ; 分隔）"]


def test_every_problem_of_the_file_is_reported_and_nothing_is_returned():
    rows = [GOOD[0], {"题型": "判断", "题干": "甲", "答案": "?"}, GOOD[2], {"题型": "数值", "题干": "乙", "答案": "x"}]
    result = read_xlsx(workbook(rows), "bank.xlsx")
    assert [p.source.line for p in result.problems] == [3, 5]
    assert result.questions == []


def test_headers_with_required_marks_and_spaces_are_recognised():
    headers = ("题型*", "题干 *", "选项 A", "选项 B", "答案*")
    result = read_xlsx(workbook([dict(zip(headers, ("单选", "甲？", "一", "二", "B")))], headers=headers), "b.xlsx")
    assert not result.problems and result.questions[0].data["correct"] == ["B"]


def test_a_sheet_without_the_template_headers_is_refused():
    result = read_xlsx(workbook([{"名称": "x"}], headers=("名称", "内容")), "bank.xlsx")
    (problem,) = result.problems
    assert problem.source.line == 1 and "题型, 题干" in problem.message  # an English message lists with ", " (lms.punctuation)


def test_rows_past_the_limit_are_refused_without_reading_on(monkeypatch):
    from lms.content.importers import xlsx

    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)
    result = read_xlsx(workbook([GOOD[2]] * 5), "bank.xlsx")
    assert not result.questions
    assert [p.source.line for p in result.problems] == [5]


def test_a_file_that_is_not_a_workbook_is_refused():
    result = read_xlsx(b"not a zip", "bank.xlsx")
    assert result.problems and not result.questions


def test_case_rows_before_any_scenario_and_misplaced_case_fields(app):
    cases = [{"题型": "单选", "题干": "无背景", "选项A": "一", "选项B": "二", "答案": "A"},
             {"案例背景": "背景", "题型": "判断", "题干": "甲", "答案": "对"},
             {"题型": "判断", "题干": "乙", "答案": "错", "难度": "难"}]
    result = read_xlsx(workbook([], cases=cases), "cases.xlsx")
    lines = sorted((p.source.line, p.source.column) for p in result.problems)
    assert lines == [(2, 2), (4, 14)]
    assert all(p.message.startswith("“案例题”表") for p in result.problems)


def test_an_empty_workbook_has_no_questions():
    result = read_xlsx(workbook([]), "bank.xlsx")
    assert result.problems and not result.questions


# --- export → import ------------------------------------------------------------------------

def test_export_then_import_gives_the_same_questions(app):
    questions = example_questions()
    back = read_xlsx(export_xlsx(questions), "example.xlsx")
    assert not back.problems, [p.message for p in back.problems]
    assert [fields(q) for q in back.questions] == [fields(q) for q in questions]


def test_exported_text_that_looks_like_a_formula_stays_text(app):
    from lms.content.schema import ParsedQuestion, Source

    q = ParsedQuestion(id="f-1", type="single", stem_md="=SUM(A1:A3)", points=1.0, difficulty="medium", tags=[],
                       explanation_md="", data={"options": [{"key": "A", "text": "=1+1"}, {"key": "B", "text": "2"}],
                                                "correct": ["A"]}, source=Source("x"))
    data = export_xlsx([q])
    sheet = load_workbook(io.BytesIO(data))["题库"]
    assert sheet["C2"].value == "=SUM(A1:A3)" and sheet["C2"].data_type == "s"
    assert [fields(x) for x in read_xlsx(data, "x.xlsx").questions] == [fields(q)]


def test_fill_blanks_next_to_literal_underscores_are_exported_inline(app):
    from lms.content.schema import ParsedQuestion, Source

    q = ParsedQuestion(id="f-2", type="fill", stem_md="签名处 ____ 不是空；答案是 {{1}}。", points=1.0,
                       difficulty="medium", tags=[], explanation_md="", data={"blanks": [["甲", "乙"]]},
                       source=Source("x"))
    sheet = load_workbook(io.BytesIO(export_xlsx([q])))["题库"]
    assert sheet["C2"].value == "签名处 ____ 不是空；答案是 [[甲|乙]]。" and sheet["J2"].value is None


def test_imported_excel_questions_read_back_the_same_from_the_bank_file(app):
    questions = read_xlsx(export_xlsx(example_questions()), "example.xlsx").questions
    back, problems = parse_question_bank(bank_markdown(questions), "courses/p/questions/example.md", "p")
    assert not problems
    assert [fields(q) for q in back] == [fields(q) for q in questions]


# --- the shipped files ------------------------------------------------------------------------

def test_the_template_has_the_headers_and_instructions():
    wb = load_workbook(io.BytesIO(template_xlsx()))
    assert wb.sheetnames == ["题库", "案例题", "填写说明"]
    assert [c.value for c in wb["题库"][1]] == list(MAIN_HEADERS)
    assert "案例背景" in [c.value for c in wb["案例题"][1]]
    assert any("答案" in str(c.value) for c in wb["填写说明"]["A"])


def test_the_shipped_examples_are_up_to_date_and_import_cleanly(app):
    example = (EXAMPLES / "question_bank_example.xlsx").read_bytes()
    result = read_xlsx(example, "question_bank_example.xlsx")
    assert not result.problems
    assert [fields(q) for q in result.questions] == [fields(q) for q in example_questions()]
    assert {q.type for q in result.questions} == {"single", "multiple", "truefalse", "fill", "numeric", "essay",
                                                  "case"}
    template = load_workbook(EXAMPLES / "question_bank_template.xlsx")
    assert [c.value for c in template["题库"][1]] == list(MAIN_HEADERS)


def test_partial_credit_weights_read_export_and_read_back(app):
    data = workbook([{"题型": "多选", "题干": "属于流动资产的有：", "选项A": "应收账款", "选项B": "固定资产", "选项C": "存货",
                      "答案": "A50%,C50%,B-100%"}])
    result = read_xlsx(data, "w.xlsx")
    assert not result.problems, [p.message for p in result.problems]
    q = result.questions[0]
    assert q.data["correct"] == ["A", "C"] and q.data["weights"] == {"A": 50.0, "C": 50.0, "B": -100.0}
    back = read_xlsx(export_xlsx([q]), "again.xlsx").questions
    assert [fields(x) for x in back] == [fields(q)]


def test_weights_that_do_not_add_up_are_refused_at_the_answer_cell(app):
    data = workbook([{"题型": "多选", "题干": "属于流动资产的有：", "选项A": "应收账款", "选项B": "固定资产", "选项C": "存货",
                      "答案": "A50%,C40%"}])
    result = read_xlsx(data, "w.xlsx")
    assert not result.questions
    assert any("100" in p.message and p.source.line == 2 for p in result.problems), [str(p) for p in result.problems]
