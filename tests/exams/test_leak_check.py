"""No response a learner receives before the attempt is finalised carries a
key, a correctness flag, a score per option or an explanation: the intro, the
exam page (one page and per question), every autosave, flag and focus
fragment, the review, the no-JS save, and the result while grading."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.content.models import QuestionVersion
from lms.exams import answers as exam_answers, attempts as exam_attempts, results as exam_results
from lms.exams.models import Attempt, NotebookEntry
from lms.extensions import db
from tests.conftest import sign_in
from tests.exams.takers import (  # noqa: F401
    LEAKY_WORDS, RIGHT_FORM, SECRET_EXPLANATION, SECRETS, every_type_exam, learner, right_form)

HX = {"HX-Request": "true"}


# Once the learner has typed the right answers, the page shows them back as
# their own input values; that is not a leak. Everything else still is.
TYPED = {"填空机密甲", "填空机密乙", "98765", "4321.9"}


def assert_no_leak(response, where, typed=False, allow=()):
    """``allow``: sentences that may stand on the page (a notice saying why
    the answers are withheld names them) and are left out of the word check."""
    text = response.get_data(as_text=True)
    for secret in SECRETS:
        if typed and secret in TYPED:
            continue
        assert secret not in text, f"{where}: leaks {secret!r}"
    for sentence in allow:
        text = text.replace(sentence, "")
    found = LEAKY_WORDS.search(text)
    assert not found, f"{where}: contains {found.group(0)!r} near {text[max(0, found.start() - 80):found.end() + 80]!r}"


@pytest.mark.parametrize("layout", ["one_page", "per_question"])
def test_nothing_leaks_before_the_attempt_is_finalised(client, clock, learner, every_type_exam, layout):
    exam = every_type_exam(layout=layout, focus_loss_limit=10, shuffle_options=True, partial_credit=True)
    sign_in(client, learner)
    assert_no_leak(client.get(f"/exams/{exam.id}"), "intro")
    start = client.post(f"/exams/{exam.id}/start")
    attempt_id = int(start.headers["Location"].split("/")[-1])
    attempt = db.session.get(Attempt, attempt_id)
    items = list(attempt.items)
    pages = [client.get(f"/attempts/{attempt_id}")]
    pages += [client.get(f"/attempts/{attempt_id}?q={i.position}") for i in items]
    for n, page in enumerate(pages):
        assert page.status_code == 200
        assert_no_leak(page, f"exam page {n}")
    for item in items:
        data = right_form(item)
        saved = client.post(f"/attempts/{attempt_id}/items/{item.id}", data=data, headers=HX)
        assert saved.status_code == 200
        assert_no_leak(saved, f"autosave {item.question_version.type}")
        flagged = client.post(f"/attempts/{attempt_id}/flag/{item.id}", data={f"flag-{item.id}": "1"}, headers=HX)
        assert_no_leak(flagged, "flag")
    # Pages re-rendered with the (right) answers filled in must not mark them either.
    assert_no_leak(client.get(f"/attempts/{attempt_id}"), "exam page with answers", typed=True)
    assert_no_leak(client.post(f"/attempts/{attempt_id}/focus", data={"kind": "hidden"}, headers=HX), "focus")
    assert_no_leak(client.get(f"/attempts/{attempt_id}/review"), "review")
    no_js = {"shown": ",".join(str(i.id) for i in items)}
    for item in items:
        no_js.update(right_form(item))
    saved_all = client.post(f"/attempts/{attempt_id}/save", data=no_js, follow_redirects=True)
    assert_no_leak(saved_all, "no-JS save", typed=True)
    assert_no_leak(client.get(f"/attempts/{attempt_id}/result", follow_redirects=True), "result while open", typed=True)
    submitted = client.post(f"/attempts/{attempt_id}/submit", follow_redirects=True)
    attempt = db.session.get(Attempt, attempt_id, populate_existing=True)
    assert attempt.state == "grading"  # the essay waits: not finalised yet
    assert_no_leak(submitted, "result while grading")
    assert_no_leak(client.get(f"/exams/{exam.id}"), "intro while grading")
    assert_no_leak(client.get("/"), "home while grading")


def test_the_leak_check_can_fail(client, clock, learner, every_type_exam):
    """Once finalised (review after submit), the same pages do show the key:
    the check above looks at text that really would be there."""
    exam = every_type_exam()
    attempt = exam_attempts.start_attempt(learner, exam)
    exam_attempts.submit(attempt, learner)
    essay = next(i for i in attempt.items if i.question_version.type == "essay")
    essay.awarded = 0
    exam_results.recompute_result(attempt)
    db.session.commit()
    sign_in(client, learner)
    with pytest.raises(AssertionError):
        assert_no_leak(client.get(f"/attempts/{attempt.id}/result"), "result after finalising")


def test_option_order_is_shuffled_per_attempt_and_answers_stored_by_key(client, clock, learner, make_question,
                                                                       make_exam):
    options = [{"key": k, "text": f"选项{k}"} for k in "ABCDEFGH"]
    question = make_question("single", data={"options": options, "correct": ["H"]})
    exam = make_exam([{"questions": [question.slug]}], shuffle_options=True, max_attempts=None)
    orders = set()
    for _ in range(6):
        attempt = exam_attempts.start_attempt(learner, exam)
        orders.add(tuple(attempt.items[0].option_order))
        exam_answers.save_answer(attempt, attempt.items[0], "H", clock.now())
        exam_attempts.submit(attempt, learner)
        assert attempt.items[0].correct is True
    assert len(orders) > 1 and all(sorted(o) == list("ABCDEFGH") for o in orders)
    sign_in(client, learner)
    fixed = make_exam([{"questions": [question.slug]}], shuffle_options=False)
    attempt = exam_attempts.start_attempt(learner, fixed)
    page = client.get(f"/attempts/{attempt.id}").text
    positions = [page.index(f"选项{k}") for k in "ABCDEFGH"]
    assert positions == sorted(positions)


# The sentences that say *why* answers are withheld mention them (答案与解析): not a leak.
WITHHELD_NOTICES = ("通过该考试后可查看答案与解析。", "考试关闭后可查看答案与解析。")
WITHHELD_NOTICE = WITHHELD_NOTICES[0]
HIDING_POLICIES = ["after_pass", "after_close", "never"]


def wrong_form(qtype: str) -> dict:
    return {"answer": "A"} if qtype in ("single", "multiple") else {"answer": "false"} if qtype == "truefalse" \
        else {"answer-1": "错", "answer-2": "错"} if qtype == "fill" else {"answer-a": "B", "answer-b": "1"} \
        if qtype == "case" else {"answer": "1"} if qtype == "numeric" else {"answer": "我的论述"}


def candidate_forms(qtype: str) -> list[dict]:
    """What a learner probing for the key would try: a wrong answer, every
    option of a choice question one by one, and the right answer."""
    right = {k.replace("a-0", "answer"): v for k, v in RIGHT_FORM[qtype]("a-0").items()}
    options = [{"answer": k} for k in ("A", "B", "C", "D")] if qtype in ("single", "multiple") else []
    return [wrong_form(qtype), *options, right]


def failed_hiding_exam(clock, learner, every_type_exam, policy):
    """A failed attempt of an exam that keeps its answers back: every
    question in the 错题本 (``after_close``: the exam closes in a week)."""
    extra = {"closes_at": clock.now() + timedelta(days=7)} if policy == "after_close" else {}
    exam = every_type_exam(review_policy=policy, pass_mark=100.0, **extra)
    attempt = exam_attempts.start_attempt(learner, exam)
    exam_attempts.submit(attempt, learner)  # nothing answered
    essay = next(i for i in attempt.items if i.question_version.type == "essay")
    essay.awarded = 0
    exam_results.recompute_result(attempt)
    db.session.commit()
    return exam, attempt


@pytest.mark.parametrize("policy", HIDING_POLICIES)
def test_the_notebook_keeps_the_key_while_the_exam_does(client, clock, learner, every_type_exam, policy):
    """An exam that shows its answers only after passing (the RM entry exam),
    after it closes, or never: the failed attempt's questions fill the 错题本,
    and neither the notebook nor practice — asked, answered wrong, answered
    right, with and without JavaScript — shows a key, an explanation or a
    rubric."""
    _exam, attempt = failed_hiding_exam(clock, learner, every_type_exam, policy)
    entries = db.session.scalars(select(NotebookEntry).where(NotebookEntry.user_id == learner.id)).all()
    assert len(entries) == len(attempt.items)
    sign_in(client, learner)
    allow = WITHHELD_NOTICES
    assert_no_leak(client.get(f"/attempts/{attempt.id}/result"), "result", allow=allow)
    assert_no_leak(client.get("/notebook/"), "notebook", allow=allow)
    assert_no_leak(client.get("/"), "home", allow=allow)
    for entry in entries:
        qtype = db.session.get(QuestionVersion, entry.version_id).type
        url = f"/notebook/practice/{entry.id}"
        assert_no_leak(client.get(url), f"practice {qtype}", allow=allow)
        for form in candidate_forms(qtype):
            assert_no_leak(client.post(url, data=form, headers=HX), f"practice answer (htmx) {qtype}",
                           allow=allow, typed=True)
            assert_no_leak(client.post(url, data=form, follow_redirects=True), f"practice answer {qtype}",
                           allow=allow, typed=True)


def without_tokens(html: str) -> str:
    """The page without its CSRF tokens (signed afresh on every request)."""
    return re.sub(r'(name="csrf-token" content|name="csrf_token" value)="[^"]*"', r'\1=""', html)


@pytest.mark.parametrize("policy", HIDING_POLICIES)
def test_practice_of_a_withheld_entry_is_no_oracle(client, clock, learner, every_type_exam, policy):
    """Practice graded on the spot would say "right" to one of A, B, C and so
    give the key away: while the exam keeps its answers back, no path grades
    the entry. The practice page has nothing to answer and says when practice
    opens; every answer tried, right or wrong, with or without JavaScript, gets
    the same refusal (nothing to tell them apart); nothing clears the entry;
    "next", the knowledge-point sequence and the home panel never lead to it."""
    _exam, _attempt = failed_hiding_exam(clock, learner, every_type_exam, policy)
    entries = db.session.scalars(select(NotebookEntry).where(NotebookEntry.user_id == learner.id)).all()
    sign_in(client, learner)
    practice_pages = {f"/notebook/practice/{entry.id}" for entry in entries}
    for entry in entries:
        qtype = db.session.get(QuestionVersion, entry.version_id).type
        url = f"/notebook/practice/{entry.id}"
        page = client.get(url)
        assert page.status_code == 200
        assert 'name="answer' not in page.text and "practice-withheld" in page.text, qtype
        htmx_replies, plain_replies = set(), set()
        for form in candidate_forms(qtype):
            reply = client.post(url, data=form, headers=HX)
            assert reply.status_code == 200 and "practice-withheld" in reply.text, qtype
            assert "flash-success" not in reply.text and "flash-error" not in reply.text, qtype
            htmx_replies.add(reply.text)
            plain = client.post(url, data=form)
            assert plain.status_code == 302 and plain.headers["Location"].startswith(url), qtype
            plain_replies.add(without_tokens(client.get(plain.headers["Location"]).text))
        assert len(htmx_replies) == 1 and len(plain_replies) == 1, f"{qtype}: the replies tell answers apart"
        assert "flash-success" not in plain_replies.pop()
        marked = client.post(f"/notebook/entries/{entry.id}/reviewed")
        assert marked.status_code == 302
        assert db.session.get(NotebookEntry, entry.id, populate_existing=True).cleared_at is None, qtype

    # The ways into practice: none reaches a withheld entry.
    tags = {t for entry in entries for t in db.session.get(QuestionVersion, entry.version_id).tags} | {""}
    starts = ["/notebook/practice", *(f"/notebook/practice?tag={t}" for t in tags),
              *(f"/notebook/practice?after={entry.id}" for entry in entries)]
    home = client.get("/").text
    starts += [href.replace("&amp;", "&") for href in re.findall(r'href="(/notebook/[^"]*)"', home)]
    for start in starts:
        went = client.get(start)
        assert went.status_code in (200, 302), start
        if went.status_code == 302:
            assert "/notebook/practice/" not in went.headers["Location"], start
    listing = client.get("/notebook/").text
    assert not any(f'href="{p}' in listing for p in practice_pages)
    assert listing.count("practice-withheld") == len(entries)


def test_the_notebook_shows_the_key_once_the_exam_does(client, clock, learner, every_type_exam):
    """The same entries, once the learner passed the exam: the key and the
    explanation come with the practice answer, as on the result page."""
    exam = every_type_exam(review_policy="after_pass", pass_mark=0.0)
    attempt = exam_attempts.start_attempt(learner, exam)
    exam_attempts.submit(attempt, learner)
    essay = next(i for i in attempt.items if i.question_version.type == "essay")
    essay.awarded = 0
    exam_results.recompute_result(attempt)
    db.session.commit()
    assert attempt.passed
    entry = db.session.scalars(select(NotebookEntry).join(QuestionVersion, QuestionVersion.id == NotebookEntry.version_id)
                               .where(QuestionVersion.type == "single")).one()
    sign_in(client, learner)
    answered = client.post(f"/notebook/practice/{entry.id}", data={"answer": "A"}, headers=HX)
    assert f"{SECRET_EXPLANATION}-single" in answered.text


@pytest.mark.parametrize("policy", ["after_pass", "never"])
def test_practice_refused_during_a_retake_shows_no_key(client, clock, learner, every_type_exam, policy):
    """While a retake holds the notebook's questions, practice is refused
    (no answer oracle): the refusal, asked for or answered, for every type,
    shows no key, explanation or rubric either."""
    exam = every_type_exam(review_policy=policy, pass_mark=100.0, cooldown_minutes=0, max_attempts=None)
    first = exam_attempts.start_attempt(learner, exam)
    exam_attempts.submit(first, learner)  # nothing answered: every question goes to the notebook
    essay = next(i for i in first.items if i.question_version.type == "essay")
    essay.awarded = 0  # graded, so that a retake may start
    exam_results.recompute_result(first)
    db.session.commit()
    exam_attempts.start_attempt(learner, exam)  # the retake, open
    entries = db.session.scalars(select(NotebookEntry).where(NotebookEntry.user_id == learner.id)).all()
    assert entries
    sign_in(client, learner)
    allow = (WITHHELD_NOTICE,)
    for entry in entries:
        qtype = db.session.get(QuestionVersion, entry.version_id).type
        url = f"/notebook/practice/{entry.id}"
        refused = client.get(url)
        assert 'name="answer' not in refused.text, qtype  # nothing to answer while the exam is open
        assert_no_leak(refused, f"practice during a retake {qtype}", allow=allow)
        right = {k.replace("a-0", "answer"): v for k, v in RIGHT_FORM[qtype]("a-0").items()}
        answered = client.post(url, data=right, headers=HX)
        assert "Correct" not in answered.text and "正确" not in answered.text, qtype
        assert_no_leak(answered, f"practice answered during a retake {qtype}", allow=allow, typed=True)
