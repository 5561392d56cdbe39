"""No raw codes where a user looks: every enum and every audit event has a
label in both languages; the audit log reads as sentences with labelled
details; exam lists sort 第 2 周 before 第 10 周."""
from __future__ import annotations

import re
from pathlib import Path

from flask_babel import force_locale

from lms import questions
from lms.audit import labels as audit_labels
from lms.audit import services as audit
from lms.content.console.queries import TYPE_LABELS
from lms.content.models import LAYOUT_LABELS, LAYOUTS, REVIEW_POLICIES, REVIEW_POLICY_LABELS, SCORING, SCORING_LABELS
from lms.exams.models import ATTEMPT_STATE_LABELS, END_REASON_LABELS, AttemptState
from lms.extensions import db
from lms.sorting import natural_key
from tests.conftest import sign_in

LMS = Path(__file__).resolve().parents[1] / "lms"
_RECORD = re.compile(r"\brecord\(\s*(.*?),", re.S)
_ACTION = re.compile(r"\"([a-z_]+\.[a-z_]+)\"")


def recorded_actions() -> set[str]:
    """Every action the code records (``audit.record("x.y", ...)``, also
    ``"a.b" if ... else "c.d"``)."""
    found = set()
    for path in LMS.rglob("*.py"):
        for call in _RECORD.finditer(path.read_text(encoding="utf-8")):
            found.update(_ACTION.findall(call.group(1)))
    return found


def test_every_recorded_audit_event_has_a_sentence_in_both_languages(app):
    actions = recorded_actions()
    assert {"auth.login", "user.position_changed", "content.published", "attempt.essay_graded"} <= actions
    registry = audit_labels.labels(app)
    assert not actions - set(registry.events), "audit events without a label in lms/*/audit_labels.py"
    with app.test_request_context():
        for action in actions:
            with force_locale("zh_CN"):
                zh = str(registry.events[action])
            with force_locale("en"):
                en = str(registry.events[action])
            assert zh != en and re.search(r"[\u4e00-\u9fff]", zh), action


def test_every_enum_has_a_label():
    assert set(REVIEW_POLICIES) == set(REVIEW_POLICY_LABELS)
    assert set(LAYOUTS) == set(LAYOUT_LABELS)
    assert set(SCORING) == set(SCORING_LABELS)
    assert {s.value for s in AttemptState} == set(ATTEMPT_STATE_LABELS)
    assert {"submitted", "timeout", "integrity"} == set(END_REASON_LABELS)
    assert set(questions.QUESTION_TYPES) <= set(TYPE_LABELS)


def test_the_audit_log_reads_as_sentences_with_labelled_details(app, client, clock, make_user, make_branch):
    from datetime import date

    from flask_login import login_user

    from lms.org import services as org_services
    from lms.org import settings as org_settings

    branch = make_branch("TY01", "天元支行")
    hr = make_user(("hr",), employee_no="hr01", name="周人事")
    admin = make_user(("admin",), employee_no="admin", name="系统管理员")
    learner = make_user(("learner",), employee_no="learner", name="李学员", position="teller", branch=branch)
    with app.test_request_context():
        login_user(hr)
        org_services.change_position(learner, "rm_junior", date(2026, 3, 1), note="晋升", actor=hr)
        org_services.set_roles(learner, ("learner", "mentor"), actor=hr)
        org_services.update_user(learner, actor=hr, name="李学员二")
        org_settings.set_flag(org_settings.HR_MAY_GRANT_TRAINER, True, actor=admin)
    sign_in(client, hr)
    log = visible_text(client.get("/audit/").text)
    assert "周人事 (hr01) 调整了 李学员二 (learner) 的岗位" in log
    assert "调整前：柜员" in log and "调整后：初级客户经理" in log and "备注：晋升" in log
    assert "调整后：学员、师傅" in log
    assert "姓名：李学员 → 李学员二" in log
    assert "修改了设置“人力资源可以授予和取消培训师角色”" in log and "调整后：开启" in log
    person = visible_text(client.get(f"/org/people/{learner.id}").text)
    assert "调整了 李学员二 (learner) 的岗位" in person
    for code in ("user.position_changed", "after=", "before=", "rm_junior", "teller", "user #", "hr_may_grant_trainer"):
        assert code not in log and code not in person, code


def visible_text(html: str) -> str:
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts, self.skip = [], 0

        def handle_starttag(self, tag, attrs):
            if tag in ("script", "style"):
                self.skip += 1

        def handle_endtag(self, tag):
            if tag in ("script", "style"):
                self.skip -= 1

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data)

    parser = Text()
    parser.feed(html)
    text = re.sub(r"\s+", " ", " ".join(parser.parts))
    return re.sub(r" ?([：；]) ?", r"\1", text)


def test_exam_lists_sort_week_2_before_week_10():
    titles = ["第10周测验", "第2周测验", "第1周测验", "第11周测验"]
    assert sorted(titles, key=natural_key) == ["第1周测验", "第2周测验", "第10周测验", "第11周测验"]


def test_the_audit_log_names_a_page_of_people_in_as_many_statements_as_a_few(app, client, make_user):
    """Each event names its actor and its object (person, certificate…): the
    page reads those names together, not one person at a time."""
    from flask_login import login_user
    from sqlalchemy import event

    from lms.org import services as org_services

    hr = make_user(("hr",), employee_no="hr01", name="周人事")

    def statements_for_the_log(people: int, prefix: str) -> tuple[str, int]:
        for n in range(people):
            person = make_user(("learner",), employee_no=f"{prefix}{n:02d}", name=f"学员{prefix}{n}")
            actor = make_user(("hr",), employee_no=f"{prefix}hr{n:02d}", name=f"人事{prefix}{n}")
            with app.test_request_context():
                login_user(actor)
                org_services.update_user(person, actor=actor, name=f"新名{prefix}{n}")
        sign_in(client, hr)
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            page = visible_text(client.get("/audit/").text)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return page, len(statements)

    few_page, few = statements_for_the_log(2, "A")
    many_page, many = statements_for_the_log(20, "B")
    assert "人事B19 (Bhr19)" in many_page and "新名B0 (B00)" in many_page
    assert many == few
