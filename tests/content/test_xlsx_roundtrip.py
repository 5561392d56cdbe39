"""Export → import of an Excel bank gives the same questions, for every
question type, with stems, options, explanations and case parts written over
several lines (a cell with a line break inside an option is that option)."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from lms.content.source.bank_parser import parse_question_bank
from lms.content.importers.serialize import bank_markdown
from lms.content.importers.xlsx import read_xlsx
from lms.content.importers.xlsx_export import export_xlsx
from tests.content.test_xlsx import fields, workbook

BANK = """## ml-single
type: single
points: 2
difficulty: easy
tags: 个人存款

客户问：
**通知存款**的起存金额是多少？

- [ ] 1 万元
  反馈：1 万元是其他产品的起存金额。
- [x] 5 万元
  （个人通知存款）
  反馈：正确，分一天、七天两个品种。
  见产品手册。
- [ ] 10 万元

解析：《人民币单位存款管理办法》与本行产品手册。
第二行解析。

## ml-multiple
type: multiple
tags: 贷款风险分类

属于不良贷款的有：

- [ ] 关注类
- [x] 次级类
  （借款人还款能力出现明显问题）
- [x] 可疑类
- [x] 损失类

## ml-weights
type: multiple
weights: A 50, B 50, C -100

选出正确的两项：

- [x] 甲
  第二行
- [x] 乙
- [ ] 丙

## ml-tf
type: truefalse
answer: 错

理财产品可以
承诺保本。

## ml-fill
type: fill

五级分类依次为正常、关注、[[次级|次级类]]、[[可疑]]、损失。
（共五类）

## ml-numeric
type: numeric
answer: 62.5
tolerance: 0.5
unit: %

资产负债率是多少？
保留一位小数。

## ml-essay
type: essay
points: 5

简述“三查”制度。

评分要点：
- 贷前调查
- 贷时审查
- 贷后检查

## ml-case
type: case
tags: 贷前调查

某制造企业申请流动资金贷款 800 万元。
报表见附件。

### a
type: single
points: 2

流动比率约为：

- [ ] 0.8
  （低于 1）
- [x] 1.2

解析：流动资产 ÷ 流动负债。

### b
type: multiple
points: 2

应核实的有：

- [x] 纳税申报表
- [x] 水电费
  与开工率
- [ ] 股东的朋友圈

### c
type: numeric
points: 3
answer: 62.5
tolerance: 0.5
unit: %

资产负债率？
"""


def published() -> list:
    questions, problems = parse_question_bank(BANK, "courses/p/questions/ml.md", "p")
    assert not problems, [str(p) for p in problems]
    return questions


def test_every_type_with_multi_line_texts_survives_export_and_import(app):
    questions = published()
    assert questions[0].data["options"][1] == {"key": "B", "text": "5 万元\n（个人通知存款）",
                                               "feedback": "正确，分一天、七天两个品种。\n见产品手册。"}
    back = read_xlsx(export_xlsx(questions), "bank.xlsx")
    assert not back.problems, [str(p) for p in back.problems]
    assert [fields(q) for q in back.questions] == [fields(q) for q in questions]
    # And the bank file the import writes reads back as the same questions.
    again, problems = parse_question_bank(bank_markdown(back.questions), "courses/p/questions/ml.md", "p")
    assert not problems, [str(p) for p in problems]
    assert [fields(q) for q in again] == [fields(q) for q in questions]


def test_a_line_break_inside_an_option_cell_is_that_option(app):
    data = workbook([{"编号": "x-1", "题型": "单选", "题干": "哪一项正确？", "选项A": "第一行\n第二行",
                      "选项B": "- [x] 看似选项的一行\n解析：看似解析", "选项C": "丙", "答案": "C"}])
    result = read_xlsx(data, "bank.xlsx")
    assert not result.problems, [str(p) for p in result.problems]
    options = result.questions[0].data["options"]
    assert [o["key"] for o in options] == ["A", "B", "C"]
    assert options[0]["text"] == "第一行\n第二行"
    assert result.questions[0].data["correct"] == ["C"]
    back, problems = parse_question_bank(bank_markdown(result.questions), "courses/p/questions/x.md", "p")
    assert not problems, [str(p) for p in problems]
    assert [fields(q) for q in back] == [fields(q) for q in result.questions]
    # The exported cell holds the line break again.
    sheet = load_workbook(io.BytesIO(export_xlsx(back)))["题库"]
    assert sheet["D2"].value == "第一行\n第二行"
