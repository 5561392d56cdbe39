"""Lists as a trainer pastes them from Word or WPS into a lesson
(tests/content/fixtures/post_loan, 个人贷款贷后管理): a list right under a line
of text, and a list indented with tabs."""
from __future__ import annotations

from lms.content.rendering import render_markdown


def test_a_list_right_under_a_line_of_text_is_a_list(app):
    """"检查内容：" followed at once by "1. 借款人情况：" (no blank line, as Word
    pastes it) ran into the paragraph: the learner read "1. 借款人情况：<br> - 收入是否稳定"
    as one block of text with the markers showing. It is a list now, nested
    items included."""
    html = str(render_markdown("检查内容：\n1. 借款人情况：\n   - 收入是否稳定\n   - 联系方式有无变化\n2. 资金用途："))
    assert html.startswith("<p>检查内容：</p>\n<ol>")
    assert "<li>借款人情况：<ul>\n<li>收入是否稳定</li>\n<li>联系方式有无变化</li>\n</ul>" in html
    assert "<li>资金用途：</li>" in html
    assert "1. " not in html and "- " not in html
    # A heading, a quote or a table row before a list needs nothing; a list item's own lines stay its own.
    assert str(render_markdown("## 要点\n- 一\n- 二")) == '<h2 id="要点">要点</h2>\n<ul>\n<li>一</li>\n<li>二</li>\n</ul>'
    assert "<li>一<br>\n续行</li>" in str(render_markdown("- 一\n续行\n- 二"))


def test_a_list_indented_with_tabs_is_a_list_not_code(app):
    """A list WPS indents with a tab ("\t- 连续两期逾期") was shown as a code
    block, dashes and all, in a monospace box. It is a list; a second tab
    nests; four spaces of code after a paragraph stay code."""
    html = str(render_markdown("## 预警信号\n\n\t- 连续两期逾期\n\t\t- 借款人失联\n\t- 抵押物被查封\n\n正文\n\n    code"))
    assert "<pre>" in html and html.count("<pre>") == 1 and "<code>code" in html
    assert ("<ul>\n<li>连续两期逾期<ul>\n<li>借款人失联</li>\n</ul>\n</li>\n<li>抵押物被查封</li>\n</ul>"
            in html), html
    # A tab under a "2. " item written with spaces nests like the spaces do.
    mixed = str(render_markdown("1. 资金用途：\n   - 是否挪用\n\t- 是否回流"))
    assert "<li>资金用途：<ul>\n<li>是否挪用</li>\n<li>是否回流</li>\n</ul>" in mixed, mixed
