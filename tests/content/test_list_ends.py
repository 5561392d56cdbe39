"""Where a trainer's list ends (lms/content/commonmark_lists.py): as CommonMark,
GitHub, Typora and Obsidian show it. Python-Markdown took a numbered list
written right under a bullet list for text of the last bullet ("乙<br>1. 丙"),
and a nested list whose marker changed for one list."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from lms.content.models import Lesson, Question
from lms.content.rendering import heading_ids, render_inline, render_markdown
from lms.extensions import db
from tests.content.sample_folder import edit


def _lists(html: str) -> list[tuple[str, list[str]]]:
    """The top-level lists of ``html`` in order: (tag, the text each item begins with; nested lists apart)."""
    found: list[tuple[str, list[str]]] = []
    depth = 0
    for tag in re.finditer(r"<(/?)(ul|ol|li)\b[^>]*>\s*(?:<p>)?([^<]*)", html):
        closing, name, text = tag.groups()
        if name == "li":
            if not closing and depth == 1:
                found[-1][1].append(text.strip())
            continue
        depth += -1 if closing else 1
        if not closing and depth == 1:
            found.append((name, []))
    return found


@pytest.mark.parametrize("text, expected", [
    ("- 身份证\n- 户口簿\n1. 填写申请表\n2. 双录", [("ul", ["身份证", "户口簿"]), ("ol", ["填写申请表", "双录"])]),
    ("1. 填写申请表\n2. 双录\n- 身份证\n- 户口簿", [("ol", ["填写申请表", "双录"]), ("ul", ["身份证", "户口簿"])]),
    ("- 存款\n* 贷款\n+ 理财", [("ul", ["存款"]), ("ul", ["贷款"]), ("ul", ["理财"])]),
    ("- 存款\n\n* 贷款", [("ul", ["存款"]), ("ul", ["贷款"])]),
    ("- 存款\n- 贷款\n\n1. 开户", [("ul", ["存款", "贷款"]), ("ol", ["开户"])]),
])
def test_a_list_with_another_kind_of_marker_is_another_list(text, expected):
    html = str(render_markdown(text))
    assert _lists(html) == expected, html
    assert "1. " not in html and "- " not in html and "<br>" not in html


@pytest.mark.parametrize("text", [
    "- 贷前调查\n  - 实地走访\n  * 查询征信\n- 贷后管理",          # 2 spaces, as Typora writes it
    "- 贷前调查\n    - 实地走访\n    * 查询征信\n- 贷后管理",      # 4 spaces
    "1. 贷前调查\n   - 实地走访\n   * 查询征信\n2. 贷后管理",      # 3 spaces under "1. "
])
def test_a_nested_list_whose_bullet_changes_is_two_nested_lists(text):
    html = str(render_markdown(text))
    outer = html[:html.index("<li>贷前调查") + 1]
    assert outer.count("<ul>") + outer.count("<ol>") == 1
    inner = html[html.index("贷前调查"):html.index("贷后管理")]
    assert inner.count("<ul>") == 2, html
    assert inner.index("实地走访") < inner.index("</ul>") < inner.index("查询征信")
    assert "<li>贷后管理</li>" in html and "*" not in html


@pytest.mark.parametrize("indent", ["  ", "   ", "    "])
def test_nested_bullets_then_numbers_are_a_bullet_list_and_a_numbered_list(indent):
    html = str(render_markdown(f"- 开户\n{indent}- 核实身份\n{indent}1. 录入系统\n{indent}2. 复核\n- 销户"))
    inner = html[html.index("开户"):html.index("销户")]
    assert re.search(r"<ul>\n<li>核实身份</li>\n</ul>\n<ol>\n<li>录入系统</li>\n<li>复核</li>\n</ol>", inner), html
    assert "1. " not in html and "<br>" not in html


def test_one_kind_of_marker_stays_one_list_and_a_later_number_is_text_as_in_commonmark():
    """What CommonMark keeps together stays together: one bullet throughout, a
    numbered list whatever its numbers, and a line "2. …" right under a bullet
    (only a list starting at 1 may interrupt a paragraph: "第 2. 条" is text)."""
    assert _lists(str(render_markdown("- 甲\n- 乙\n- 丙"))) == [("ul", ["甲", "乙", "丙"])]
    assert _lists(str(render_markdown("3. 甲\n4. 乙\n9. 丙"))) == [("ol", ["甲", "乙", "丙"])]
    assert '<ol start="3">' in str(render_markdown("3. 甲\n4. 乙"))
    assert str(render_markdown("- 见第\n2. 条")) == "<ul>\n<li>见第<br>\n2. 条</li>\n</ul>"


def test_an_item_after_a_paragraph_of_the_item_before_is_an_item():
    """ "- 甲\\n\\n  说明\\n- 乙": 乙 was a line of 甲's paragraph, its dash showing."""
    html = str(render_markdown("- 甲\n\n  说明\n- 乙"))
    assert _lists(html) == [("ul", ["甲", "乙"])] and "<p>说明</p>" in html and "- 乙" not in html, html
    other = str(render_markdown("* 甲\n\n  说明\n- 乙"))
    assert _lists(other) == [("ul", ["甲"]), ("ul", ["乙"])], other


def test_heading_ids_are_unchanged_by_lists():
    assert heading_ids("## 一\n- a\n1. b\n## 二") == ["一", "二"]


def test_options_render_their_lists_the_same():
    html = str(render_inline("需准备：\n- 身份证\n1. 填表\n2. 签字"))
    assert _lists(html) == [("ul", ["身份证"]), ("ol", ["填表", "签字"])], html


def test_lessons_stems_and_explanations_are_published_with_separate_lists(runner, folder):
    edit(folder, "courses/products/lessons/02-loans.md", "流动资金贷款用于企业日常经营周转。",
         "申请材料：\n\n- 营业执照\n- 财务报表\n1. 受理\n2. 调查\n   - 实地\n   * 征信")
    edit(folder, "courses/products/questions/deposits.md", "个人通知存款的最低起存金额是多少？",
         "开户需要：\n\n- 身份证\n1. 填表\n\n个人通知存款的最低起存金额是多少？")
    edit(folder, "courses/products/questions/deposits.md", "解析：个人通知存款最低起存金额为 5 万元。",
         "解析：\n\n* 起存 5 万元\n- 分一天、七天")
    result = runner.invoke(args=["content", "publish"])
    assert result.exit_code == 0, result.output
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "corporate-loans"))
    assert _lists(lesson.body_html) == [("ul", ["营业执照", "财务报表"]), ("ol", ["受理", "调查"])], lesson.body_html
    assert lesson.body_html.count("<ul>") == 3
    version = db.session.scalar(select(Question).where(Question.slug == "dep-001")).current_version
    assert _lists(version.stem_html) == [("ul", ["身份证"]), ("ol", ["填表"])], version.stem_html
    assert _lists(version.explanation_html) == [("ul", ["起存 5 万元"]), ("ul", ["分一天、七天"])]
