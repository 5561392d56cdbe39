"""The 错题本 reads the same number of statements after one failed exam as
after many: a year of weekly exams left a learner's notebook page at one
statement per exam the questions came from (~100 statements, 1 s)."""
from __future__ import annotations

from tests.conftest import sign_in
from tests.statements import statements_of
from tests.programmes.helpers import take


def test_the_notebook_reads_as_many_statements_after_six_failed_exams_as_after_one(
        client, clock, make_user, make_question, make_exam):
    learner = make_user(("learner",), employee_no="N001")
    questions = [make_question("single", tags=(f"知识点{n}",)) for n in range(6)]
    exams = [make_exam([{"questions": [q.slug]}], slug=f"week-{n}", title=f"第{n}周测验")
             for n, q in enumerate(questions)]
    sign_in(client, learner)
    take(learner, exams[0], clock, answer="A")  # wrong: B is right
    one, page = statements_of(client, "/notebook/")
    assert "知识点0" in page
    for exam in exams[1:]:
        take(learner, exam, clock, answer="A")
    six, page = statements_of(client, "/notebook/")
    assert all(f"知识点{n}" in page for n in range(6))
    assert six == one


def test_the_notebook_judges_what_is_withheld_once_for_its_rows_and_its_open_entries(
        client, clock, make_user, make_question, make_exam):
    """The rule of shared keys reads every exam the learner can still sit; the
    page asked it twice (the rows, then the open entries waiting), ten of its
    31 statements for a learner's year."""
    from tests.statements import counting_statements

    learner = make_user(("learner",), employee_no="N002")
    questions = [make_question("single", tags=(f"知识点{n}",)) for n in range(3)]
    exams = [make_exam([{"questions": [q.slug]}], slug=f"wk-{n}", title=f"第{n}周测验") for n, q in enumerate(questions)]
    for exam in exams:
        take(learner, exam, clock, answer="A")  # wrong: B is right
    sign_in(client, learner)
    client.get("/notebook/")
    with counting_statements() as statements:
        page = client.get("/notebook/").text
    assert all(f"知识点{n}" in page for n in range(3))
    live_exams = [s for s in statements if "FROM exam" in s and "closes_at" in s]
    assert len(live_exams) == 1, statements


def test_an_exam_of_another_course_that_keeps_its_keys_is_not_asked_about_the_notebooks_questions(
        client, clock, make_user, make_question, make_exam):
    """The shared-keys rule asked, for every exam the learner can still sit
    that keeps its keys back, whether its draw could hold each of the 错题本's
    questions: one union term per draw rule, whatever their courses. A rule
    can only draw from its course: the other courses' exams are not asked,
    and a question of the same course is still withheld."""
    from lms.content.models import Course
    from lms.extensions import db
    from tests.statements import counting_statements

    products, credit = Course(slug="products", title="产品", track="products"), \
        Course(slug="credit", title="授信", track="credit")
    db.session.add_all([products, credit])
    db.session.commit()
    learner = make_user(("learner",), employee_no="N003")
    wrong = make_question("single", tags=("存款",), course=products)
    week = make_exam([{"questions": [wrong.slug]}], slug="wk-products", title="产品周测", course=products)
    take(learner, week, clock, answer="A")  # wrong: in the 错题本
    for n in range(3):  # not taken, answers shown only after passing: they keep their keys
        make_question("single", tags=("授信",), course=credit)
        make_exam([{"type": "single"}], slug=f"credit-{n}", title=f"授信考试{n}", course=credit,
                  review_policy="after_pass")
    sign_in(client, learner)
    with counting_statements() as statements:
        page = client.get("/notebook/").text
    assert "存款" in page and "Practise" in page or "练习" in page
    assert not [s for s in statements if "exam_id" in s and "UNION" in s.upper()], statements
    # the same course: still withheld while that exam can be sat
    make_exam([{"type": "single"}], slug="products-final", title="产品结业考试", course=products,
              review_policy="after_pass")
    page = client.get("/notebook/").text
    assert "产品结业考试" in page


def _entries(learner):
    from sqlalchemy import select

    from lms.exams.models import NotebookEntry
    from lms.extensions import db

    return list(db.session.scalars(select(NotebookEntry).where(NotebookEntry.user_id == learner.id)
                                   .order_by(NotebookEntry.id)))


def test_a_practice_answer_judges_what_is_withheld_once(client, clock, make_user, make_question, make_exam):
    """Answering in practice asked the rules (retired, in an open exam, key
    withheld: a dozen statements with the exams the learner can still sit)
    three times: in the view, in the service, and again to draw the card."""
    from tests.statements import counting_statements

    learner = make_user(("learner",), employee_no="N004")
    questions = [make_question("single", tags=(f"知识点{n}",)) for n in range(3)]
    for n, q in enumerate(questions):
        take(learner, make_exam([{"questions": [q.slug]}], slug=f"pa-{n}", title=f"第{n}周测验"), clock, answer="A")
    entry = _entries(learner)[0]
    sign_in(client, learner)
    client.get(f"/notebook/practice/{entry.id}")
    with counting_statements() as statements:
        response = client.post(f"/notebook/practice/{entry.id}", data={"answer": "C"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "回答有误。正确答案和解析见下方" in response.text  # wrong: B is right
    live_exams = [s for s in statements if "FROM exam" in s and "closes_at >" in s]
    assert len(live_exams) == 1, statements


def test_practice_reads_as_many_statements_after_six_exams_shown_after_passing_as_after_one(
        client, clock, make_user, make_question, make_exam):
    """Exams that show their answers only after passing: whether the learner
    passed was read once per exam the 错题本's questions came from."""
    learner = make_user(("learner",), employee_no="N005")

    def year(n):  # an exam not taken yet would keep its key back (lms.exams.shared_keys): made when taken
        question = make_question("single", tags=(f"知识点{n}",))
        exam = make_exam([{"questions": [question.slug]}], slug=f"ap-{n}", title=f"第{n}周测验",
                         review_policy="after_pass", cooldown_minutes=None)
        take(learner, exam, clock, answer="A")  # wrong: in the 错题本
        take(learner, exam, clock, answer="B")  # passed: its answers are shown, the entry may be practised

    def counts(entry_id):
        return [statements_of(client, url)[0] for url in ("/notebook/", f"/notebook/practice/{entry_id}")] + [
            _answer_statements(client, entry_id)]

    year(0)
    sign_in(client, learner)
    entry = _entries(learner)[0]
    one = counts(entry.id)
    for n in range(1, 6):
        year(n)
    assert len(_entries(learner)) == 6
    page = client.get(f"/notebook/practice/{entry.id}").text
    assert 'name="answer"' in page  # practised, not withheld
    six = counts(entry.id)
    assert six == one, (one, six)


def _answer_statements(client, entry_id: int) -> int:
    from tests.statements import counting_statements

    with counting_statements() as statements:
        response = client.post(f"/notebook/practice/{entry_id}", data={"answer": "C"}, headers={"HX-Request": "true"})
    assert "回答有误" in response.text
    return len(statements)
