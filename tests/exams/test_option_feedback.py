"""Per-option feedback (GIFT's ``~answer#feedback``, a bank's indented
``反馈：`` line): in the review of a finalised attempt a learner sees the
feedback of the options they chose, not of the others; before the attempt is
finalised no feedback reaches the page."""
from __future__ import annotations

from lms.questions import get

SINGLE = {"options": [{"key": "A", "text": "1 万元", "feedback": "反馈甲：这是整存整取的起存金额"},
                      {"key": "B", "text": "5 万元", "feedback": "反馈乙：正确"},
                      {"key": "C", "text": "10 万元"}], "correct": ["B"]}
MULTIPLE = {"options": [{"key": "A", "text": "次级", "feedback": "反馈次级"},
                        {"key": "B", "text": "关注", "feedback": "反馈关注：关注类不是不良"},
                        {"key": "C", "text": "可疑", "feedback": "反馈可疑"}],
            "correct": ["A", "C"], "weights": {"A": 50, "C": 50, "B": -100}}


def render(qtype, data, answer, review):
    with_request = get(qtype).render(name="q1", data=data, answer=answer, order=None, stem_html="题干",
                                     review=review)
    return str(with_request)


def test_the_review_shows_the_feedback_of_the_chosen_single_option_only(app):
    with app.test_request_context():
        html = render("single", SINGLE, "A", review=True)
    assert "反馈甲：这是整存整取的起存金额" in html
    assert "反馈乙" not in html  # the key's feedback is for those who chose it


def test_the_review_shows_the_feedback_of_each_picked_multiple_option(app):
    with app.test_request_context():
        html = render("multiple", MULTIPLE, ["A", "B"], review=True)
    assert "反馈次级" in html and "反馈关注：关注类不是不良" in html
    assert "反馈可疑" not in html


def test_no_feedback_before_the_attempt_is_finalised(app):
    with app.test_request_context():
        single = render("single", SINGLE, "A", review=False)
        multiple = render("multiple", MULTIPLE, ["A", "B"], review=False)
    assert "反馈" not in single and "反馈" not in multiple
    assert "feedback" not in get("single").public_data(SINGLE)["options"][0]
