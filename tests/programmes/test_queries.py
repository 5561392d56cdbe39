"""The learner's home page lists every week of every programme: reading it
takes the same number of statements for a short programme as for a long one
(the weeks' exams, lessons and the learner's attempts are read once per
programme, not once per week)."""
from __future__ import annotations

from sqlalchemy import event

from lms.content.models import Lesson, ProgrammeItemLesson
from lms.extensions import db
from lms.programmes import services
from tests.programmes.helpers import programme, take


def _programme_with_lessons(weeks, make_question, make_exam, make_course, slug):
    course = make_course(slug=f"{slug}-course")
    exams = [make_exam([{"questions": [make_question("single").slug]}], slug=f"{slug}-e{n}", open_to_all=False)
             for n in range(weeks)]
    p = programme(exams, slug=slug, audience={"roles": ["learner"]})
    for item in p.items:
        for n in range(2):
            lesson = Lesson(course_id=course.id, slug=f"{item.key}-l{n}", position=n, title=f"{item.title} 课{n}")
            db.session.add(lesson)
            db.session.flush()
            db.session.add(ProgrammeItemLesson(item_id=item.id, lesson_id=lesson.id, position=n))
    db.session.commit()
    return p, exams


def _statements_for_this_week(learner) -> tuple[list, int]:
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    db.session.commit()  # both start from a closed transaction
    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        weeks = services.this_week(learner)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return weeks, len(statements)


def test_this_week_reads_a_long_programme_in_as_many_statements_as_a_short_one(
        make_user, make_question, make_exam, make_course, clock):
    short_learner = make_user(("learner",), employee_no="Q1")
    short, short_exams = _programme_with_lessons(2, make_question, make_exam, make_course, "short")
    take(short_learner, short_exams[0], clock)
    [short_week], few = _statements_for_this_week(short_learner)
    assert short_week.programme == short

    short.retired = True
    long_learner = make_user(("learner",), employee_no="Q2")
    long, long_exams = _programme_with_lessons(5, make_question, make_exam, make_course, "long")
    for exam in long_exams[:3]:
        take(long_learner, exam, clock)
    db.session.commit()
    [long_week], many = _statements_for_this_week(long_learner)
    assert long_week.programme == long
    # What the page shows is still each week's own: lessons, and the attempts counted.
    assert long_week.progress.passed == 3
    assert [len(w.lessons) for w in long_week.current] == [2]
    assert many == few
