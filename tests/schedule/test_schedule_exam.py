"""Exam settings and draw rules edited in the browser: labels not codes, the
file written in place (comments kept), checked, previewed with a sample draw,
diffed and published; bad values refused with the field named."""
from __future__ import annotations

from sqlalchemy import func, select

from lms.content.models import ContentRelease, Exam
from lms.extensions import db
from tests.content.console_samples import trainer  # noqa: F401
from tests.schedule.samples import schedule_dir  # noqa: F401
from tests.schedule.test_schedule_programme import fields_of, review_and_publish

URL = "/console/schedule/exams/week-02"
FILE = "exams/week-02.yaml"


def form_of(client) -> dict:
    return fields_of(client.get(URL).text)


def test_the_exam_form_shows_labels_not_codes(client, schedule_dir, trainer):
    page = client.get(URL).text
    assert "<option selected value=\"after_submit\">交卷后显示</option>" in page
    for code_as_label in (">after_submit<", ">one_page<", ">best<", ">single<", ">medium<"):
        assert code_as_label not in page
    data = fields_of(page)
    assert data["time_limit"] == "30" and data["pass_mark"] == "80" and data["attempts"] == ""
    assert data["draw-0-type"] == "single" and data["draw-0-tags"] == "个人存款" and data["draw-1-fixed"] == "dep-002"


def test_the_exam_page_and_the_exam_form_word_the_review_setting_alike(client, schedule_dir, trainer):
    """The console's exam page read 答卷查看：交卷后显示答案, its form (and the form's preview) 答案与解析：提交后可查看,
    and a publish's plan 答卷查看 …: a trainer could not tell they were one setting. One name, one wording."""
    import re

    def setting(html):
        return re.findall(r"<dt>答案与解析</dt><dd>([^<]*)</dd>", html)

    assert setting(client.get("/console/exams/exam-week-02").text) == ["交卷后显示"]
    form = client.get(URL).text
    assert re.search(r'<label for="review"[^>]*>答案与解析</label>', form)
    assert re.findall(r'<option[^>]*value="(\w+)">([^<]*)</option>', form.split('id="review"', 1)[1].split("</select>")[0]) \
        == [("after_submit", "交卷后显示"), ("after_pass", "通过后显示"), ("after_close", "考试关闭后显示"), ("never", "不显示")]
    reviewed = client.post(URL, data=form_of(client) | {"review": "never", "action": "review"}).text
    assert setting(reviewed) == ["不显示"]  # the form's preview of the file as it would be
    assert "答案与解析 交卷后显示 → 不显示" in reviewed  # the plan


def test_trainer_edits_settings_and_draw_rules(client, schedule_dir, trainer):
    path = schedule_dir / FILE
    path.write_text("# 第 2 周：客观题当场判分。\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    data = form_of(client) | {"time_limit": "45", "pass_mark": "85", "attempts": "3", "cooldown": "60",
                              "review": "after_pass", "focus_loss_limit": "5",
                              "draw-0-count": "1", "draw-0-difficulty": "easy"}
    reviewed, published = review_and_publish(client, data, url=URL, root=schedule_dir)
    page = reviewed.text
    assert 'id="schedule-exam-preview"' in page and "个人通知存款的最低起存金额是多少？" in page  # the sample draw
    assert "-time_limit: 30" in page and "+time_limit: 45" in page  # the diff
    assert published.status_code == 302, published.text
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# 第 2 周：客观题当场判分。\nid: exam-week-02\n")
    assert "time_limit: 45\npass_mark: 85\nattempts: 3\ncooldown: 60\n" in text
    assert "review: after_pass" in text and "focus_loss_limit: 5" in text
    assert "  - {count: 1, type: single, tags: [个人存款], difficulty: easy}\n  - {questions: [dep-002]}\n" in text
    exam = db.session.scalar(select(Exam).where(Exam.slug == "exam-week-02"))
    db.session.refresh(exam)
    assert (exam.time_limit_minutes, exam.pass_mark, exam.max_attempts, exam.cooldown_minutes) == (45, 85, 3, 60)
    assert exam.review_policy == "after_pass" and exam.focus_loss_limit == 5
    assert exam.draw == [{"count": 1, "type": "single", "tags": ["个人存款"], "difficulty": "easy"},
                         {"questions": ["dep-002"]}]


def test_rules_are_added_removed_and_reordered(client, schedule_dir, trainer):
    added = client.post(URL, data=form_of(client) | {"action": "add-rule"})
    assert added.status_code == 200 and 'id="rule-row-3"' in added.text
    data = fields_of(added.text) | {"draw-2-count": "1", "draw-2-type": "truefalse", "draw-2-order": "1", "draw-0-order": "2",
                                    "draw-1-remove": ["y"]}
    _reviewed, published = review_and_publish(client, data, url=URL)
    assert published.status_code == 302
    text = (schedule_dir / FILE).read_text(encoding="utf-8")
    assert "draw:\n  - {count: 1, type: truefalse}\n  - {count: 1, type: single, tags: [个人存款]}\n" in text
    assert "dep-002" not in text


def test_bad_settings_are_refused_with_the_field_named(client, schedule_dir, trainer):
    before = (schedule_dir / FILE).read_text(encoding="utf-8")
    releases = db.session.scalar(select(func.count()).select_from(ContentRelease))
    bad = form_of(client) | {"pass_mark": "120", "time_limit": "0", "review": "whenever", "draw-0-count": "-2",
                             "draw-1-fixed": ""}
    response = client.post(URL, data=bad | {"action": "review"})
    assert response.status_code == 422
    refusal = response.text.split('id="schedule-refusal"')[1].split("</div>")[0]
    for field_id, label in (("pass_mark", "及格线 (%)"), ("time_limit", "考试时长（分钟）"), ("review", "答案与解析"),
                            ("draw-0-count", "抽题规则 1 · 题数"), ("draw-1-count", "抽题规则 2 · 题数")):
        assert f'<a href="#{field_id}">{label}</a>' in refusal, label
    # Each message once, at its field: rule 2's in its row.
    assert response.text.count("请填写题数，或填写指定试题。") == 1
    assert "请填写题数，或填写指定试题。" in response.text.split('id="rule-row-2"')[1].split("</tr>")[0]
    # The check of the whole tree: a rule asking for more questions than the banks hold.
    greedy = form_of(client) | {"draw-0-count": "9"}
    response = client.post(URL, data=greedy | {"action": "review"})
    assert response.status_code == 422 and 'id="schedule-publish"' not in response.text
    # The message names the rule itself (no "抽题规则 1：抽题规则 1 …"), its filters in Chinese punctuation.
    assert (f"<code>{FILE}:9</code> 抽题规则 1 要抽 9 道题（题型 单选题，知识点 个人存款，课程 products），题库中只有 1 道</small>"
            in response.text)
    assert (schedule_dir / FILE).read_text(encoding="utf-8") == before
    assert db.session.scalar(select(func.count()).select_from(ContentRelease)) == releases
