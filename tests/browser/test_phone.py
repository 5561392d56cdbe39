"""The learner's side on a 390 × 844 phone: the sticky exam header takes at
most 15 % of the screen and jumping to question 9 shows its title below it;
the top navigation folds into a menu; a wide table scrolls inside its card;
the built-in calculator computes and is not counted as leaving the exam;
the 错题本 shows each question across the screen with its facts under it."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lms.exams.models import Attempt
from lms.extensions import db
from tests.browser.test_take_exam import _sign_in
from tests.content.console_samples import content_dir  # noqa: F401

PHONE = {"width": 390, "height": 844}
# The lines a table cell's text takes: the tops of its text's boxes. A link's own box (44 px to tap,
# its text in the middle) is not a line of text.
TEXT_LINES = """td => { const tops = new Set(), walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (!n.textContent.trim()) continue;
        const range = document.createRange(); range.selectNodeContents(n);
        for (const r of range.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top));
    }
    return tops.size; }"""


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}


@pytest.fixture
def phone_exam(app, make_user, make_question, make_exam):
    learner = make_user(("learner",), employee_no="p-learner")
    slugs = [make_question("single", stem=f"第{n}题：个人通知存款的最低起存金额是多少？这是一道为手机屏幕写得较长的题干。").slug
             for n in range(1, 12)]
    slugs.append(make_question("numeric", stem="资产负债率是多少（%）？").slug)
    exam = make_exam([{"questions": slugs}], title="第10周 手机端测验：个人存款与资产负债率", shuffle_options=False,
                     max_attempts=None, focus_loss_limit=3)
    world = learner.employee_no, exam.id
    db.session.commit()
    return world


def _start(page, live_server, phone_exam):
    employee_no, exam_id = phone_exam
    _sign_in(page, live_server, employee_no)
    page.goto(f"{live_server}/exams/{exam_id}")
    assert page.locator("#exam-leaving").filter(has_text="计算器").is_visible()  # the intro says what counts
    page.click("text=开始考试")
    page.wait_for_url(f"{live_server}/attempts/*")


def test_jumping_to_question_9_shows_its_title_below_the_sticky_header(page, live_server, phone_exam):
    _start(page, live_server, phone_exam)
    head = page.locator(".exam-head").bounding_box()
    assert head["height"] <= 0.15 * PHONE["height"], head
    page.locator("#q-nav a.q-nav-link", has_text="9").first.click()
    page.wait_for_function("location.hash === '#q-9'")
    # The jump has been scrolled and the page stands still (the same position on two frames in a
    # row), rather than a fixed 300 ms that a loaded machine may not have spent on it.
    page.wait_for_function("""() => {
        const y = window.scrollY, same = window.lmsTestLastY === y;
        window.lmsTestLastY = y;
        return y > 0 && same;
    }""", polling="raf")
    head = page.locator(".exam-head").bounding_box()
    title = page.locator("#q-9 h2").bounding_box()
    assert head["y"] <= 1  # stuck to the top while the page is scrolled
    assert title["y"] >= head["y"] + head["height"] - 0.5, (title, head)
    assert title["y"] + title["height"] <= PHONE["height"]  # on screen
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_navigation_folds_into_a_menu(page, live_server, phone_exam):
    employee_no, _ = phone_exam
    _sign_in(page, live_server, employee_no)
    nav, toggle = page.locator("#mainnav"), page.locator(".nav-toggle")
    assert toggle.is_visible() and not nav.is_visible()
    toggle.click()
    expect(nav).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#mainnav a", has_text="错题本")).to_be_visible()
    toggle.click()
    expect(nav).to_be_hidden()


def test_a_wide_table_scrolls_inside_its_card(page, live_server, make_user):
    hr = make_user(("hr",), employee_no="p-hr")
    for n in range(3):
        make_user(("learner",), employee_no=f"p_wide_{n}_abcdefghijklmnopqrstuvw", position="rm_principal")
    db.session.commit()
    _sign_in(page, live_server, hr.employee_no)
    page.goto(live_server + "/org/people")
    sizes = page.evaluate("""() => {
        const table = document.querySelector('main table');
        let box = table.parentElement;
        while (box && getComputedStyle(box).overflowX !== 'auto') { box = box.parentElement; }
        return {page: document.documentElement.scrollWidth, table: table.scrollWidth,
                box: box ? box.clientWidth : null, wrapped: !!(box && box.closest('.card, .table-wrap'))};
    }""")
    assert sizes["table"] > PHONE["width"], sizes  # a table wider than the phone…
    assert sizes["wrapped"] and sizes["box"] < sizes["table"], sizes  # …scrolls inside its card
    assert sizes["page"] <= PHONE["width"], sizes  # the page itself does not scroll sideways


def test_the_calculator_computes_and_is_not_leaving_the_exam(page, live_server, phone_exam):
    _start(page, live_server, phone_exam)
    question = page.locator("#q-12")
    question.locator(".calculator-wrap summary").click()
    for key in ["2", "0", "0", "×", "1", "5", "%", "+", "3", "2", ".", "5", "="]:
        question.locator(".calc-keys button", has_text=key).first.click()
    expect(question.locator(".calc-display")).to_have_value("62.5")
    question.locator(".calc-use").click()
    expect(question.locator("input[inputmode=decimal][name]")).to_have_value("62.5")
    question.locator(".saved-state").filter(has_text="已保存").wait_for()  # the answer autosaved
    question.locator(".calc-display").fill("(1+2")
    question.locator(".calc-keys button", has_text="=").click()
    assert question.locator(".calc-status").inner_text() == "无法计算这个算式"  # set by the click itself
    assert page.locator("#integrity-notice").inner_text().strip() == ""
    db.session.expire_all()
    attempt = db.session.scalar(db.select(Attempt))
    assert attempt.focus_losses == 0 and attempt.state == "open"


def test_a_wide_lesson_table_scrolls_inside_the_lesson_card(page, live_server, make_user, make_course):
    import json

    from lms.content.models import Lesson
    from lms.content.rendering import render_markdown

    learner = make_user(("learner",), employee_no="p-reader")
    course = make_course("products", "对公与对私产品", "products")
    columns = ["产品名称", "起存金额", "期限", "年化利率", "提前支取", "适合客户", "风险等级", "备注"]
    body = ("## 存款产品一览\n\n| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"
            + "| " + " | ".join(["Personal_notice_deposit_product"] * len(columns)) + " |\n")
    lesson = Lesson(course=course, slug="deposits", position=1, title="个人存款产品", minutes=10,
                    objectives_json=json.dumps([]), body_md=body, body_html=str(render_markdown(body)))
    db.session.add(lesson)
    db.session.commit()
    _sign_in(page, live_server, learner.employee_no)
    page.goto(f"{live_server}/lessons/{lesson.id}")
    sizes = page.evaluate("""() => {
        const table = document.querySelector('#lesson .prose table');
        const card = document.querySelector('#lesson');
        return {page: document.documentElement.scrollWidth, table: table.scrollWidth, shown: table.clientWidth,
                card: card.clientWidth};
    }""")
    assert sizes["table"] > PHONE["width"], sizes  # the table is wider than the phone…
    assert sizes["shown"] <= sizes["card"], sizes  # …and scrolls inside the lesson's card
    assert sizes["page"] <= PHONE["width"], sizes  # the page does not scroll sideways


def test_the_notebook_shows_each_question_across_the_phone(page, live_server, make_user, make_question):
    from tests.exams.results_data import notebook_entry

    learner = make_user(("learner",), employee_no="p-notebook")
    stem = "贷后检查发现放款次日 25 万元转入了借款人本人的证券账户。客户经理正确的处理是："
    notebook_entry(learner, make_question("single", stem=stem, tags=("个人贷款", "贷后管理")), times_wrong=2)
    db.session.commit()
    _sign_in(page, live_server, learner.employee_no)
    page.goto(f"{live_server}/notebook/")
    row = page.locator("#notebook-entries tbody tr").first
    question, card = row.locator("td").first.bounding_box(), page.locator("#notebook-entries").bounding_box()
    assert question["width"] >= 0.8 * card["width"], (question, card)  # was 45 px: three characters a line
    for cell in row.locator("td").all():  # every fact of the row is on the screen, none behind a sideways scroll
        box = cell.bounding_box()
        assert box is None or box["x"] + box["width"] <= PHONE["width"], (cell.inner_text(), box)
    times = row.locator("td[data-label]").first  # a bare number says what it counts
    assert times.inner_text().strip() == "2"
    assert times.evaluate("td => getComputedStyle(td, '::before').content") == '"答错次数："'

    assert row.get_by_role("link", name="练习").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]



def test_a_long_file_path_shown_as_code_breaks_rather_than_widen_the_page(page, live_server, make_user,
                                                                           content_dir):  # noqa: F811
    """The lesson editor names its file in the heading, in <code>; a path has no place to break
    (a slash is none), so on a phone it pushed the whole page sideways."""
    trainer = make_user(("trainer",), employee_no="p-trainer")
    db.session.commit()
    _sign_in(page, live_server, trainer.employee_no)
    page.goto(f"{live_server}/console/edit?path=courses/products/lessons/01-deposits.md")
    expect(page.locator("h1 code")).to_have_text("courses/products/lessons/01-deposits.md")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_roster_on_a_phone_keeps_each_name_and_branch_on_one_line(page, live_server, make_user, make_branch,
                                                                      clock):
    """The roster's week cells do not wrap, so on a phone the table squeezed the name, branch and
    position columns to one character a line (吕/文/博 stacked); they now keep their width and the
    table scrolls sideways inside its card, as wide tables do."""
    from tests.reports.helpers import make_programme

    city = make_branch("ZZ01", "株洲分行")
    tianyuan = make_branch("ZZ0101", "天元支行", parent=city)
    make_programme(4)
    for n, name in enumerate(("吕文博", "梁芳芳", "欧阳明月")):
        make_user(employee_no=f"E10{n}", name=name, branch=tianyuan, position="rm_intermediate")
    hr = make_user(("hr",), employee_no="p-hr")
    db.session.commit()
    _sign_in(page, live_server, hr.employee_no)
    page.goto(f"{live_server}/reports/roster")
    expect(page.locator("table.roster tbody tr")).to_have_count(3)
    lines = page.evaluate(f"""() => Array.from(document.querySelectorAll('table.roster tbody tr')).map(tr =>
        Array.from(tr.cells).slice(0, 4).map({TEXT_LINES}))""")
    assert lines == [[1, 1, 1, 1]] * 3, lines
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_people_list_on_a_phone_keeps_each_name_and_branch_whole(page, live_server, make_user, make_branch):
    """HR's people list (and every register of people: certificates, eligibility) squeezed its
    columns on a phone until a name broke between its characters (高海/燕, 株/洲/分/行). A name or
    a branch stays whole; the table scrolls inside its card."""
    city = make_branch("ZZ01", "株洲分行")
    tianyuan = make_branch("ZZ0101", "天元支行", parent=city)
    for n, name in enumerate(("高海燕", "欧阳明月", "吕文博")):
        make_user(("learner", "mentor"), employee_no=f"E100{n}", name=name, branch=tianyuan, position="rm_intermediate")
    hr = make_user(("hr",), employee_no="p-hr", branch=city)
    db.session.commit()
    _sign_in(page, live_server, hr.employee_no)
    page.goto(f"{live_server}/org/people")
    names = page.locator("main table tbody a", has_text=re.compile("高海燕|欧阳明月|吕文博"))
    expect(names).to_have_count(3)
    tops = page.evaluate(f"""() => Array.from(document.querySelectorAll('main table tbody td')).filter(td =>
        /^(高海燕|欧阳明月|吕文博|天元支行)$/.test(td.innerText.trim())).map(td =>
            [td.innerText.trim(), ({TEXT_LINES})(td)])""")
    assert len(tops) >= 6 and all(lines == 1 for _, lines in tops), tops
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_folded_menu_keeps_the_bell_and_its_unread_count_in_sight(page, live_server, make_user, clock):
    """On a phone the whole user box folded into 菜单 with the menu, bell included: a learner with
    unread notifications saw no sign of them until opening the menu. The bell stays beside 菜单."""
    from lms.notify import services

    learner = make_user(("learner",), employee_no="p-bell")
    for n in (1, 2):
        services.notify(learner, "graded", f"attempt:{n}", {"exam": f"第{n}周测验", "exam_id": n, "attempt_id": n,
                                                           "number": 1, "percent": 90.0, "passed": True})
    db.session.commit()
    _sign_in(page, live_server, learner.employee_no)
    expect(page.locator("#notify-bell .bell-count")).to_have_text("2")
    expect(page.locator("#notify-bell")).to_be_visible()
    assert page.locator(".nav-toggle").is_visible() and not page.locator("#mainnav").is_visible()
    assert not page.locator(".userbox .who").is_visible()
    bell, toggle = page.locator("#notify-bell").bounding_box(), page.locator(".nav-toggle").bounding_box()
    assert bell["y"] < toggle["y"] + toggle["height"] and bell["x"] + bell["width"] <= PHONE["width"]
    page.locator(".nav-toggle").click()
    expect(page.locator(".userbox .who")).to_be_visible()


def test_a_refused_form_puts_the_first_field_in_error_in_sight_with_the_focus(page, live_server, make_user,
                                                                              make_branch):
    """HR's new-person form is longer than a phone's screen: refused for a hire date in the future,
    it came back at its top, the error out of sight below, as if the button had done nothing."""
    branch = make_branch("B01", "天元支行")
    hr = make_user(("hr",), employee_no="p-hr", branch=branch)
    db.session.commit()
    _sign_in(page, live_server, hr.employee_no)
    page.goto(f"{live_server}/org/people/new")
    page.fill("input[name=employee_no]", "E2001")
    page.fill("input[name=name]", "新同事")
    page.fill("input[name=hire_date]", "2999-01-01")
    with page.expect_navigation():
        page.click("form button[type=submit].primary")
    expect(page.locator("#field-hire_date.has-error")).to_be_visible()
    expect(page.locator("input[name=hire_date]")).to_be_focused()
    box = page.locator("#field-hire_date").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box


LONG_ADDRESS = ("https://www.pbc.gov.cn/zhengwuxinxi/4880/4881/4882/20261103093015123456789/index.html"
                "?channel=teller-training&from=branch-ops")


def test_a_long_web_address_in_a_stem_or_an_option_wraps_rather_than_widen_the_page(page, live_server, make_user,
                                                                                       make_question, make_exam):
    """A bare address has no place to break; in an option (a flex row) it pushed the page sideways."""
    learner = make_user(("learner",), employee_no="p-address")
    options = [{"key": "A", "text": f"见 {LONG_ADDRESS}"}, {"key": "B", "text": "见网点公告"}]
    question = make_question("single", stem=f"通知原文在哪里？{LONG_ADDRESS}", data={"options": options, "correct": ["A"]})
    exam = make_exam([{"questions": [question.slug]}], title="网址", max_attempts=None)
    db.session.commit()
    _start(page, live_server, (learner.employee_no, exam.id))
    link = page.locator(".q-options a").first
    expect(link).to_have_attribute("target", "_blank")
    box = link.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"], box
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_notebooks_practise_links_are_on_the_screen_in_english(page, live_server, make_user, make_question):
    """In English the knowledge points' headings (Knowledge point, To practise, Cleared) kept to one line
    each, so the table outgrew the phone and every row's Practise sat behind a sideways scroll; the
    headings wrap now and the row's Practise is on the screen, as 练习 is in Chinese."""
    from tests.exams.results_data import notebook_entry

    learner = make_user(("learner",), employee_no="p-notebook-en", locale="en")
    notebook_entry(learner, make_question("single", tags=("个人借款人5C",)), times_wrong=1)
    db.session.commit()
    _sign_in(page, live_server, learner.employee_no)
    page.goto(f"{live_server}/notebook/")
    practise = page.locator("#knowledge-points tbody a", has_text="Practise")
    expect(practise).to_have_count(1)
    box, shown = practise.bounding_box(), page.locator("#knowledge-points .table-wrap").bounding_box()
    assert box["x"] + box["width"] <= shown["x"] + shown["width"] and box["height"] >= 44, (box, shown)
