"""Trainer markdown becomes safe HTML, whatever the trainer wrote."""
import pytest

from lms.content.rendering import render_markdown

HOSTILE = [
    ("<script>alert(1)</script>", "<script"),
    ('<img src="x" onerror="alert(1)">', "onerror"),
    ("[x](javascript:alert(1))", "javascript:"),
    ("[x](JaVaScRiPt:alert(1))", "alert(1)"),
    ("[x](vbscript:msgbox(1))", "vbscript:"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
    ('<a href="/x" hx-post="/delete" hx-trigger="load">x</a>', "hx-"),
    ('<div hx-get="/attempts" hx-swap="outerHTML">x</div>', "hx-"),
    ('<p style="background:url(x)">x</p>', "style="),
    ('<iframe src="https://evil.example"></iframe>', "<iframe"),
    ('<form action="/logout" method="post"><button>x</button></form>', "<form"),
]


@pytest.mark.parametrize("source, forbidden", HOSTILE)
def test_hostile_markup_is_removed(source, forbidden):
    assert forbidden.lower() not in str(render_markdown(source)).lower()


def test_teaching_markup_survives():
    html = str(render_markdown(
        "## 定期存款\n\n| 产品 | 起存 |\n| --- | --- |\n| 整存整取 | 50 元 |\n\n"
        "!!! risk \"风险提示\"\n    不得承诺保本。\n\n注释[^1]\n\n[^1]: 以现行规定为准。\n\n"
        "[说明](https://www.example.com/a) ![图](images/flow.png)"))
    assert '<h2 id="定期存款">定期存款</h2>' in html and "<table>" in html
    assert 'class="admonition risk"' in html and "风险提示" in html
    assert 'class="footnote"' in html
    assert 'href="https://www.example.com/a"' in html
    assert 'src="images/flow.png"' in html


def test_relative_links_are_resolved_to_asset_urls():
    html = str(render_markdown("![图](images/flow.png) [手册](attachments/m.pdf) [外](https://a.example/)",
                               resolve_link=lambda p: f"/assets/products/{p}"))
    assert 'src="/assets/products/images/flow.png"' in html
    assert 'href="/assets/products/attachments/m.pdf"' in html
    assert 'href="https://a.example/"' in html


@pytest.mark.parametrize("text", ["- 存款\n- 贷款\n* 风险一\n* 风险二", "- 存款\n- 贷款\n\n* 风险一\n* 风险二",
                                  "+ 存款\n+ 贷款\n- 风险一\n- 风险二"])
def test_a_list_with_another_bullet_right_after_a_list_is_a_second_list(text):
    """CommonMark starts a new list where the bullet changes; Python-Markdown ran the two into one
    (a loose one, each item a paragraph, with a blank line between them). A trainer who wrote two
    lists sees two."""
    html = str(render_markdown(text))
    assert html.count("<ul>") == 2 and "<p>" not in html, html
    first, second = html.split("</ul>")[:2]
    assert "存款" in first and "贷款" in first and "风险" not in first
    assert "风险一" in second and "风险二" in second
    assert "<!--" not in html


def test_one_bullet_throughout_stays_one_list_and_nested_lists_stay_nested():
    assert str(render_markdown("- 存款\n- 贷款\n- 理财")).count("<ul>") == 1
    nested = str(render_markdown("- 存款\n  * 定期\n  * 活期\n- 贷款"))
    assert nested.count("<ul>") == 2 and nested.index("定期") < nested.index("贷款") < nested.rindex("</ul>")


def test_text_between_two_tildes_is_struck_out_as_typora_shows_it():
    """`~~0.15%~~ 0.1%` (the old rate struck out beside the new one) showed its tildes; Typora, GitHub
    and WPS strike it out. One tilde is a range in Chinese and stays as typed; code keeps its text."""
    assert str(render_markdown("原费率~~0.15%~~，现为0.1%")) == "<p>原费率<del>0.15%</del>，现为0.1%</p>"
    assert str(render_markdown("期限3~5年，利率2%~3%")) == "<p>期限3~5年，利率2%~3%</p>"
    assert str(render_markdown("**~~停售~~**")) == "<p><strong><del>停售</del></strong></p>"
    assert str(render_markdown("`~~x~~`")) == "<p><code>~~x~~</code></p>"
