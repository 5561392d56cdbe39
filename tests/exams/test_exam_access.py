"""Who may start an exam, and from when: a member of a programme whose week
(or bulletin) includes the exam, from the day that week opens; anybody for an
exam marked ``open_to_all``. Anything else is a 403 page with the reason, and
no attempt is created."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.content.models import Programme, ProgrammeItem
from lms.exams import attempts as exam_attempts, errors as exam_errors
from lms.exams.models import Attempt
from lms.extensions import db
from tests.conftest import sign_in


@pytest.fixture
def setting(make_user, make_branch, make_question, make_exam, clock):
    """Branch 株洲 has a programme whose week 1 holds the weekly exam (open)
    and whose week 12 holds the entry exam (in 60 days)."""
    zhuzhou = make_branch("ZZ01", "株洲分行")
    elsewhere = make_branch("XT01", "湘潭分行")
    question = make_question("single", slug="acc-q1")
    weekly = make_exam([{"questions": [question.slug]}], title="第1周测验", open_to_all=False)
    entry = make_exam([{"questions": [question.slug]}], title="客户经理准入考试", open_to_all=False)
    today = clock.now().date()
    programme = Programme(slug="zz-rm", title="株洲客户经理培养", audience_json='{"branches": ["ZZ01"]}')
    programme.items = [
        ProgrammeItem(key="week-1", kind="week", number=1, title="第1周", exam_id=weekly.id,
                      opens_on=today - timedelta(days=2), due_on=today + timedelta(days=5)),
        ProgrammeItem(key="week-12", kind="week", number=12, title="第12周", exam_id=entry.id,
                      opens_on=today + timedelta(days=60), due_on=today + timedelta(days=67)),
    ]
    db.session.add(programme)
    db.session.commit()
    member = make_user(("learner",), branch=zhuzhou)
    outsider = make_user(("learner",), branch=elsewhere)
    return {"weekly": weekly, "entry": entry, "member": member, "outsider": outsider, "programme": programme,
            "entry_opens": today + timedelta(days=60)}


def _attempts(user) -> int:
    return db.session.scalar(select(func.count(Attempt.id)).where(Attempt.user_id == user.id))


def test_a_learner_outside_every_programme_with_the_exam_is_refused(client, setting):
    outsider, weekly = setting["outsider"], setting["weekly"]
    sign_in(client, outsider)
    page = client.get(f"/exams/{weekly.id}")
    assert page.status_code == 403
    assert "该考试不属于您参加的任何培训计划。" in page.text
    assert f'action="/exams/{weekly.id}/start"' not in page.text  # no start button
    started = client.post(f"/exams/{weekly.id}/start")
    assert started.status_code == 403
    assert "该考试不属于您参加的任何培训计划。" in started.text
    assert _attempts(outsider) == 0
    with pytest.raises(exam_errors.ExamForbidden):
        exam_attempts.start_attempt(outsider, weekly)


def test_the_entry_exam_is_not_reachable_before_its_week(client, clock, setting):
    member, entry = setting["member"], setting["entry"]
    sign_in(client, member)
    page = client.get(f"/exams/{entry.id}")
    assert page.status_code == 403
    assert f"该考试将于 {setting['entry_opens'].isoformat()} 随所在培训周开放。" in page.text
    assert f'action="/exams/{entry.id}/start"' not in page.text
    assert client.post(f"/exams/{entry.id}/start").status_code == 403
    assert _attempts(member) == 0
    # The home page offers no way into it either.
    assert f"/exams/{entry.id}" not in client.get("/").text

    clock.advance(timedelta(days=60))
    page = client.get(f"/exams/{entry.id}")
    assert page.status_code == 200 and f'action="/exams/{entry.id}/start"' in page.text
    started = client.post(f"/exams/{entry.id}/start")
    assert started.status_code == 302 and "/attempts/" in started.headers["Location"]
    attempt = db.session.scalars(select(Attempt).where(Attempt.user_id == member.id)).one()
    assert attempt.programme_item_id == setting["programme"].items[1].id  # counted for week 12


def test_a_member_starts_an_open_week_exam(client, setting):
    member, weekly = setting["member"], setting["weekly"]
    sign_in(client, member)
    assert client.get(f"/exams/{weekly.id}").status_code == 200
    assert f"/exams/{weekly.id}" in client.get("/").text
    started = client.post(f"/exams/{weekly.id}/start")
    assert started.status_code == 302 and "/attempts/" in started.headers["Location"]
    assert _attempts(member) == 1


def test_an_exam_open_to_all_is_open_to_anybody(client, setting):
    outsider, weekly = setting["outsider"], setting["weekly"]
    weekly.open_to_all = True
    db.session.commit()
    sign_in(client, outsider)
    assert client.get(f"/exams/{weekly.id}").status_code == 200
    assert client.post(f"/exams/{weekly.id}/start").status_code == 302
    assert _attempts(outsider) == 1


def test_a_bulletin_check_opens_with_its_bulletin(client, clock, setting, make_exam, make_question):
    member = setting["member"]
    check = make_exam([{"questions": ["acc-q1"]}], title="晨会速递小测", open_to_all=False)
    today = clock.now().date()
    db.session.add(ProgrammeItem(programme_id=setting["programme"].id, key="bulletin-1", kind="bulletin", number=1,
                                 title="速递1", exam_id=check.id, opens_on=today + timedelta(days=3),
                                 due_on=today + timedelta(days=5)))
    db.session.commit()
    sign_in(client, member)
    assert client.post(f"/exams/{check.id}/start").status_code == 403
    clock.advance(timedelta(days=3))
    assert client.post(f"/exams/{check.id}/start").status_code == 302


def test_a_retired_week_or_programme_admits_nobody(client, setting):
    member, weekly, programme = setting["member"], setting["weekly"], setting["programme"]
    programme.retired = True
    db.session.commit()
    sign_in(client, member)
    assert client.get(f"/exams/{weekly.id}").status_code == 403


def test_an_open_attempt_continues_even_if_the_programme_changed(client, setting):
    """A learner who started in time finishes: moving branch mid-exam does not
    lock them out of the attempt they are writing."""
    member, weekly = setting["member"], setting["weekly"]
    attempt = exam_attempts.start_attempt(member, weekly)
    member.branch = db.session.scalar(select(type(member.branch)).where(type(member.branch).code == "XT01"))
    db.session.commit()
    assert exam_attempts.start_attempt(member, weekly).id == attempt.id
