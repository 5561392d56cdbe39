"""A count of one reads in the singular on an English page: the exam intro read
"1 minutes" and "more than 1 times", the eligibility register "only 1 weeks due
so far", a full mentor "already has 1 apprentices (capacity 1)"."""
from types import SimpleNamespace

from flask_babel import force_locale

from lms.extensions import db
from tests.conftest import sign_in


def test_an_exam_of_one_minute_and_one_leave_reads_in_the_singular(client, make_user, make_exam):
    learner = make_user(("learner",), locale="en")
    exam = make_exam(time_limit_minutes=1, focus_loss_limit=1, cooldown_minutes=1, max_attempts=1)
    sign_in(client, learner)
    page = client.get(f"/exams/{exam.id}").text
    assert "<dd>1 minute</dd>" in page and "1 minutes" not in page
    assert "The exam is submitted after you leave the page more than 1 time." in page
    assert "After more than 1 time the exam is submitted with the answers saved." in page
    exam.time_limit_minutes = 30
    db.session.commit()
    assert "<dd>30 minutes</dd>" in client.get(f"/exams/{exam.id}").text


def test_the_eligibility_words_count_one_week_and_one_month(app):
    from lms.eligibility.engine import Words

    with app.test_request_context(), force_locale("en"):
        words = Words()
        assert words.weeks_due[False] % {"n": 1} == "only 1 week due so far"
        assert words.weeks_due[True] % {"n": 2} == "only 2 weeks due so far"
        assert words.tenure[False] % {"months": 1, "positions": "Teller"} == "1 month as Teller"
    with app.test_request_context(), force_locale("zh_CN"):
        assert Words().weeks_due[False] % {"n": 1} == "目前仅有 1 周已到期"


def test_one_point_and_one_person_with_an_overdue_week(app):
    """A case part read "Part c (1 points)"; 赵行长's panel "1 people with an overdue week"."""
    with app.test_request_context(), force_locale("en"):
        render = app.jinja_env.from_string
        assert render("{{ 1.0|points }} · {{ 0.5|points }} · {{ 3|points }}").render() == "1 point · 0.5 points · 3 points"
        panel = render('{{ ngettext("person with an overdue week", "people with an overdue week", n) }}')
        assert panel.render(n=1) == "person with an overdue week" and panel.render(n=2) == "people with an overdue week"
    with app.test_request_context(), force_locale("zh_CN"):
        assert app.jinja_env.from_string("{{ 1|points }}").render() == "1 分"


def test_the_notebook_panel_counts_one_question_and_joins_its_sentences(app):
    """王师傅's home page read "1 questions to practise."; with nothing to practise the Chinese panel read
    "暂无错题。 已掌握：3" (a space after 。)."""
    from types import SimpleNamespace

    from flask import render_template

    panel = SimpleNamespace(to_practise=1, cleared=0, waiting=0, points=[], in_grading=0)
    with app.test_request_context(), force_locale("en"):
        assert "1 question to practise." in render_template("notebook/_notebook_panel.html", panel=panel)
        panel.to_practise = 2
        assert "2 questions to practise." in render_template("notebook/_notebook_panel.html", panel=panel)
    panel.to_practise, panel.cleared = 0, 3
    with app.test_request_context(), force_locale("zh_CN"):
        html = render_template("notebook/_notebook_panel.html", panel=panel)
    assert "暂无错题。已掌握：3" in html and "。 " not in html


def test_the_publish_plan_counts_one_learner_and_groups_thousands(app):
    """The plan read "1 learners who passed it stay passed", "1 of them still wait", and a bank-wide
    programme "20000 learners are overdue" (no thousands separator)."""
    from lms.content.publishing.effects import Effect
    from lms.content.publishing.wording import describe, regraded_text

    moved = {"programme": "RM", "title": "Week 3", "before": 3, "after": 4, "due_before": "2026-03-08",
             "due_after": "2026-03-15", "passed": 1, "overdue": 20000}
    with app.test_request_context(), force_locale("en"):
        text = describe(Effect("week_moved", "rm/week-3", moved))
        assert "1 learner who passed it stays passed" in text
        assert "20,000 learners who have not passed it are overdue at once" in text
        assert "1 learner read it" in describe(Effect("lesson_retired", "aml/l1", {"title": "T", "readers": 1}))
        assert "1,204 learners read it" in describe(Effect("lesson_retired", "aml/l1", {"title": "T", "readers": 1204}))
        retired = describe(Effect("question_retired", "q-1", {"open": 1, "done": 2500, "notebooks": 1}))
        assert "1 attempt in progress and 2,500 submitted attempts drew it" in retired
        assert "1 learner has it in their wrong-answer notebook" in retired
        assert regraded_text(1).startswith("1 submitted attempt was re-graded")
        assert regraded_text(1500).startswith("1,500 submitted attempts were re-graded")
    with app.test_request_context(), force_locale("zh_CN"):
        assert "尚未通过的 20,000 名学员立即逾期" in describe(Effect("week_moved", "rm/week-3", moved))



def test_a_rule_of_one_month_and_an_audit_line_of_moved_answers(app):
    """An eligibility rule of one month read "1 months as Teller"; the audit log of a publish
    "1 answers moved to the new version … 1 attempts keep the text"."""
    from lms.content import audit_labels
    from lms.content.credentials_text import describe_tenure

    with app.test_request_context(), force_locale("en"):
        assert describe_tenure({"months": 1, "positions": ["teller"]}) == "1 month as Teller"
        assert describe_tenure({"months": 12, "positions": ["teller"]}) == "12 months as Teller"
        line = audit_labels.open_attempts({"moved": 1, "kept": 1200})
        assert "1 answers" not in line and line.endswith("attempts that keep the text they were shown: 1,200")
    with app.test_request_context(), force_locale("zh_CN"):
        assert describe_tenure({"months": 1, "positions": ["teller"]}) == "在柜员岗位满 1 个月"


def test_marking_one_notification_read_says_one_notification(client, clock, make_user):
    """"Mark all read" with one unread notification flashed "1 notifications marked read."."""
    from tests.notify.test_inbox import _graded

    learner = make_user(("learner",), locale="en")
    _graded(learner, 1)
    sign_in(client, learner)
    client.post("/notifications/read-all")
    page = client.get("/notifications/").text
    assert "1 notification marked read." in page and "1 notifications" not in page


def test_one_focus_loss_reads_in_the_singular(app):
    """The exam's notice read "You left the exam page 1 times. After 1 times the exam is submitted."
    (the course list's "1 lessons" and a mentor's "1 active apprentices" are caught by the every-page walk)."""
    from types import SimpleNamespace

    from flask import render_template

    attempt = SimpleNamespace(focus_losses=1, exam=SimpleNamespace(focus_loss_limit=1))
    with app.test_request_context(), force_locale("en"):
        html = render_template("exams/_integrity.html", attempt=attempt)
        assert "You left the exam page 1 time. After more than 1 time the exam is submitted." in html
        attempt.exam.focus_loss_limit = None
        assert "You left the exam page 1 time. This is recorded." in render_template("exams/_integrity.html",
                                                                                   attempt=attempt)
    attempt.exam.focus_loss_limit, attempt.focus_losses = 3, 2
    with app.test_request_context(), force_locale("zh_CN"):
        html = render_template("exams/_integrity.html", attempt=attempt)
    assert "您已离开考试页面 2 次。超过 3 次将自动交卷。" in html


def test_the_commands_count_in_words_in_each_language(app, runner, tmp_path, monkeypatch):
    """`flask people import` ended "1 problem(s); nothing imported.", `flask exams finalise-expired`
    "finalised 1 expired attempt(s)", `flask notify scan` "made 1 notification(s)" and `flask certificates scan`
    "issued 1 certificate(s)" — in English only, although a command speaks Chinese."""
    from lms.certificates import triggers
    from lms.exams import attempts
    from lms.notify import scan as notify_scan

    bad = tmp_path / "people.csv"
    bad.write_text("工号,姓名,支行,岗位,入职日期,角色\nE3001,黎思远,无此支行,柜员,2025-07-01,学员\n", encoding="utf-8")
    monkeypatch.setattr(attempts, "finalise_expired", lambda: 1)
    monkeypatch.setattr(notify_scan, "scan", lambda: SimpleNamespace(total=1, made={"due_soon": 1}))
    monkeypatch.setattr(triggers, "scan", lambda: SimpleNamespace(
        issued=1, notices=SimpleNamespace(holders=1, managers=1204)))

    def run(*args):
        return runner.invoke(args=list(args)).output

    with force_locale("en"):
        assert run("people", "import", str(bad)).endswith("\n1 problem: nothing imported.\n")
        assert run("exams", "finalise-expired") == "Finalised 1 expired attempt.\n"
        assert run("notify", "scan") == "Made 1 notification: Due in 2 days (1)\n"
        assert run("certificates", "scan") == ("Issued 1 certificate; expiry notices: 1 to a holder, "
                                               "1,204 to branch managers.\n")
    output = run("people", "import", str(bad))
    assert output.endswith("\n1 个问题，未导入任何数据。\n") and "(s)" not in output
    assert run("exams", "finalise-expired") == "已为 1 份超时答卷交卷。\n"
    assert run("notify", "scan") == "生成了 1 条通知：两天内截止 (1)\n"
    assert run("certificates", "scan") == "颁发了 1 张证书；到期提醒：1 条发给持证人，1,204 条发给机构负责人。\n"


def test_a_figure_of_one_has_its_word_in_the_singular(app):
    """The trainer's home page showed "1" over "courses", HR's "1" over "branches", the item analysis "1" over
    "learners", and a case part in grading "part a · 1 points"."""
    import re

    from flask import render_template

    trainer = SimpleNamespace(courses=1, lessons=1, questions=1, exams=1, programmes=1, last_release=None)
    hr = SimpleNamespace(active_people=1, branches=1, inactive_people=0, must_change_password=0, joined_recently=0)

    def figures(html):
        return [(n, word.strip()) for n, word in
                re.findall(r'class="stat">(?:<a [^>]*>)?([\d,]+)(?:</a>)?</div><div class="muted">([^<]*)', html)]

    with app.test_request_context(), force_locale("en"):
        assert figures(render_template("content/_trainer_panel.html", panel=trainer)) == [
            ("1", "course"), ("1", "lesson"), ("1", "question"), ("1", "exam"), ("1", "programme")]
        assert figures(render_template("org/_hr_panel.html", panel=hr))[:2] == [("1", "active person"),
                                                                                ("1", "branch")]
        trainer.courses = 1204
        assert figures(render_template("content/_trainer_panel.html", panel=trainer))[0] == ("1,204", "courses")
    with app.test_request_context(), force_locale("zh_CN"):
        assert figures(render_template("content/_trainer_panel.html", panel=trainer))[0] == ("1,204", "门课程")
        assert figures(render_template("org/_hr_panel.html", panel=hr))[1] == ("1", "机构数")
