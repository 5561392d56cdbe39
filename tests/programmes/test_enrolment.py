"""A person who enters the audience later is enrolled from the week current
on that day; earlier weeks are catch-up (补学): shown, takeable, never
overdue. members(), week_status, programme_weeks, this_week and exam_access agree."""
from __future__ import annotations

from datetime import date

from lms.org import services as org_services
from lms.programmes import audience as programme_audience
from lms.programmes import services
from lms.programmes.access import exam_access
from tests.conftest import sign_in
from tests.programmes.helpers import START, programme, take


def _exams(make_question, make_exam, n=5):
    return [make_exam([{"questions": [make_question("single").slug]}], open_to_all=False, title=f"第{i}周测验")
            for i in range(1, n + 1)]


def test_a_promotion_mid_programme_enrols_from_that_week(client, clock, make_user, make_question, make_exam):
    exams = _exams(make_question, make_exam)
    p = programme(exams, audience={"positions": ["rm_junior"]})
    veteran = make_user(("learner",), employee_no="V1", position="rm_junior", position_start=date(2025, 1, 1))
    # Promoted from teller on Wednesday of week 3: weeks 1-2 are catch-up, week 3 is due as usual.
    newcomer = make_user(("learner",), employee_no="N1", position="teller", position_start=date(2024, 1, 1))
    newcomer.positions[0].end_date = date(2026, 2, 24)
    from lms.org.models import PositionRecord
    newcomer.positions.append(PositionRecord(position="rm_junior", start_date=date(2026, 2, 25)))
    from lms.extensions import db
    db.session.commit()

    enrolled = {m.user.employee_no: m.enrolled_on for m in programme_audience.members(p)}
    assert enrolled == {"V1": START, "N1": date(2026, 2, 25)}
    assert programme_audience.membership(newcomer, p).enrolled_on == date(2026, 2, 25)

    weeks = services.programme_weeks(newcomer, p)
    assert [(w.item.number, w.catch_up, w.overdue) for w in weeks] == [
        (1, True, False), (2, True, False), (3, False, True), (4, False, False), (5, False, False)]
    assert services.week_status(newcomer, p.items[0]).catch_up
    assert not services.week_status(veteran, p.items[0]).catch_up
    assert [w.item.number for w in services.programme_weeks(veteran, p) if w.overdue] == [1, 2, 3]
    [overview] = services.this_week(newcomer)
    assert [w.item.number for w in overview.catch_up] == [1, 2]
    assert [w.item.number for w in overview.overdue] == [3]
    # Catch-up weeks can be taken.
    assert exam_access(newcomer, exams[0]).ok
    take(newcomer, exams[0], clock)
    assert services.week_status(newcomer, p.items[0]).status == services.PASSED
    sign_in(client, newcomer)
    home = client.get("/").text
    assert "补学" in home and "第2周" in home


def test_a_hire_date_inside_the_programme_counts(clock, make_user, make_question, make_exam):
    p = programme(_exams(make_question, make_exam), audience={"roles": ["learner"]})
    hired = make_user(("learner",), employee_no="H1")
    hired.hire_date = date(2026, 2, 16)  # Monday of week 2
    from lms.extensions import db
    db.session.commit()
    [member] = programme_audience.members(p)
    assert member.enrolled_on == date(2026, 2, 16)
    assert [w.item.number for w in services.programme_weeks(hired, p) if w.catch_up] == [1]


def test_a_move_into_a_covered_branch_counts_from_the_move(clock, make_user, make_branch, make_question, make_exam):
    zz = make_branch("ZZ", "株洲分行")
    sub = make_branch("ZZ01", "荷塘支行", parent=zz)
    cs = make_branch("CS", "长沙分行")
    p = programme(_exams(make_question, make_exam), audience={"branches": ["ZZ"]})
    hr = make_user(("hr",))
    mover = make_user(("learner",), employee_no="M1", branch=cs)
    clock.freeze(clock.now().replace(day=17, month=2))  # Tuesday of week 2
    org_services.update_user(mover, actor=hr, branch=sub)
    clock.freeze(clock.now().replace(day=2, month=3))
    [member] = programme_audience.members(p)
    assert member.enrolled_on == date(2026, 2, 17)
    assert [w.item.number for w in services.programme_weeks(mover, p) if w.catch_up] == [1]
    # A later move between two covered branches does not restart the enrolment.
    org_services.update_user(mover, actor=hr, branch=zz)
    assert programme_audience.membership(mover, p).enrolled_on == date(2026, 2, 17)


def test_someone_hired_from_next_week_is_not_yet_in_the_audience(clock, make_user, make_question, make_exam):
    exams = _exams(make_question, make_exam)
    p = programme(exams, audience={"roles": ["learner"]})
    future = make_user(("learner",), employee_no="F1")
    future.hire_date = date(2026, 3, 9)
    from lms.extensions import db
    db.session.commit()
    assert programme_audience.members(p) == [] and services.programmes_for(future) == []
    assert [m.enrolled_on for m in programme_audience.members(p, today=date(2026, 3, 9))] == [date(2026, 3, 9)]
    assert not exam_access(future, exams[3]).ok


def test_an_account_made_mid_programme_counts_from_the_hire_date_not_the_account(
        clock, make_user, make_question, make_exam):
    """An RM hired years ago whose account is made (with its roles) in week 3 has
    been due every week: the roles an account is created with are not a role
    change; a role granted later is."""
    p = programme(_exams(make_question, make_exam), audience={"roles": ["learner"]})
    hr = make_user(("hr",), employee_no="HR1")
    clock.freeze(clock.now().replace(day=25, month=2))  # Wednesday of week 3
    veteran = org_services.create_user("V9", "老员工", roles=("learner",), hire_date=date(2019, 5, 6), actor=hr)
    newcomer = org_services.create_user("N9", "新学员", roles=("mentor",), hire_date=date(2019, 5, 6), actor=hr)
    org_services.set_roles(newcomer, ("mentor", "learner"), actor=hr)
    enrolled = {m.user.employee_no: m.enrolled_on for m in programme_audience.members(p)}
    assert enrolled == {"V9": START, "N9": date(2026, 2, 25)}
    assert [w.item.number for w in services.programme_weeks(veteran, p) if w.overdue] == [1, 2]
