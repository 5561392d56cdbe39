"""A review policy holds on every path to the key: a mentor, HR or a branch
manager who reads a learner's attempt and takes the same exam (the mentor in
the same programme, anyone for an exam open to all) sees its answers only as
the policy shows them to the reader as a learner — after their own attempt
(after_submit) or pass (after_pass). Otherwise reading a colleague's record
handed them the key before they started."""
from __future__ import annotations

import pytest

from lms.extensions import db
from tests.conftest import sign_in
from tests.mentoring.conftest import answer

KEY_TEXT = ("存款保险最高偿付", "贷款解析文字", "三查")  # an explanation, an option the review marks right


def _shows_key(page: str) -> bool:
    return "review-item" in page or any(text in page for text in KEY_TEXT)


@pytest.mark.parametrize("policy", ["after_submit", "after_pass"])
def test_the_mentor_in_the_same_programme_sees_the_key_only_after_their_own_attempt(client, world, policy):
    exam = world.exams[3]
    exam.review_policy = policy
    world.mentor.positions[-1].position = "rm_junior"  # the mentor is in the programme's audience too
    db.session.commit()
    passed = answer(world.apprentice, exam, {world.deposit.slug: "B", world.loan.slug: "A"})
    assert passed.passed
    url = f"/mentoring/apprentices/{world.apprentice.id}/attempts/{passed.id}"
    sign_in(client, world.mentor)
    page = client.get(url).text
    assert not _shows_key(page), "the mentor read the key before taking the exam"
    assert "review-withheld" in page
    if policy == "after_submit":
        assert "once you have taken this exam yourself" in page or "在您自己参加本考试之后" in page

    answer(world.mentor, exam, {world.deposit.slug: "A", world.loan.slug: "B"})  # taken, failed
    page = client.get(url).text
    assert _shows_key(page) is (policy == "after_submit")
    answer(world.mentor, exam, {world.deposit.slug: "B", world.loan.slug: "A"})  # passed
    assert _shows_key(client.get(url).text)


def test_a_mentor_outside_the_exams_audience_still_sees_what_the_apprentice_sees(client, world):
    exam = world.exams[3]
    passed = answer(world.apprentice, exam, {world.deposit.slug: "B", world.loan.slug: "A"})
    sign_in(client, world.mentor)  # rm_principal: the programme is for rm_junior
    assert _shows_key(client.get(f"/mentoring/apprentices/{world.apprentice.id}/attempts/{passed.id}").text)


@pytest.mark.parametrize("roles", [("hr", "learner"), ("branch_manager", "learner")])
def test_staff_who_may_take_an_exam_open_to_all_do_not_read_its_key_first(client, world, make_user, roles):
    exam = world.exams[3]
    exam.open_to_all = True
    db.session.commit()
    passed = answer(world.apprentice, exam, {world.deposit.slug: "B", world.loan.slug: "A"})
    reader = make_user(roles, employee_no="S001", name="读者", branch=world.branch)
    url = f"/programmes/people/{world.apprentice.id}/attempts/{passed.id}"
    sign_in(client, reader)
    page = client.get(url).text
    assert "review-withheld" in page and not _shows_key(page)
    answer(reader, exam, {world.deposit.slug: "A", world.loan.slug: "A"})
    assert _shows_key(client.get(url).text)


def test_a_trainer_reads_every_review(client, world, make_user):
    exam = world.exams[3]
    exam.open_to_all = True
    db.session.commit()
    passed = answer(world.apprentice, exam, {world.deposit.slug: "B", world.loan.slug: "A"})
    sign_in(client, make_user(("trainer", "learner"), employee_no="T001"))
    assert _shows_key(client.get(f"/programmes/people/{world.apprentice.id}/attempts/{passed.id}").text)


def test_nobody_reads_a_review_while_taking_an_exam_that_holds_its_questions(client, world):
    """The mentor took the exam (after_submit: the apprentice's review is theirs
    to read) and is taking it again now: not while the retake is open."""
    from lms.exams import attempts as exam_attempts

    exam = world.exams[3]
    world.mentor.positions[-1].position = "rm_junior"
    db.session.commit()
    passed = answer(world.apprentice, exam, {world.deposit.slug: "B", world.loan.slug: "A"})
    answer(world.mentor, exam, {world.deposit.slug: "A", world.loan.slug: "B"})  # failed: a retake is allowed
    url = f"/mentoring/apprentices/{world.apprentice.id}/attempts/{passed.id}"
    sign_in(client, world.mentor)
    assert _shows_key(client.get(url).text)
    retake = exam_attempts.start_attempt(world.mentor, exam)
    db.session.commit()
    page = client.get(url).text
    assert not _shows_key(page) and "review-withheld" in page and exam.title in page
    exam_attempts.submit(retake, world.mentor)
    db.session.commit()
    assert _shows_key(client.get(url).text)


def test_a_reader_still_sitting_the_exam_does_not_read_keys_of_questions_they_were_not_asked(client, world):
    """After submitting: the mentor failed their attempt, which asked only the
    deposit question; the trainer then republished the exam with the loan
    question too, and the apprentice passed it. The mentor's retake will ask
    the loan question: the apprentice's review shows them the deposit key
    (their own review shows it too), not the loan key, until they pass."""
    import json

    exam = world.exams[3]
    exam.open_to_all = True
    exam.draw_json = json.dumps([{"questions": [world.deposit.slug]}])
    db.session.commit()
    mine = answer(world.mentor, exam, {world.deposit.slug: "A"})
    assert not mine.passed and [i.question_version.question_id for i in mine.items] == [world.deposit.id]
    exam.draw_json = json.dumps([{"questions": [world.deposit.slug, world.loan.slug]}])
    db.session.commit()
    passed = answer(world.apprentice, exam, {world.deposit.slug: "B", world.loan.slug: "A"})
    url = f"/mentoring/apprentices/{world.apprentice.id}/attempts/{passed.id}"
    sign_in(client, world.mentor)
    page = client.get(url).text
    assert "存款保险最高偿付" in page  # the deposit question: asked of the mentor, its review is theirs
    loan = next(a for a in page.split("<article")[1:] if "三查" in a)  # the apprentice's answer, read only
    assert "贷款解析文字" not in page and "is-key" not in loan, "the key of a question the mentor's retake will ask"
    assert "您在本考试中尚未作答过此题" in loan and "disabled" in loan
    answer(world.mentor, exam, {world.deposit.slug: "B", world.loan.slug: "A"})  # passed now
    page = client.get(url).text
    assert "贷款解析文字" in page and "您在本考试中尚未作答过此题" not in page


@pytest.mark.parametrize("policy", ["after_submit", "after_pass"])
def test_staff_who_cannot_sit_exams_read_what_the_learner_reads(client, world, make_user, policy):
    """HR without the learner role never sits an exam, even one open to all:
    nothing to protect, so the review shows them what it shows the learner."""
    exam = world.exams[3]
    exam.open_to_all = True
    exam.review_policy = policy
    db.session.commit()
    passed = answer(world.apprentice, exam, {world.deposit.slug: "B", world.loan.slug: "A"})
    sign_in(client, make_user(("hr",), employee_no="H001", name="人事", branch=world.branch))
    page = client.get(f"/programmes/people/{world.apprentice.id}/attempts/{passed.id}").text
    assert "存款保险最高偿付" in page and "贷款解析文字" in page and "review-withheld" not in page


@pytest.mark.parametrize("change", ["withdrawn", "closed"])
def test_a_reader_who_can_no_longer_sit_the_exam_reads_what_the_learner_reads(client, world, make_user, clock, change):
    """The policy keeps the key from a reader only while they may still sit the
    exam: once the trainer withdrew it or it closed, there is nothing to protect."""
    from datetime import timedelta

    exam = world.exams[3]
    exam.open_to_all = True
    exam.closes_at = clock.now() + timedelta(days=1)
    db.session.commit()
    passed = answer(world.apprentice, exam, {world.deposit.slug: "B", world.loan.slug: "A"})
    reader = make_user(("hr", "learner"), employee_no="S001", name="读者", branch=world.branch)
    url = f"/programmes/people/{world.apprentice.id}/attempts/{passed.id}"
    sign_in(client, reader)
    assert not _shows_key(client.get(url).text)  # they may still sit it
    if change == "withdrawn":
        exam.retired = True
        db.session.commit()
    else:
        clock.advance(timedelta(days=1))
    page = client.get(url).text
    assert "存款保险最高偿付" in page and "贷款解析文字" in page and "review-withheld" not in page
