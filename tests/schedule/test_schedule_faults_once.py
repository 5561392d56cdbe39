"""The scheduling forms say each fault once, where the trainer acts on it:
under the field when it is the field's fault (with the file:line when the
check of the written file found it), in the review's list only when no field
of the form holds it, and a refusal of the form's own validation points to
the marked fields without repeating their messages."""
from __future__ import annotations

import re
from datetime import timedelta

from tests.content.console_samples import trainer  # noqa: F401
from tests.schedule.samples import schedule_dir, this_monday  # noqa: F401
from tests.schedule.test_schedule_programme import FILE, URL, form_of

EXAM_URL = "/console/schedule/exams/week-01"
EXAM_FILE = "exams/week-01.yaml"


def _row(html: str, row_id: str) -> str:
    return html.split(f'id="{row_id}"')[1].split("</tr>")[0]


def test_a_week_whose_due_is_before_its_opening_is_said_once_at_the_week(client, schedule_dir, trainer):
    monday = this_monday()
    opens, due = (monday + timedelta(days=3)).isoformat(), (monday + timedelta(days=1)).isoformat()
    data = form_of(client) | {"weeks-3-opens": opens, "weeks-3-due": due, "action": "review"}
    page = client.post(URL, data=data).text
    message = f"截止日期 ({due}) 早于开始日期 ({opens})"
    assert page.count(message) == 1
    row = _row(page, "week-row-4")
    assert message in row and re.search(rf"<code>{FILE}:\d+</code>", row)  # at the week, naming file:line
    problems = page.split('id="schedule-problems"')[1].split("</div>")[0]
    assert "1 个问题：暂不能发布。其中 1 个已在下面的字段处标出。" in problems


def test_a_rule_asking_for_too_many_questions_is_said_once_at_its_count(client, schedule_dir, trainer):
    # A rule asking for more questions than the banks hold: the rule's count, once, with file:line.
    page = client.post(EXAM_URL, data=form_of(client, EXAM_URL) | {"draw-0-count": "9", "action": "review"}).text
    message = "要抽 9 道题"
    assert page.count(message) == 1
    assert message in _row(page, "rule-row-1") and f"<code>{EXAM_FILE}:9</code>" in _row(page, "rule-row-1")


def test_the_form_refused_names_the_fields_and_says_each_message_once(client, schedule_dir, trainer):
    bad = form_of(client) | {"title": "", "weeks-1-due": "下周", "action": "review"}
    response = client.post(URL, data=bad)
    assert response.status_code == 422
    page = response.text
    wrong_day = "“下周”不是有效的日期：请按 YYYY-MM-DD 格式填写，例如 2026-03-01。"
    assert page.count("此项必填。") == 1 and page.count(wrong_day) == 1
    assert wrong_day in _row(page, "week-row-2")
    refusal = page.split('id="schedule-refusal"')[1].split("</div>")[0]
    assert '<a href="#title">标题</a>' in refusal and '<a href="#weeks-1-due">第 2 周 · 截止</a>' in refusal


def test_the_review_is_headed_as_a_check_not_as_a_bulletins_quiz(client, schedule_dir, trainer):
    # "Check" is also a bulletin's quiz (小测): the review of the form is the check of the curriculum.
    page = client.post(URL, data=form_of(client) | {"action": "review"}).text
    review = page.split('id="schedule-review"')[1]
    assert "<h2>检查结果</h2>" in review and "<h2>小测</h2>" not in page
