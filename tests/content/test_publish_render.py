"""Publishing renders through render_markdown, with a shortcut for plain
sentences that must give exactly the same HTML."""
from __future__ import annotations

import random

import pytest

from lms.content.source.links import course_link_resolver
from lms.content.rendering import render_markdown
from lms.content.rendering_fast import is_plain, render

SAMPLES = [
    "个人通知存款的最低起存金额是多少？", "第一行\n第二行", "x \"引号\" y", "it's 50% 万元", "a  \nb", "a\n\nb",
    "**粗体**", "1. 列表", "- 列表", "# 标题", "<b>html</b>", "a & b", "62.5", "[链接](images/a.png)", " 缩进",
    "尾空格 ", "=====", "`code`", "a|b", "![图](../images/flow.png)", "\t制表",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_same_html_as_render_markdown(text):
    resolve = course_link_resolver("products")
    assert render(text, resolve) == str(render_markdown(text, resolve))


def test_random_sentences_render_the_same():
    rng = random.Random(2024)
    alphabet = list("个人通知存款的最低起存金额是多少？，。、；%'\"$@ab AZ09\n（）【】") + ["**", "[[", "\n\n", "1."]
    plain = 0
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        plain += is_plain(text)
        assert render(text) == str(render_markdown(text)), repr(text)
    assert plain > 500  # the shortcut was exercised


def test_relative_links_become_asset_urls_and_escapes_are_dropped():
    resolve = course_link_resolver("products")
    html = render("![流程](../images/flow.png) [说明](attachments/a%20b.pdf#p2) [外](../../etc/passwd)", resolve)
    assert 'src="/assets/products/images/flow.png"' in html
    assert 'href="/assets/products/attachments/a%20b.pdf#p2"' in html
    assert "passwd" not in html
