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
