"""One question in two exams: the strictest review policy protects the key.

Exam A (open to all, answers shown after submitting) and exam B (a week of a
programme for branch ZZ01 that opens in 60 days, answers shown after passing)
share question sh-1; wk-1 is only in A. A learner of ZZ01 who sits A first
must not read sh-1's key or explanation anywhere — A's result page, the 错题本
list and practice, the read-only attempt pages of a mentor, HR or a branch
manager who sits B too — until B is passed or closed for them (or they can no
longer sit it). wk-1's key shows as A's policy says; a learner outside B's
audience reads every key of A."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from lms.content.models import Programme, ProgrammeItem
from lms.exams import answers as exam_answers, attempts as exam_attempts, notebook
from lms.exams.models import NotebookEntry
from lms.extensions import db
from lms.mentoring.models import Pairing
from tests.conftest import sign_in

HX = {"HX-Request": "true"}
SHARED_EXPLANATION = "大额存单起存金额为20万元。"
OWN_EXPLANATION = "通知存款分一天、七天两个品种。"
SHARED_REASON = "This question is also in “客户经理准入考试”, which you have not finished yet"


@pytest.fixture
def shared(make_user, make_branch, make_question, make_exam, clock):
    zhuzhou = make_branch("ZZ01", "株洲分行")
    elsewhere = make_branch("XT01", "湘潭分行")
    sh = make_question("single", slug="sh-1", explanation=SHARED_EXPLANATION)
    wk = make_question("single", slug="wk-1", explanation=OWN_EXPLANATION)
    lax = make_exam([{"questions": ["sh-1", "wk-1"]}], title="第1周测验", review_policy="after_submit",
                    max_attempts=None, cooldown_minutes=0)
    strict = make_exam([{"questions": ["sh-1"]}], title="客户经理准入考试", review_policy="after_pass",
                       open_to_all=False, max_attempts=2, cooldown_minutes=0)
    today = clock.now().date()
    # ZZ01's people, and every branch manager (whatever their branch).
    programme = Programme(slug="zz-rm", title="株洲客户经理培养",
                          audience_json='{"any": [{"branches": ["ZZ01"]}, {"roles": ["branch_manager"]}]}')
    programme.items = [ProgrammeItem(key="entry", kind="week", number=12, title="第12周", exam_id=strict.id,
                                     opens_on=today + timedelta(days=60), due_on=today + timedelta(days=67))]
    db.session.add(programme)
    db.session.commit()
    return {"sh": sh, "wk": wk, "lax": lax, "strict": strict, "zhuzhou": zhuzhou, "elsewhere": elsewhere,
            "member": make_user(("learner",), branch=zhuzhou, locale="en", name="王学员"),
            "outsider": make_user(("learner",), branch=elsewhere, locale="en")}


def _sit(user, exam, answers: dict[str, str]):
    """Sit ``exam``, answering by question slug; the finalised attempt."""
    attempt = exam_attempts.start_attempt(user, exam)
    for item in attempt.items:
        exam_answers.save_answer(attempt, item, answers[item.question_version.question.slug])
    exam_attempts.submit(attempt, user)
    db.session.commit()
    return attempt


def _article(page: str, attempt, slug: str) -> str:
    """The review of one question on a result page."""
    position = next(i.position for i in attempt.items if i.question_version.question.slug == slug)
    found = re.search(rf'<article[^>]*id="r-{position}".*?</article>', page, re.S)
    assert found, f"no review of {slug}"
    return found.group(0)


def _key_shown(html: str, explanation: str) -> bool:
    return explanation in html or "is-key" in html or "correct answer" in html


def _entry(user, question) -> NotebookEntry:
    return db.session.query(NotebookEntry).filter_by(user_id=user.id, question_id=question.id).one()


def test_the_result_page_of_the_lax_exam_keeps_the_shared_key_back(client, clock, shared):
    member = shared["member"]
    attempt = _sit(member, shared["lax"], {"sh-1": "A", "wk-1": "A"})
    sign_in(client, member)
    page = client.get(f"/attempts/{attempt.id}/result").text
    held = _article(page, attempt, "sh-1")
    assert not _key_shown(held, SHARED_EXPLANATION), "sat A first, the learner read B's key"
    assert SHARED_EXPLANATION not in page
    assert SHARED_REASON in held and "Wrong" in held
    assert "checked" in held and "disabled" in held  # their own answer, read only
    assert _key_shown(_article(page, attempt, "wk-1"), OWN_EXPLANATION)  # only in A: A's policy


def test_the_notebook_neither_shows_nor_grades_the_shared_question(client, clock, shared):
    member = shared["member"]
    _sit(member, shared["lax"], {"sh-1": "A", "wk-1": "A"})
    entry, own = _entry(member, shared["sh"]), _entry(member, shared["wk"])
    sign_in(client, member)
    listing = client.get("/notebook/").text
    assert f'href="/notebook/practice/{entry.id}' not in listing
    assert f'href="/notebook/practice/{own.id}' in listing
    assert "which asks it too" in listing
    page = client.get(f"/notebook/practice/{entry.id}").text
    assert 'name="answer"' not in page and SHARED_EXPLANATION not in page
    tried = client.post(f"/notebook/practice/{entry.id}", data={"answer": "B"}, headers=HX).text
    assert "Correct!" not in tried and SHARED_EXPLANATION not in tried
    with pytest.raises(notebook.PracticeWithheld):
        notebook.practise(member, entry, "B")
    assert db.session.get(NotebookEntry, entry.id, populate_existing=True).cleared_at is None
    assert notebook.next_entry(member) == own  # 练习 passes over it
    assert "Correct!" in client.post(f"/notebook/practice/{own.id}", data={"answer": "B"}, headers=HX).text


@pytest.mark.parametrize("how", ["passed", "closed", "attempts used up"])
def test_the_key_appears_once_the_strict_exam_is_done_with(client, clock, shared, how):
    member, strict = shared["member"], shared["strict"]
    attempt = _sit(member, shared["lax"], {"sh-1": "A", "wk-1": "A"})
    entry = _entry(member, shared["sh"])
    sign_in(client, member)
    clock.advance(timedelta(days=60))  # B's week opens
    if how == "passed":
        assert _sit(member, strict, {"sh-1": "B"}).passed
    elif how == "closed":
        strict.closes_at = clock.now() - timedelta(minutes=1)
        db.session.commit()
    else:
        _sit(member, strict, {"sh-1": "C"})
        assert not _sit(member, strict, {"sh-1": "C"}).passed  # both attempts used, B not passed
    page = client.get(f"/attempts/{attempt.id}/result").text
    assert _key_shown(_article(page, attempt, "sh-1"), SHARED_EXPLANATION)
    assert SHARED_REASON not in page
    assert "Correct!" in client.post(f"/notebook/practice/{entry.id}", data={"answer": "B"}, headers=HX).text


def test_an_exam_that_shows_answers_after_submitting_holds_the_key_only_while_it_is_sat(client, clock, shared):
    """B shows its answers once sat: before the learner starts B the shared key
    shows (B keeps nothing back that A shows), while they sit B it is held back,
    and once B is submitted it shows again."""
    member, strict = shared["member"], shared["strict"]
    strict.review_policy = "after_submit"
    db.session.commit()
    attempt = _sit(member, shared["lax"], {"sh-1": "A", "wk-1": "A"})
    sign_in(client, member)
    assert SHARED_EXPLANATION in client.get(f"/attempts/{attempt.id}/result").text
    clock.advance(timedelta(days=60))
    sitting = exam_attempts.start_attempt(member, strict)
    db.session.commit()
    assert SHARED_EXPLANATION not in client.get(f"/attempts/{attempt.id}/result").text
    exam_answers.save_answer(sitting, sitting.items[0], "C")
    exam_attempts.submit(sitting, member)  # failed, but sat
    db.session.commit()
    assert SHARED_EXPLANATION in client.get(f"/attempts/{attempt.id}/result").text


def test_a_learner_outside_the_strict_exams_audience_reads_every_key(client, clock, shared):
    outsider = shared["outsider"]
    attempt = _sit(outsider, shared["lax"], {"sh-1": "A", "wk-1": "A"})
    sign_in(client, outsider)
    page = client.get(f"/attempts/{attempt.id}/result").text
    assert _key_shown(_article(page, attempt, "sh-1"), SHARED_EXPLANATION) and SHARED_REASON not in page
    entry = _entry(outsider, shared["sh"])
    assert "Correct!" in client.post(f"/notebook/practice/{entry.id}", data={"answer": "B"}, headers=HX).text


def test_a_retired_or_closed_strict_exam_does_not_hold_the_key(client, clock, shared):
    member, strict = shared["member"], shared["strict"]
    strict.retired = True
    db.session.commit()
    attempt = _sit(member, shared["lax"], {"sh-1": "A", "wk-1": "A"})
    sign_in(client, member)
    assert SHARED_EXPLANATION in client.get(f"/attempts/{attempt.id}/result").text


@pytest.mark.parametrize("roles", [("hr", "learner"), ("branch_manager", "learner")])
def test_staff_who_sit_the_strict_exam_do_not_read_the_shared_key_on_a_record(client, clock, shared, make_user,
                                                                               roles):
    """The outsider's attempt of A shows every key to the outsider; a reader in
    B's audience who has sat A still must not read sh-1's key there."""
    outsider = shared["outsider"]
    attempt = _sit(outsider, shared["lax"], {"sh-1": "A", "wk-1": "A"})
    # HR of ZZ01 (sees the whole bank); the branch manager of the outsider's branch, in B's audience by role.
    branch = shared["zhuzhou"] if "hr" in roles else shared["elsewhere"]
    reader = make_user(roles, employee_no="S001", name="读者", branch=branch, locale="en")
    _sit(reader, shared["lax"], {"sh-1": "A", "wk-1": "A"})  # the reader sat A: A's policy shows them A's keys
    sign_in(client, reader)
    page = client.get(f"/programmes/people/{outsider.id}/attempts/{attempt.id}").text
    held = _article(page, attempt, "sh-1")
    assert not _key_shown(held, SHARED_EXPLANATION) and SHARED_EXPLANATION not in page
    assert SHARED_REASON in held
    assert _key_shown(_article(page, attempt, "wk-1"), OWN_EXPLANATION)


def test_a_mentor_reads_no_more_than_the_apprentice_may(client, clock, shared, make_user):
    """The mentor sees what the apprentice sees: the apprentice's own strict exam
    holds the shared key back on the mentor's page too."""
    member = shared["member"]
    mentor = make_user(("mentor", "learner"), branch=shared["elsewhere"], locale="en", name="师傅")
    db.session.add(Pairing(mentor_id=mentor.id, apprentice_id=member.id, start_date=clock.now().date()))
    db.session.commit()
    attempt = _sit(member, shared["lax"], {"sh-1": "A", "wk-1": "A"})
    _sit(mentor, shared["lax"], {"sh-1": "B", "wk-1": "B"})  # A is open to all: the mentor reads A's keys once sat
    sign_in(client, mentor)
    page = client.get(f"/mentoring/apprentices/{member.id}/attempts/{attempt.id}").text
    held = _article(page, attempt, "sh-1")
    assert not _key_shown(held, SHARED_EXPLANATION) and SHARED_EXPLANATION not in page
    assert "which 王学员 has not finished yet" in held
    assert _key_shown(_article(page, attempt, "wk-1"), OWN_EXPLANATION)


def test_one_page_asks_a_fixed_number_of_statements_whatever_the_questions(app, clock, shared, make_question,
                                                                         make_exam):
    """No statement per question, per exam or per draw rule: the rule is read
    in the same few statements for two questions under one exam as for ten
    under twelve."""
    from sqlalchemy import event

    from lms.exams import shared_keys

    member = shared["member"]
    selects: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        # B (after passing, not passed) keeps its question's key; A (after submitting, not being sat) none
        assert set(shared_keys.keys_held_back(member, [shared["sh"].id, shared["wk"].id])) == {shared["sh"].id}
        few = len(selects)
        extra = [make_question("single", slug=f"x-{n}").id for n in range(8)]
        for n in range(11):
            make_exam([{"questions": [f"x-{n % 8}", "sh-1"]}, {"count": 1, "type": "single", "tags": ["个人存款"]}],
                      review_policy="never", title=f"考试{n}")
        selects.clear()
        held = shared_keys.keys_held_back(member, [shared["sh"].id, shared["wk"].id, *extra])
        assert set(held) == {shared["sh"].id, shared["wk"].id, *extra}
        assert len(selects) == few
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_the_sentence_in_chinese_names_the_exam_still_to_sit(client, clock, shared):
    member = shared["member"]
    member.locale = "zh_CN"
    db.session.commit()
    attempt = _sit(member, shared["lax"], {"sh-1": "A", "wk-1": "A"})
    sign_in(client, member)
    held = _article(client.get(f"/attempts/{attempt.id}/result").text, attempt, "sh-1")
    assert "此题也出现在您尚未完成的考试“客户经理准入考试”中，答案与解析在该考试允许您查看后显示。" in held
    assert "完成同样考到此题的考试“客户经理准入考试”后可练习。" in client.get("/notebook/").text
