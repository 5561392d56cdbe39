"""The check's messages in the scheduling forms name the form's fields, not the file's keys:
the trainer filled in a form and never saw `exam`, `opens` or `start`; `flask content check`
keeps file:line and the key, where the trainer reads the file."""
from __future__ import annotations

import re
from datetime import timedelta

from tests.content.console_samples import trainer  # noqa: F401
from tests.schedule.samples import schedule_dir, this_monday  # noqa: F401
from tests.schedule.test_schedule_programme import FILE, URL, form_of


def test_a_week_without_an_exam_names_the_exam_field(client, runner, schedule_dir, trainer):
    """Was "第 2 周 需要 'exam'（每周培训都以考试结束）" under the week's exam field."""
    response = client.post(URL, data=form_of(client) | {"weeks-1-exam": "", "action": "review"})
    assert response.status_code == 422
    assert re.search(rf"<code>{FILE}:\d+</code> 第 2 周 需要“考试”（每周培训都以考试结束）</small>", response.text), \
        response.text
    assert "&#39;exam&#39;" not in response.text

    # The file as the form would write it, read by the command line: file:line and the key.
    path = schedule_dir / FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    exam: exam-week-02\n", "", 1), encoding="utf-8")
    check = runner.invoke(args=["content", "check"])
    assert re.search(rf"{FILE}:\d+: 第 2 周 需要 'exam'（每周培训都以考试结束）", check.output), check.output


def test_a_week_without_dates_names_the_date_fields(client, schedule_dir, trainer):
    """Was "第 1 周 需要 'opens' 和 'due' 日期（或培训计划的 'start'）"."""
    data = form_of(client) | {"start": "", "weeks-0-opens": "", "weeks-0-due": "", "action": "review"}
    response = client.post(URL, data=data)
    assert response.status_code == 422
    text = response.text
    assert "第 1 周 需要“开始”和“截止”日期（或培训计划的“开始日期（第 1 周的周一）”）" in text, text
    assert "&#39;opens&#39;" not in text and "&#39;start&#39;" not in text


def test_english_reads_the_labels_with_their_spaces(client, schedule_dir, trainer):
    client.post("/language", data={"lang": "en"})
    response = client.post(URL, data=form_of(client) | {"weeks-1-exam": "", "action": "review"})
    assert "week 2 needs an “Exam” (every week ends with an exam)" in response.text, response.text
