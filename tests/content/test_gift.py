"""Moodle GIFT import: every form of Moodle's examples.txt (fixtures written
here, banking-flavoured), escapes, categories, feedback, partial weights,
numeric tolerance and ranges, and what is refused — each with its line."""
from pathlib import Path

import pytest

from lms.content.source.bank_parser import parse_question_bank
from lms.content.importers.gift import read_gift
from lms.content.importers.serialize import bank_markdown

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "rm-banking.gift.txt"


def read(text, name="bank.gift.txt", prefix=None):
    result = read_gift(text, name, prefix)
    return result


def only(text):
    result = read(text)
    assert not result.problems, [str(p) for p in result.problems]
    assert len(result.questions) == 1
    return result.questions[0]


# --- the forms of Moodle's examples.txt ----------------------------------------------

def test_multiple_choice_with_answers_after_the_question():
    q = only("谁负责贷前调查？{~柜员 ~行长 =客户经理}")
    assert q.type == "single"
    assert q.stem_md == "谁负责贷前调查？"
    assert [o["text"] for o in q.data["options"]] == ["柜员", "行长", "客户经理"]
    assert q.data["correct"] == ["C"]


def test_missing_word_puts_a_blank_where_the_answers_were():
    q = only("个人通知存款最低起存 {~1 万元 =5 万元 ~10 万元} 人民币。")
    assert q.type == "single"
    assert q.stem_md == "个人通知存款最低起存 _____ 人民币。"


def test_answers_on_separate_indented_lines():
    q = only("贷款五级分类中第三级是 {\n    ~关注\n    =次级\n    ~可疑\n} 类。")
    assert q.data["correct"] == ["B"]
    assert q.stem_md == "贷款五级分类中第三级是 _____ 类。"


def test_short_answer_becomes_fill_with_every_accepted_answer():
    q = only("不良贷款包括次级、可疑和哪一类？{=损失 =损失类}")
    assert q.type == "fill"
    assert q.data == {"blanks": [["损失", "损失类"]]}
    assert q.stem_md == "不良贷款包括次级、可疑和哪一类？ {{1}}"


def test_short_answer_inside_the_sentence_is_the_blank_position():
    q = only("整存整取的起存金额为 {=50 元 =50元} 人民币。")
    assert q.stem_md == "整存整取的起存金额为 {{1}} 人民币。"


@pytest.mark.parametrize("answer,expected", [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)])
def test_true_false(answer, expected):
    q = only(f"理财产品可以承诺保本保收益。{{{answer}}}")
    assert q.type == "truefalse"
    assert q.data == {"correct": expected}


def test_true_false_feedback_becomes_the_explanation():
    q = only("理财产品可以承诺保本保收益。{FALSE#错：打破刚兑后不得承诺。#对：不得承诺保本。}")
    assert q.explanation_md == "对：不得承诺保本。\n\n错：打破刚兑后不得承诺。"


def test_numeric_exact_tolerance_and_range():
    exact, tolerance, span = read("存款保险限额（万元）？{#50}\n\n"
                                  "资产负债率（%）？{#62.5:0.5}\n\n"
                                  "流动比率的合理区间中点？{#1.5..2.5}").questions
    assert exact.type == tolerance.type == span.type == "numeric"
    assert exact.data == {"answer": 50.0, "tolerance": 0.0}
    assert tolerance.data == {"answer": 62.5, "tolerance": 0.5}
    assert span.data == {"answer": 2.0, "tolerance": 0.5}


def test_numeric_keeps_only_full_credit_answers_and_says_so():
    result = read("Grant 出生于哪一年？{#\n    =1822:0\n    =%50%1822:2}")
    (q,) = result.questions
    assert q.data == {"answer": 1822.0, "tolerance": 0.0}
    assert [n.line for n in result.notes] == [3]
    assert "1822:2" in result.notes[0].message and "50" in result.notes[0].message


def test_numeric_full_credit_answers_that_do_not_nest_are_refused():
    result = read("年份？{#\n=1822:0\n=1900:1}")
    assert not result.questions
    assert result.problems[0].source.line == 1


def test_essay_and_general_feedback():
    q = only("简述贷前调查“三查”制度。{####贷前调查、贷时审查、贷后检查。}")
    assert q.type == "essay"
    assert q.data == {"rubric": ""}
    assert q.explanation_md == "贷前调查、贷时审查、贷后检查。"


def test_per_answer_feedback_stays_with_its_option():
    # Moodle shows an answer's feedback to whoever chose it: it is kept on the
    # option (shown in the review to that learner), not in the explanation
    # everyone reads.
    q = only("起存金额？{\n~1 万元#太低了。\n=5 万元#正确。\n~10 万元}")
    assert q.explanation_md == ""
    assert q.data["options"] == [{"key": "A", "text": "1 万元", "feedback": "太低了。"},
                                 {"key": "B", "text": "5 万元", "feedback": "正确。"}, {"key": "C", "text": "10 万元"}]


# --- names, comments, categories ------------------------------------------------------

def test_title_becomes_the_id_and_untitled_questions_are_numbered():
    result = read("::Deposit Insurance::限额？{#50}\n\n限额？{#50}\n\n::存款保险::限额？{#50}", prefix="deposits")
    ids = [q.id for q in result.questions]
    assert ids[0] == "deposit-insurance"
    assert ids[1] == "deposits-002"
    assert ids[2].startswith("q-") and len(ids[2]) == 10  # a Chinese title: a short stable hash
    assert read("::存款保险::限额？{#50}").questions[0].id == ids[2]


def test_repeated_titles_get_suffixes_and_a_note():
    result = read("::Q1::甲？{T}\n\n::Q1::乙？{F}")
    assert [q.id for q in result.questions] == ["q1", "q1-2"]
    assert result.notes[0].line == 3


def test_comments_are_ignored_and_can_carry_id_and_tags():
    q = only("// 这是注释\n// [id:dep-777] [tag:通知存款]\n起存金额？{=5 万元 ~1 万元}")
    assert q.id == "dep-777"
    assert q.tags == ["通知存款"]
    assert q.source.line == 3


def test_categories_become_tags_of_the_questions_that_follow():
    result = read("$CATEGORY: $course$/top/个人存款/通知存款\n\n甲？{T}\n\n"
                  "$CATEGORY: 信贷管理\n乙？{F}")
    first, second = result.questions
    assert first.tags == ["个人存款", "通知存款"]
    assert second.tags == ["信贷管理"]
    assert second.source.line == 6


# --- escapes and text formats ----------------------------------------------------------

def test_escaped_control_characters_are_literal():
    q = only("哪个不是 GIFT 的控制字符？{\n~ \\~ #\\~ 是控制字符\n~ \\= \n~ \\# \n~ \\{ \n~ \\}\n~ \\:\n= \\\\ #正确}")
    texts = [o["text"] for o in q.data["options"]]
    # Shown as typed once rendered: the markdown escapes only what markdown would eat.
    from lms.content.rendering import render_inline
    assert [str(render_inline(t)) for t in texts] == ["~", "=", "#", "{", "}", ":", "\\"]
    assert q.data["correct"] == ["G"]


def test_escaped_newline_and_colon_in_the_stem():
    q = only("第一行\\n第二行\\: 比率？{=1.2}")
    assert q.stem_md.startswith("第一行\n第二行: 比率？")


def test_markdown_format_is_kept():
    q = only("[markdown]谁被葬在 **格兰特墓**？{=无人 =没有人}")
    assert q.stem_md == "谁被葬在 **格兰特墓**？ {{1}}"


def test_plain_format_shows_as_typed():
    q = only("[plain]利率 *2* 和 _下划线_？{T}")
    from lms.content.rendering import render_inline
    assert str(render_inline(q.stem_md)) == "利率 *2* 和 _下划线_？"


def test_html_is_sanitised():
    q = only('[html]<p>资产负债率<b>公式</b><script>alert(1)</script><a href="javascript:x()">看</a></p>{T}')
    assert "<b>公式</b>" in q.stem_md
    assert "script" not in q.stem_md and "javascript" not in q.stem_md


def test_a_stem_line_that_looks_like_bank_syntax_stays_text():
    q = only("[markdown]第一行\n## 不是标题\n- [x] 不是选项\n解析：不是解析{T}")
    back, problems = parse_question_bank(bank_markdown([q]), "courses/p/questions/b.md", "p")
    assert not problems
    assert back[0].stem_md == q.stem_md and back[0].type == "truefalse"


# --- partial credit ----------------------------------------------------------------------

def test_multiple_answers_with_weights():
    q = only("格兰特墓里葬着哪两个人？{\n~%-50%无人\n~%50%格兰特\n~%50%格兰特夫人\n~%-50%格兰特的父亲}")
    assert q.type == "multiple"
    assert q.data["correct"] == ["B", "C"]
    assert q.data["weights"] == {"A": -50.0, "B": 50.0, "C": 50.0, "D": -50.0}


def test_weights_of_the_right_answers_must_add_up_to_100():
    result = read("甲？{\n~%50%一\n~%40%二\n~三}")
    assert not result.questions
    assert result.problems[0].source.line == 2
    assert "90" in result.problems[0].message


def test_weights_are_checked_as_moodle_rounds_them():
    q = only("甲？{\n~%33.33333%一\n~%33.33333%二\n~%33.33333%三\n~%-100%四}")
    assert q.data["correct"] == ["A", "B", "C"]


def test_partial_credit_of_a_single_choice_is_dropped_with_a_note():
    result = read("难题。{~错误答案 ~%50%半对 =全对}")
    (q,) = result.questions
    assert q.type == "single" and q.data["correct"] == ["C"]
    assert len(result.notes) == 1 and "50" in result.notes[0].message


def test_short_answer_partial_credit_is_dropped_with_a_note():
    result = read("耶稣来自 {\n=拿撒勒#对！\n=%75%拿撒勒城#拼写不对。\n=%25%伯利恒#出生地而已。\n}.")
    (q,) = result.questions
    assert q.data == {"blanks": [["拿撒勒"]]}
    assert [n.line for n in result.notes] == [3, 4]


# --- refused, each with its line -----------------------------------------------------------

def test_matching_is_refused_naming_its_line():
    result = read("甲？{T}\n\n// 配对题\n把国家和首都配对。\n{=加拿大 -> 渥太华 =意大利 -> 罗马 =日本 -> 东京}")
    assert result.questions == []  # all or nothing
    (problem,) = result.problems
    assert problem.source.line == 5
    assert "matching" in problem.message.lower() or "配对" in problem.message


def test_a_missing_blank_line_between_questions_is_named():
    result = read("甲？{T}\n乙？{F}")
    assert result.problems[0].source.line == 2


def test_unclosed_answers_name_the_line():
    result = read("甲？\n{=一\n~二")
    assert result.problems[0].source.line == 2


def test_a_single_choice_with_two_right_answers_is_refused():
    result = read("甲？{=一 =二 ~三}")
    assert result.problems and not result.questions


def test_a_description_without_answers_is_skipped_with_a_note():
    result = read("以下各题考查存款产品。\n\n甲？{T}")
    assert len(result.questions) == 1
    assert result.notes[0].line == 1


def test_an_empty_option_is_refused():
    result = read("甲？{=一 ~ ~三}")
    assert result.problems and result.problems[0].source.line == 1


# --- the shipped example, and reading back -----------------------------------------------

def test_the_shipped_example_reads_without_problems():
    result = read(EXAMPLE.read_text(encoding="utf-8"), EXAMPLE.name)
    assert not result.problems
    types = {q.type for q in result.questions}
    assert types == {"single", "multiple", "truefalse", "fill", "numeric", "essay"}


def test_imported_questions_read_back_the_same_from_the_bank_file():
    result = read(EXAMPLE.read_text(encoding="utf-8"), EXAMPLE.name)
    text = bank_markdown(result.questions, header="Imported from rm-banking.gift.txt")
    back, problems = parse_question_bank(text, "courses/products/questions/rm-banking.md", "products")
    assert not problems
    assert len(back) == len(result.questions)
    for original, read_back in zip(result.questions, back):
        expected = dict(original.data)
        assert (read_back.id, read_back.type, read_back.stem_md, read_back.points, read_back.difficulty,
                read_back.tags, read_back.explanation_md, read_back.data) == (
            original.id, original.type, original.stem_md, original.points, original.difficulty,
            original.tags, original.explanation_md, expected)
