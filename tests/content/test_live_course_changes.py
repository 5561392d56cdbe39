"""A trainer changes a course that is live: learners have its exam open, others
have finished it (tests/content/fixtures/aml_str, published with the real
command line and changed as a trainer does: by editing its files and running
``flask content publish`` again)."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from lms.content.console.editor import normalise, text_hash
from lms.content.models import Exam, Lesson, Programme
from lms.exams.models import Attempt
from lms.extensions import db
from lms.org.models import User
from tests.conftest import sign_in
from tests.content.test_trainer_own_course import _right

COURSE = "courses/aml-str"
EXAM_FILE = "exams/aml-str-exam.yaml"


@pytest.fixture
def live(app, runner, course_folder, make_user, make_branch):
    """The trainer's course published by its author, with two learners of a branch."""
    root = course_folder("aml_str")
    make_user(("trainer",), employee_no="trainer-aml")
    published = runner.invoke(args=["content", "publish", "--as", "trainer-aml"])
    assert published.exit_code == 0, published.output
    return root


def _edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _publish(runner, *extra: str) -> str:
    result = runner.invoke(args=["content", "publish", "--as", "trainer-aml", *extra])
    assert result.exit_code == 0, result.output
    return result.output


def _exam() -> Exam:
    return db.session.scalar(select(Exam).where(Exam.slug == "exam-aml-str"))


def _start(client, learner, exam) -> Attempt:
    sign_in(client, learner)
    started = client.post(f"/exams/{exam.id}/start")
    assert started.status_code == 302, started.text
    return db.session.get(Attempt, int(started.headers["Location"].rstrip("/").split("/")[-1]))


def _answer_all_right_and_submit(client, attempt) -> None:
    for item in attempt.items:
        saved = client.post(f"/attempts/{attempt.id}/items/{item.id}", data=_right(item), headers={"HX-Request": "true"})
        assert saved.status_code == 200, saved.text
    assert client.post(f"/attempts/{attempt.id}/submit").status_code == 302


def test_a_pass_mark_raised_mid_week_does_not_fail_those_who_took_the_exam_under_the_old_one(
        app, client, runner, live, make_user, make_branch):
    """The pass mark went from 60 to 95 while a learner's essay waited for
    grading: grading it (and a later score override) judged the attempt
    against 95, so a learner who scored 80 under a 60 pass mark was silently
    failed, and the result page said "pass mark 95%". An attempt is judged by
    the pass mark it started under; an attempt started after the change by the
    new one; an open attempt keeps its deadline when the time limit changes."""
    branch = make_branch("B01")
    waiting, later = (make_user(("learner",), branch=branch, position="rm_junior") for _ in range(2))
    grader = make_user(("trainer",), employee_no="trainer-2")
    exam = _exam()
    attempt = _start(client, waiting, exam)
    _answer_all_right_and_submit(client, attempt)
    db.session.refresh(attempt)
    assert attempt.state == "grading"
    deadline = attempt.deadline

    _edit(live, EXAM_FILE, "pass_mark: 60", "pass_mark: 95")
    _edit(live, EXAM_FILE, "time_limit: 40", "time_limit: 10")
    _publish(runner)
    assert _exam().pass_mark == 95

    # The essay gets nothing, the case its full points: 60 % <= percent < 95 %.
    sign_in(client, grader)
    for item in [i for i in attempt.items if i.needs_grading]:
        points = "0" if item.question_version.type == "essay" else str(item.points)
        assert client.post(f"/grading/items/{item.id}", data={"points": points}).status_code == 302
    db.session.refresh(attempt)
    assert attempt.state == "finalised" and 60 <= attempt.percent < 95, attempt.percent
    assert attempt.passed is True
    # A trainer corrects another item's points later: still judged against 60.
    small = min((i for i in attempt.items if i.awarded and not i.needs_grading), key=lambda i: i.points)
    overridden = client.post(f"/grading/attempts/{attempt.id}/items/{small.id}/override",
                             data={"points": "0", "reason": "复核：答案不完整"})
    assert overridden.status_code in (200, 302), overridden.text
    db.session.refresh(attempt)
    assert 60 <= attempt.percent < 95 and attempt.passed is True
    sign_in(client, waiting)
    result = client.get(f"/attempts/{attempt.id}/result")
    assert "已通过" in result.text and "及格线 60%" in result.text and "95%" not in result.text

    # Someone who starts now: the new pass mark and time limit.
    fresh = _start(client, later, _exam())
    assert fresh.pass_mark == 95
    assert (fresh.deadline - fresh.started_at).total_seconds() == 10 * 60
    assert attempt.deadline == deadline


KEY_BEFORE = "## str-003\ntype: truefalse\nanswer: 错"  # a question every paper of the exam has
KEY_AFTER = "## str-003\ntype: truefalse\nanswer: 对"


def test_the_plan_says_who_a_key_fix_affects_before_publishing(app, client, runner, live, make_user, make_branch):
    """A trainer fixed a question's key while one learner had the exam open
    and another had finished it: the plan said "questions: changed 1" and
    nothing about them (the open attempt goes on being graded against the
    old key, the finished one keeps its score). `flask content plan` (new),
    `publish` and the console's review now say so, with the counts. The open
    attempt was shown the same question, so it moves to the corrected version
    at publish."""
    branch = make_branch("B01")
    finished, working = (make_user(("learner",), branch=branch, position="rm_junior") for _ in range(2))
    exam = _exam()
    done = _start(client, finished, exam)
    _answer_all_right_and_submit(client, done)
    still_open = _start(client, working, exam)
    bank = f"{COURSE}/questions/basics.md"

    # The console: the editor's "review changes" says it before publishing.
    sign_in(client, db.session.scalar(select(User).where(User.employee_no == "trainer-aml")))
    on_disk = (live / bank).read_bytes()
    text = normalise(on_disk.decode("utf-8-sig")).replace(KEY_BEFORE, KEY_AFTER)
    review = client.post("/console/review", data={"path": bank, "text": text, "base_hash": text_hash(on_disk)})
    assert review.status_code == 200, review.text
    effects = review.text.split('id="plan-effects"')[1].split("</div>")[0]
    assert "对正在学习的学员的影响" in effects
    assert "试题 str-003：1 份已交卷的答卷抽到的是第 1 版，仍按该版本评分" in effects
    assert "试题 str-003：1 份进行中的答卷看到的题目与新版本相同（只改了答案、权重或解析）：发布时即改用新版本" in effects

    # The command line: `flask content plan` (changes nothing), then publish.
    _edit(live, bank, KEY_BEFORE, KEY_AFTER)
    planned = runner.invoke(args=["content", "plan"])
    assert planned.exit_code == 0, planned.output
    assert "试题：修改 str-003" in planned.output
    assert "试题 str-003：1 份已交卷的答卷抽到的是第 1 版，仍按该版本评分" in planned.output
    assert "试题 str-003：1 份进行中的答卷看到的题目与新版本相同" in planned.output
    assert "发布后不会有任何改动" not in planned.output
    assert _question_versions("str-003") == [1]  # plan changes nothing

    # The finished attempt's score changes under the new key: the trainer decides (tests/content/test_key_regrade.py).
    assert "更正答案 (str-003)：1 份已交卷的答卷按新答案得分会变" in planned.output
    published = _publish(runner, "--keep-results", "--reason", "已交卷的按原答案认定")
    assert "试题 str-003：1 份已交卷的答卷抽到的是第 1 版" in published
    assert _question_versions("str-003") == [1, 2]
    # Only the key changed: the open attempt moves to version 2 (its submit is graded with the corrected key;
    # tests/content/test_key_fix_open_attempts.py); the submitted one keeps version 1.
    db.session.expire_all()
    assert {i.question_version.version for i in db.session.get(Attempt, still_open.id).items
            if i.question_version.question.slug == "str-003"} == {2}
    assert {i.question_version.version for i in db.session.get(Attempt, done.id).items
            if i.question_version.question.slug == "str-003"} == {1}


def _question_versions(slug: str) -> list[int]:
    from lms.content.models import Question

    db.session.expire_all()
    return [v.version for v in db.session.scalar(select(Question).where(Question.slug == slug)).versions]


def test_exam_settings_changed_mid_week_are_planned_and_audited(app, client, runner, live, make_user, make_branch):
    """The pass mark, time limit and review policy changed mid-week: the plan
    only counted "exams: changed 1", and the audit log's entry said the
    curriculum was published, not that the pass mark went from 60 to 90."""
    branch = make_branch("B01")
    passed, working = (make_user(("learner",), branch=branch, position="rm_junior") for _ in range(2))
    admin = make_user(("admin",), employee_no="admin-1")
    grader = make_user(("trainer",), employee_no="trainer-2")
    done = _start(client, passed, _exam())
    _answer_all_right_and_submit(client, done)
    sign_in(client, grader)
    for item in [i for i in done.items if i.needs_grading]:
        assert client.post(f"/grading/items/{item.id}", data={"points": str(item.points)}).status_code == 302
    db.session.refresh(done)
    assert done.passed
    _start(client, working, _exam())

    _edit(live, EXAM_FILE, "pass_mark: 60", "pass_mark: 90")
    _edit(live, EXAM_FILE, "time_limit: 40", "time_limit: 10")
    _edit(live, EXAM_FILE, "review: after_submit", "review: never")
    planned = runner.invoke(args=["content", "plan"])
    assert planned.exit_code == 0, planned.output
    assert "考试 exam-aml-str：及格线 60% → 90%；考试时长 40 分钟 → 10 分钟；答案与解析 交卷后显示 → 不显示。" \
           "1 份进行中的答卷保留原来的试题、截止时间、及格线和部分得分规则；已通过的 1 名学员仍算通过；此后开始的考试按新设置。" \
           "答案与解析的改动立即对所有学员生效，已交卷的答卷也一样。" in planned.output

    _publish(runner)
    assert done.passed  # stays passed
    sign_in(client, admin)
    log = client.get("/audit/")
    assert log.status_code == 200
    entry = log.text.split('class="audit-sentence"')[1]
    assert "发布了课程内容" in entry and "考试设置的改动：</span>exam-aml-str：及格线 60% → 90%；" in entry
    assert "考试时长 40 分钟 → 10 分钟" in entry


WEEK_2 = "  - title: 第 2 周 典型特征\n    lessons: [aml-str/patterns]\n    exam: exam-aml-str-2\n"


def test_a_week_and_its_exam_removed_after_learners_passed_it(app, client, runner, live, make_user, make_branch):
    """Week 2 and its exam taken out of the files after one learner passed it
    and while another had it open: the plan said "retired 1" twice. It now
    names the week, the programme and the learners concerned; after publishing
    the open attempt can still be submitted and every page of theirs, the
    HR record and the roster still open; the exam's page, where the result
    page's "back to the exam" leads, answered 403 ("not in your programmes")
    to the learners who took it, and now says it was withdrawn."""
    branch = make_branch("B01")
    passed, working = (make_user(("learner",), branch=branch, position="rm_junior") for _ in range(2))
    hr = make_user(("hr",), employee_no="hr-1", branch=branch)
    exam = db.session.scalar(select(Exam).where(Exam.slug == "exam-aml-str-2"))
    done = _start(client, passed, exam)
    _answer_all_right_and_submit(client, done)
    db.session.refresh(done)
    assert done.passed
    still_open = _start(client, working, exam)

    _edit(live, "programmes/aml-str.yaml", WEEK_2, "")
    (live / "exams" / "aml-str-exam-2.yaml").unlink()
    planned = runner.invoke(args=["content", "plan"])
    assert planned.exit_code == 0, planned.output
    assert "培训周次：已停用 aml-str-weekly/week-2" in planned.output
    assert "考试 exam-aml-str-2 将停用：不能再开始；1 份进行中的答卷仍可交卷；1 份已交卷的答卷（1 名学员已通过）保留在记录中。" \
        in planned.output
    assert "反洗钱可疑交易识别（两周）的第 2 周 典型特征将停用：不再计入学习进度、花名册和证书条件；" \
           "已有 1 名学员通过该周考试（成绩保留）。" in planned.output
    _publish(runner)

    sign_in(client, working)
    assert client.post(f"/attempts/{still_open.id}/submit").status_code == 302
    db.session.refresh(still_open)
    assert still_open.state == "finalised"
    programme = db.session.scalar(select(Programme))
    for learner, attempt in ((working, still_open), (passed, done)):
        sign_in(client, learner)
        for url in ("/", "/programmes/", f"/programmes/{programme.id}", f"/attempts/{attempt.id}/result",
                    "/notebook/", f"/exams/{exam.id}"):
            assert client.get(url).status_code == 200, url
        assert "第 2 周 典型特征" not in client.get(f"/programmes/{programme.id}").text
        # The result page's "back to the exam": the exam's page with their attempts, not a 403.
        intro = client.get(f"/exams/{exam.id}")
        assert "该考试已停用。" in intro.text and "开始考试" not in intro.text
    sign_in(client, hr)
    for url in (f"/programmes/people/{passed.id}", f"/programmes/people/{passed.id}/attempts/{done.id}",
                "/reports/roster", f"/reports/people/{passed.id}", "/reports/rankings"):
        assert client.get(url).status_code == 200, url


def test_an_older_copy_published_over_a_newer_one_is_pointed_out(app, runner, live):
    """A trainer published a corrected key; a colleague then published their
    older copy of the bank: the plan said "questions: changed 1", exactly as
    for the fix. It now says the question goes back to version 1's text."""
    bank = f"{COURSE}/questions/basics.md"
    older = (live / bank).read_bytes()
    _edit(live, bank, KEY_BEFORE, KEY_AFTER)
    first = _publish(runner)
    assert "旧副本" not in first
    (live / bank).write_bytes(older)
    planned = runner.invoke(args=["content", "plan", str(live / bank)])
    assert planned.exit_code == 0, planned.output
    assert "试题 str-003 将恢复为第 1 版（发布于 " in planned.output
    assert "）的内容，而第 2 版更新：这是不是文件的旧副本？" in planned.output
    assert _question_versions("str-003") == [1, 2]


def test_a_lesson_renamed_stays_and_a_lesson_removed_after_it_was_read_is_planned(
        app, client, runner, live, make_user, make_branch):
    """Renaming a lesson file whose front matter has its id changes nothing
    (the learners' reads stay with it); removing a lesson that learners read
    was "lessons: retired 1": the plan now says how many read it, and its
    old address answers 404, not an error."""
    reader = make_user(("learner",), branch=make_branch("B01"), position="rm_junior")
    extra = live / COURSE / "lessons" / "03-补充阅读.md"
    extra.write_text("---\nid: extra-reading\ntitle: 补充阅读\nminutes: 5\n---\n正文\n", encoding="utf-8")
    _publish(runner)
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "extra-reading"))
    sign_in(client, reader)
    assert client.post(f"/lessons/{lesson.id}/read").status_code == 302

    extra.rename(live / COURSE / "lessons" / "09-补充阅读（修订）.md")
    assert "发布后不会有任何改动" in runner.invoke(args=["content", "plan"]).output

    (live / COURSE / "lessons" / "09-补充阅读（修订）.md").unlink()
    planned = runner.invoke(args=["content", "plan"])
    assert "课时 aml-str/extra-reading（补充阅读）将停用：已有 1 名学员读过；它将从课程和所在的周中移除。" in planned.output
    _publish(runner)
    assert client.get(f"/lessons/{lesson.id}").status_code == 404
    assert client.get("/courses/aml-str").status_code == 200
