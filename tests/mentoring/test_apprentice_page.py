"""The apprentice page for the mentor: programme history and attempts with
exactly the review the apprentice may see, the 错题本 by knowledge point,
check-ins. Only the apprentice's active mentor opens it (404 for anyone else)."""
from __future__ import annotations

from lms.extensions import db
from tests.conftest import sign_in
from tests.mentoring.conftest import answer


def test_the_apprentice_page_shows_record_notebook_and_weak_points(client, world):
    failed = answer(world.apprentice, world.exams[3], {world.deposit.slug: "A", world.loan.slug: "A"})
    sign_in(client, world.mentor)
    page = client.get(f"/mentoring/apprentices/{world.apprentice.id}").text
    assert "李学员" in page and "三个月内通过<strong>准入考试</strong>" in page  # the goals, markdown
    record = page.split('id="training-record"')[1]
    assert "客户经理周训" in record and f"/mentoring/apprentices/{world.apprentice.id}/attempts/{failed.id}" in record
    notebook = page.split('id="apprentice-notebook"')[1].split("</section>")[0]
    assert "个人存款" in notebook and "个人贷款" not in notebook  # one entry, under its knowledge point
    weak = page.split('id="weak-points"')[1].split("</section>")[0]
    assert "个人存款" in weak and "错 1 / 共 1" in weak


def test_nobody_but_the_active_mentor_opens_it(client, world):
    attempt = answer(world.apprentice, world.exams[3], {world.deposit.slug: "A"})
    urls = [f"/mentoring/apprentices/{world.apprentice.id}",
            f"/mentoring/apprentices/{world.apprentice.id}/attempts/{attempt.id}",
            f"/mentoring/apprentices/{world.apprentice.id}/check-ins/new"]
    for person in (world.other_mentor, world.former_mentor, world.apprentice, world.other_apprentice):
        sign_in(client, person)
        for url in urls:
            assert client.get(url).status_code == 404, (person.employee_no, url)
    sign_in(client, world.mentor)
    assert all(client.get(url).status_code == 200 for url in urls)
    # Another learner's attempt under the apprentice's id: 404.
    other = answer(world.other_apprentice, world.exams[3], {world.deposit.slug: "A"})
    assert client.get(f"/mentoring/apprentices/{world.apprentice.id}/attempts/{other.id}").status_code == 404
    assert client.get(f"/mentoring/apprentices/{world.other_apprentice.id}/attempts/{other.id}").status_code == 404


def test_the_mentor_sees_no_more_of_an_attempt_than_the_apprentice(client, world):
    """Review after passing: a failed attempt shows right/wrong only, no options, key or explanation —
    to the apprentice and to the mentor alike; once the apprentice passes, both see the review."""
    exam = world.exams[3]
    exam.review_policy = "after_pass"
    db.session.commit()
    failed = answer(world.apprentice, exam, {world.deposit.slug: "A", world.loan.slug: "A"})
    sign_in(client, world.mentor)
    page = client.get(f"/mentoring/apprentices/{world.apprentice.id}/attempts/{failed.id}").text
    assert "review-withheld" in page and "review-item" not in page
    assert "存款保险最高偿付" not in page and "5 万元" not in page and "三查" not in page  # no explanation, options, key
    notebook = client.get(f"/mentoring/apprentices/{world.apprentice.id}").text
    assert "存款保险最高偿付" not in notebook and "5 万元" not in notebook
    sign_in(client, world.apprentice)
    own = client.get(f"/attempts/{failed.id}/result").text
    assert "存款保险最高偿付" not in own  # what the apprentice sees: the same

    answer(world.apprentice, exam, {world.deposit.slug: "B", world.loan.slug: "A"})  # passed now
    sign_in(client, world.mentor)
    page = client.get(f"/mentoring/apprentices/{world.apprentice.id}/attempts/{failed.id}").text
    assert "review-item" in page and "存款保险最高偿付" in page


def test_an_attempt_waiting_for_grading_shows_no_result(client, world, make_question, make_exam):
    """An essay waits for a trainer: the mentor sees it is waiting, nothing of the rubric."""
    essay = make_question("essay", tags=("个人贷款",))
    exam = make_exam([{"questions": [essay.slug]}], title="论述题测验", review_policy="after_submit")
    attempt = answer(world.apprentice, exam, {})
    sign_in(client, world.mentor)
    page = client.get(f"/mentoring/apprentices/{world.apprentice.id}/attempts/{attempt.id}").text
    assert "待阅卷" in page and "说明贷前调查的三个要点" not in page
