"""A branch's operations supervisor writes a course of their own in markdown:
网点运营与柜面合规 (tests/content/fixtures/own_markdown), seventeen lessons and
two banks written as people write them — a numbered list right under a bullet
list, nested lists whose marker changes, a fee table right under a line of text
with ``\\|`` in its cells and a line of text right under it, ``<script>`` in a
code block, HTML comments (the author's notes, a section held back, a question
and an option commented out), headings without a space (``#晨会要点``), list
items typed with a Chinese input method's full-width space (``-　身份证``),
``**重点**内容`` and ``**“双录”**`` glued to Chinese, lines broken inside a
paragraph, a numbered list starting at 3, links with Chinese text and headings,
an image whose name has spaces, footnotes with a Chinese label, lines of
hundreds of characters, code blocks inside list items, tables in a block quote and
a call-out, bare web addresses in Chinese sentences, ``**重要：**后面`` and lines broken
with a backslash as Typora writes them. What the learner sees is what the trainer meant; what
could not be shown as meant is refused by ``flask content check`` at its
file:line (content/FORMAT.md)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from lms import questions as question_types
from lms.content.models import Lesson, Question
from lms.content.rendering import render_inline, render_markdown
from lms.extensions import db
from tests.conftest import sign_in
from tests.content.sample_folder import edit

COURSE = "courses/branch-ops"


@pytest.fixture
def own(app, course_folder):
    return course_folder("own_markdown")


@pytest.fixture
def teller(make_user, make_branch):
    return make_user(("learner",), name="刘柜员", employee_no="E8101", branch=make_branch("B81"),
                     position="teller")


def _publish(runner) -> str:
    result = runner.invoke(args=["content", "publish"])
    assert result.exit_code == 0, result.output
    return result.output


def _lesson(client, slug: str) -> str:
    page = client.get(f"/courses/branch-ops/lessons/{slug}", follow_redirects=True)
    assert page.status_code == 200
    return page.text.split('<div class="prose">', 1)[1].split("</article>", 1)[0]


def _shown(slug: str) -> str:
    """A question as the learner's review shows it: stem, options, explanation."""
    version = db.session.scalar(select(Question).where(Question.slug == slug)).current_version
    qtype = question_types.get(version.type)
    return str(qtype.render(name="q", data=version.data, answer=None, order=None, stem_html=version.stem_html,
                            review=True, explanation_html=version.explanation_html, points=version.points,
                            course_slug=version.course_slug))


def test_the_course_checks_clean_and_what_is_commented_out_is_not_there(runner, own):
    """A question commented out (<!-- ## ops-003 … -->) was published as a question, an option
    commented out was "text after the options", and a section held back in a comment (an image
    not yet in the folder, a `!!! tip`) was a broken link and an unknown call-out."""
    check = runner.invoke(args=["content", "check"])
    assert check.exit_code == 0, check.output
    assert "17 个课时、7 道题" in check.output
    _publish(runner)
    slugs = db.session.scalars(select(Question.slug).order_by(Question.slug)).all()
    assert slugs == ["cmp-001", "cmp-002", "cmp-003", "cmp-004", "ops-001", "ops-002", "ops-004"]
    options = db.session.scalar(select(Question).where(Question.slug == "ops-001")).current_version.data["options"]
    assert [o["text"] for o in options] == ["先人脸识别，再联网核查", "先联网核查，再人脸识别", "两项都不用做"]


def test_publish_prints_its_summary_in_chinese_as_check_does(runner, own):
    """`flask content publish` printed "added changed retired unchanged" and "questions" in English
    while `check` spoke Chinese; the table's columns stay lined up with Chinese words two columns wide."""
    lines = _publish(runner).splitlines()
    head = lines.index(next(line for line in lines if "新增" in line))
    assert lines[head].split() == ["新增", "修改", "已停用", "无变化"]
    rows = {line.split()[0]: line for line in lines[head + 1:head + 10]}
    assert rows["课时"].split()[1:] == ["17", "0", "0", "0"] and rows["试题"].split()[1:] == ["7", "0", "0", "0"]

    def width(text):
        return sum(2 if "\u4e00" <= ch <= "\u9fff" else 1 for ch in text)

    assert {width(row) for row in rows.values()} == {width(lines[head])}  # every number under its heading
    assert "整个内容目录：已完成第 1 次发布。" in lines
    assert "整个内容目录：没有改动。" in _publish(runner)


def test_the_lessons_read_as_the_trainer_meant_them(runner, client, own, teller):
    _publish(runner)
    sign_in(client, teller)

    opening = _lesson(client, "account-opening")
    # A numbered list right under a bullet list is a list of its own, not "户口簿…<br>1. 联网核查…".
    assert re.search(r"<ul>\s*<li>居民身份证（原件）</li>\s*<li>户口簿或居住证（异地客户）</li>\s*</ul>\s*"
                     r"<ol>\s*<li>联网核查身份证真伪</li>", opening), opening
    # Nested: "-" then "*" are two lists under 柜员; bullets then numbers under 大堂经理.
    assert re.search(r"<li>柜员<ul>\s*<li>核对证件</li>\s*</ul>\s*<ul>\s*<li>录入客户信息</li>", opening)
    assert re.search(r"<li>大堂经理<ul>\s*<li>引导客户填单</li>\s*</ul>\s*<ol>\s*<li>询问开户用途</li>", opening)
    assert "1. " not in opening and "* " not in opening

    fees = _lesson(client, "fees")
    # The table right under "以下费率以网点公示为准：" is a table; "\|" is a | in its cell; the
    # sentence right under it is a paragraph, not a row with an empty cell.
    assert "<p>以下费率以网点公示为准：</p>" in fees and "| 项目 |" not in fees
    assert '<td align="right">2 元/笔 | 5 元/笔</td>' in fees and "<code>SMS|01</code>" in fees
    assert "<p>费率调整时，网点须提前 30 日公示。</p>" in fees and "<td>费率调整时" not in fees

    system = _lesson(client, "system")
    assert "<pre><code" in system and "&lt;script&gt;alert('请核对客户身份')&lt;/script&gt;" in system
    assert "<code>&lt;!-- --&gt;</code>" in system
    assert "<script" not in system and "信息科 2026-11" not in system and "批量开户" not in system

    headings = _lesson(client, "headings")
    assert '<h2 id="一本周重点">一、本周重点</h2>' in headings and '<h2 id="二注意事项">二、注意事项</h2>' in headings
    assert "<p>正文 #话题标签 不是标题。</p>" in headings

    typed = _lesson(client, "ime")
    assert re.search(r"<ul>\s*<li>身份证到期提醒</li>\s*<li>手机号变更</li>\s*</ul>\s*<ol>\s*<li>客户签字确认</li>",
                     typed), typed
    assert "-\u3000" not in typed and "<p>\u3000\u3000本课的清单" in typed
    assert "也要核对身份证原件；<br>\n不能只看复印件。" in typed

    emphasis = _lesson(client, "emphasis")
    assert "必须<strong>双录</strong>，<strong>“双录”</strong>是指" in emphasis
    assert "<strong>重点</strong>内容：客户<em>本人</em>签字" in emphasis and "**" not in emphasis

    breaks = _lesson(client, "line-breaks")
    assert "5 万元以上，<br>\n须提前一天预约；<br>\n20 万元以上" in breaks

    steps = _lesson(client, "steps")
    assert re.search(r'<ol start="3">\s*<li>冻结账户</li>', steps)
    assert re.search(r"<p>口头挂失</p>\s*<p>口头挂失五日内有效，客户须在五日内到网点办理书面挂失。</p>\s*</li>\s*"
                     r"<li>\s*<p>书面挂失</p>", steps), steps

    links = _lesson(client, "links")
    assert 'href="https://www.pbc.gov.cn/zhengwuxinxi/"' in links and ">中国人民银行关于加强支付结算管理的通知</a>" in links
    assert re.search(r'href="/courses/branch-ops/lessons/account-opening#[^"]+"[^>]*>个人开户流程</a>', links), links
    assert 'href="#内部文件"' in links

    layout = _lesson(client, "layout")
    image = re.search(r'<img alt="网点 功能 分区图" src="([^"]+)"', layout)
    assert image and client.get(image[1]).status_code == 200

    notes = _lesson(client, "footnotes")
    assert re.search(r'Ⅲ类户<sup id="fnref:1"><a href="#fn:1"[^>]*>1</a></sup>', notes)
    assert re.search(r'<li id="fn:限额">\s*<p>经面签核实身份的', notes) and "[^" not in notes

    checklist = _lesson(client, "checklist")
    assert "<li>☐ 检查监控录像是否正常</li>" in checklist and "<li>☑ 核对尾箱</li>" in checklist
    assert re.search(r"<li>立即报告运营主管<ul>\s*<li>设备故障</li>\s*</ul>\s*<ul>\s*<li>钱箱短款</li>", checklist)


def test_code_in_a_list_item_stays_in_the_item(runner, client, own, teller):
    """A fenced block indented under an item's text was inline code in the item's text (``text``
    its language) or ended the list, the next item numbered 1 again; a fence right under an item,
    not indented, is a code block after the list (CommonMark)."""
    _publish(runner)
    sign_in(client, teller)
    commands = _lesson(client, "commands")
    assert re.search(r"<ol>\s*<li>\s*<p>登录柜面系统，进入开户界面：</p>\s*<pre><code class=\"language-text\">"
                     r"F2 → 个人业务 → 开户\n\| 户名 \| 证件号 \|\n- 这一行不是列表\n</code></pre>\s*</li>\s*"
                     r"<li>\s*<p>录入客户信息，核对后提交：</p>\s*<pre><code class=\"language-sql\">SELECT 户名 FROM 客户 "
                     r"WHERE 证件号 = '&lt;script&gt;';\n</code></pre>\s*<p>提交后打印回单。</p>\s*</li>\s*"
                     r"<li>\s*<p>请客户在回单上签字</p>\s*</li>\s*</ol>", commands), commands
    assert "<ol start" not in commands and "```" not in commands and "<table>" not in commands
    assert re.search(r"<ul>\s*<li>离开柜台前按快捷键</li>\s*</ul>\s*<pre><code>Win\+L\n</code></pre>\s*"
                     r"<p>回来后输入柜员密码解锁。</p>", commands), commands


def test_a_table_in_a_quote_or_a_call_out_is_a_table(runner, client, own, teller):
    """"> | 项目 | 收费 |" right under a quoted line, and a table under a line of a call-out's body,
    showed their pipes and dashes as text."""
    _publish(runner)
    sign_in(client, teller)
    rules = _lesson(client, "quoted-rules")
    assert re.search(r"<blockquote>\s*<p>《商业银行服务价格管理办法》要求明码标价，本行收费标准如下：</p>\s*<table>"
                     r".*<td>小额账户管理费</td>\s*<td align=\"right\">1 元/月</td>.*</table>\s*<p>以网点公示为准。</p>"
                     r"\s*</blockquote>", rules, re.S), rules
    assert re.search(r'<div class="admonition key">\s*<p class="admonition-title">柜面收费要点</p>\s*'
                     r"<p>须事先告知客户的收费：</p>\s*<table>.*<td>挂失</td>\s*<td>是</td>.*</table>\s*"
                     r"<p>告知后请客户签字确认。</p>\s*</div>", rules, re.S), rules
    assert "| ---" not in rules and "| 项目" not in rules


def test_a_web_address_typed_bare_is_a_link_that_opens_in_a_new_tab(runner, client, own, teller):
    """GitHub and Typora link a bare https://… or www.…; a Chinese sentence ends the address at its
    punctuation; a written link opens the same way; code stays code."""
    _publish(runner)
    sign_in(client, teller)
    page = _lesson(client, "web-addresses")
    new_tab = 'target="_blank" href="%s" rel="noopener noreferrer">%s</a>'
    assert "人民银行官网：<a " + new_tab % ("https://www.pbc.gov.cn/", "https://www.pbc.gov.cn/") + " ，" in page
    assert "<a " + new_tab % ("http://www.nfra.gov.cn", "www.nfra.gov.cn") + "。" in page
    assert "请登录<a " + new_tab % ("https://ipcrs.pbccrc.org.cn/", "https://ipcrs.pbccrc.org.cn/") \
        + "（个人信用信息服务平台）" in page
    long = "https://www.pbc.gov.cn/zhengwuxinxi/4880/4881/4882/20261103093015123456789/index.html?" \
           "channel=teller-training&amp;from=branch-ops"
    assert "<a " + new_tab % (long, long) + "</p>" in page
    assert "<a " + new_tab % ("https://ipcrs.pbccrc.org.cn/", "个人信用信息服务平台") + "。" in page
    assert "<code>http://10.1.2.3:8080/teller</code>" in page and 'href="http://10.1' not in page
    # Links inside the course stay in the learner's tab.
    links = _lesson(client, "links")
    assert re.search(r'<a href="/courses/branch-ops/lessons/account-opening#[^"]+" rel="noopener noreferrer">', links)
    assert 'target="_blank" href="https://www.pbc.gov.cn/zhengwuxinxi/"' in links


@pytest.mark.parametrize("text, link", [
    ('https://x.cn/"><script>alert(1)</script>', "https://x.cn/"),
    ("www.x.cn/<img src=x onerror=alert(1)>", "http://www.x.cn/"),
    ("https://x.cn/'onmouseover='alert(1)", "https://x.cn/"),
    ("https://x.cn/a&quot;onclick=alert(1)", "https://x.cn/a&quot;onclick=alert(1)"),  # inside the value
    ("javascript:alert(1)//www.x.cn", None),  # inside another address: text
])
def test_a_bare_address_never_breaks_out_of_the_sanitiser(app, text, link):
    html = str(render_markdown(text))
    if link is None:
        assert "<a " not in html, html
    else:
        assert html.count("<a ") == 1 and f'<a target="_blank" href="{link}" rel="noopener noreferrer">' in html, html
    assert "<script" not in html and "onerror" not in html.replace("onerror=alert(1)&gt;", "") \
        and " onmouseover=" not in html and " onclick=" not in html and 'href="javascript' not in html


def test_bold_next_to_chinese_punctuation_is_bold(runner, client, own, teller):
    """CommonMark (GitHub) leaves ** visible in **重要：**后面 and 这是**“双录”**内容 (its flanking rules);
    Typora, and this renderer, show bold."""
    _publish(runner)
    sign_in(client, teller)
    emphasis = _lesson(client, "emphasis")
    assert "<strong>重要：</strong>客户签字前" in emphasis
    assert "这是<strong>“双录”</strong>内容，<strong>（一）</strong>录音、<strong>（二）</strong>录像" in emphasis
    assert "**" not in emphasis


def test_a_line_break_is_a_line_break_in_lessons_and_questions_alike(runner, client, own, teller):
    """A single newline inside a paragraph is a line break (as in WPS), also written Typora's way with a
    backslash at the end of the line, in a lesson, a stem, an option's feedback and an explanation."""
    _publish(runner)
    sign_in(client, teller)
    assert "节假日另行安排，<br>\n以网点公告为准。" in _lesson(client, "line-breaks")
    question = _shown("cmp-004")
    assert "客户昨天来电预约，<br>\n今天要取现 8 万元。<br>\n柜员应当：" in question, question
    assert "5 万元以上须提前一天预约；<br>\n本例已预约，见 <a target=\"_blank\" href=\"https://www.pbc.gov.cn/\"" in question
    assert "\\" not in question
    feedback = db.session.scalar(select(Question).where(Question.slug == "cmp-004")).current_version.data["options"][1]
    assert "已提前预约，<br>\n可以办理。" in str(render_inline(feedback["feedback"])), feedback


def test_the_questions_read_as_the_trainer_meant_them(runner, own):
    _publish(runner)
    first = _shown("ops-001")
    assert re.search(r"<ul>\s*<li>核对身份证原件</li>\s*<li>核对户口簿</li>\s*</ul>\s*<ol>\s*<li>先做联网核查</li>", first)
    assert re.search(r"<ul>\s*<li>联网核查在前</li>\s*</ul>\s*<ul>\s*<li>人脸识别在后</li>", first), first
    assert "旧选项" not in first
    fees = _shown("ops-002")
    assert "<td>2 元/笔 | 5 元/笔</td>" in fees
    loss = _shown("ops-004")
    # An option's own lines: "依据：" and a bullet list, then a numbered one.
    assert re.search(r"依据：\s*</p>\s*<ul>\s*<li>口头挂失五日内有效</li>\s*</ul>\s*<ol>\s*<li>逾期自动解除</li>|"
                     r"依据：\s*<ul>\s*<li>口头挂失五日内有效</li>\s*</ul>\s*<ol>\s*<li>逾期自动解除</li>", loss), loss
    assert re.search(r'<strong>五日</strong>内有效<sup id="fnref:1">', loss)
    essay = db.session.scalar(select(Question).where(Question.slug == "cmp-003")).current_version
    assert re.search(r'<ol start="3">\s*<li>先说识别依据</li>', essay.stem_html)
    rubric = str(render_inline(essay.data["rubric"]))
    assert re.search(r"<ul>\s*<li>识别“与身份不符”的特征（2 分）</li>\s*</ul>\s*<ol>\s*<li>当日报告", rubric), rubric


@pytest.mark.parametrize("path, old, new, message", [
    (f"{COURSE}/lessons/02-费率公示.md", "| 挂失 | 10 元 | 补卡另收 |", "| 挂失 | 10 元 | 补卡|换卡另收 |",
     "表格这一行有 4 格，表头只有 3 格"),
    (f"{COURSE}/lessons/09-链接.md", "见行内 OA 系统“制度汇编”栏目。",
     "见[制度汇编]（https://oa.example.cn/zdhb）栏目。", "“[制度汇编]（https://oa.example.cn/zdhb）”用了全角括号"),
    (f"{COURSE}/lessons/14-反洗钱.md", "| 特征 | 举例 |\n| --- | --- |", "｜特征｜举例｜\n｜---｜---｜",
     "这个表格用了全角竖线"),
    (f"{COURSE}/lessons/03-系统操作.md", "离开柜台必须锁屏（Win+L）。", "离开柜台必须锁屏（Win+L）。<!-- 待补充",
     "HTML 注释 (<!--) 没有用 --> 结束"),
    (f"{COURSE}/questions/柜面业务题库.md", "| 挂失 | 10 元 |", "| 挂失 | 10 元 | 补卡另收 |",
     "表格这一行有 3 格，表头只有 2 格"),
    # A table in a block quote and in a call-out is read, and checked, as one.
    (f"{COURSE}/lessons/16-制度摘录.md", "> | 开户 | 免费 |", "> | 开户 | 免费 | 含网银 |",
     "表格这一行有 3 格，表头只有 2 格"),
    (f"{COURSE}/lessons/16-制度摘录.md", "    | 补卡 | 是 |", "    | 补卡 | 是 | 工本费 10 元 |",
     "表格这一行有 3 格，表头只有 2 格"),
    # The option's comment left open runs to the end of the comment round ops-003: ops-002 would vanish.
    (f"{COURSE}/questions/柜面业务题库.md", "<!-- - [ ] 旧选项：只需复印件 -->", "<!-- - [ ] 旧选项：只需复印件",
     "HTML 注释 (<!--) 在下一个注释（第 44 行）开始前没有用 --> 结束"),
])
def test_what_would_not_show_as_meant_is_refused_at_its_line(runner, own, path, old, new, message):
    """A | inside a cell (the cells past the header's were dropped), a link in full-width
    brackets (shown as typed), a table of full-width ｜ (shown as text), a comment never
    closed (the rest of the file shown, "<!--" and all): each named at its file:line, in
    Chinese, and nothing is published."""
    text = (own / path).read_text(encoding="utf-8")
    line = text[:text.index(old)].count("\n") + 1
    edit(own, path, old, new)
    check = runner.invoke(args=["content", "check"])
    assert check.exit_code == 1
    found = [entry for entry in check.output.splitlines() if entry.startswith(f"{path}:{line}:")]
    assert found and message in found[0], check.output
    assert runner.invoke(args=["content", "publish"]).exit_code == 1
    assert db.session.scalar(select(func.count()).select_from(Lesson)) == 0


@pytest.mark.parametrize("text", [
    "【重要】[必读]（见下文）",                         # brackets of a sentence, no address inside
    "```\n| a | b |\n| --- | --- |\n| 1 | 2 | 3 |\n<!-- 代码里的注释\n```",  # code is code
    "写法：`<!--` 开始注释",                              # a code span
    "| a | b |\n| --- | --- |\n| `x|y` | 1\\|2 |",      # | in code and escaped
    "甲 | 乙 | 丙",                                       # pipes, no table
])
def test_what_markdown_means_is_not_refused(app, text):
    from lms.content.source.markup import check_markup

    problems: list = []
    check_markup(text, "x.md", 1, problems)
    assert problems == []


def test_comments_go_and_every_line_keeps_its_number(app):
    from lms.content.source.markup import without_comments

    text = "甲<!-- 备注 -->乙\n<!--\n## q-9\n-->\n`<!-- 代码 -->`\n```\n<!-- 代码块 -->\n```"
    assert without_comments(text) == "甲乙\n\n\n\n`<!-- 代码 -->`\n```\n<!-- 代码块 -->\n```"
