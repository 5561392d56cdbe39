"""In-order programmes (``in_order: true``): week N's exam may be started only
when week N−1's is passed; bulletins are outside the chain. The learner's
week list shows the lock; ``flask content check`` names a bad value."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from lms.content.models import Programme, ProgrammeItem
from lms.exams import attempts as exam_attempts
from lms.exams.errors import ExamForbidden
from lms.extensions import db
from lms.programmes import services
from lms.programmes.access import exam_access
from tests.conftest import sign_in
from tests.content.sample_folder import edit, line_of
from tests.programmes.helpers import programme, take


def _exams(make_question, make_exam, n=3):
    return [make_exam([{"questions": [make_question("single").slug]}], open_to_all=False, title=f"第{i}周测验")
            for i in range(1, n + 1)]


def test_week_two_opens_when_week_one_is_passed(client, clock, make_user, make_question, make_exam):
    exams = _exams(make_question, make_exam)
    p = programme(exams, in_order=True)
    learner = make_user(("learner",))
    access = exam_access(learner, exams[1])
    assert not access.ok and access.reason == "第 1 周测验通过后开放"
    with pytest.raises(ExamForbidden):
        exam_attempts.start_attempt(learner, exams[1])
    weeks = services.programme_weeks(learner, p)
    assert [(w.item.number, w.locked) for w in weeks] == [(1, False), (2, True), (3, True)]
    assert services.week_status(learner, p.items[1]).locked
    sign_in(client, learner)
    page = client.get(f"/programmes/{p.id}").text
    assert "第 1 周测验通过后开放" in page and f"/exams/{exams[1].id}?item=" not in page
    assert f"/exams/{exams[0].id}?item=" in page
    take(learner, exams[0], clock, answer="A")  # failed: still locked
    assert not exam_access(learner, exams[1]).ok
    take(learner, exams[0], clock)  # passed
    assert exam_access(learner, exams[1]).ok
    assert not services.week_status(learner, p.items[1]).locked
    assert exam_access(learner, exams[2]).reason == "第 2 周测验通过后开放"


def test_bulletins_and_ordinary_programmes_are_not_chained(clock, make_user, make_question, make_exam):
    exams = _exams(make_question, make_exam)
    p = programme(exams[:2], in_order=True)
    p.items.append(ProgrammeItem(key="bulletin-1", kind="bulletin", number=1, title="晨会速递", exam_id=exams[2].id,
                                 opens_on=date(2026, 2, 18), due_on=date(2026, 2, 20)))
    db.session.commit()
    learner = make_user(("learner",))
    assert exam_access(learner, exams[2]).ok
    plain = _exams(make_question, make_exam, 2)
    programme(plain, slug="plain")
    assert exam_access(learner, plain[1]).ok


def test_the_file_key_is_parsed_published_and_checked(runner, folder, english):
    edit(folder, "programmes/rm-foundation.yaml", "start: 2026-09-07", "in_order: true\nstart: 2026-09-07")
    assert runner.invoke(args=["content", "publish"]).exit_code == 0
    assert db.session.scalar(select(Programme.in_order).where(Programme.slug == "rm-foundation")) is True
    edit(folder, "programmes/rm-foundation.yaml", "in_order: true", "in_order: sometimes")
    result = runner.invoke(args=["content", "check"])
    line = line_of(folder, "programmes/rm-foundation.yaml", "in_order: sometimes")
    assert result.exit_code == 1
    assert f"programmes/rm-foundation.yaml:{line}: 'in_order' must be true or false (got 'sometimes')" in result.output
