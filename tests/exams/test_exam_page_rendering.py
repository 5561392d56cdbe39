"""The exam page renders each option's markdown once per text in a process,
not on every view: the options of a published question version never change,
and converting and sanitising 28 options was most of the page's CPU time. What
is shown is still the sanitised rendering."""
from __future__ import annotations

from lms.content import rendering
from lms.exams import attempts as exam_attempts
from lms.extensions import db
from tests.conftest import sign_in
from tests.exams.takers import learner  # noqa: F401


def _conversions(monkeypatch) -> list[str]:
    seen: list[str] = []
    convert = rendering.render_markdown

    def counted(text, *args, **kwargs):
        seen.append(text)
        return convert(text, *args, **kwargs)

    monkeypatch.setattr(rendering, "render_markdown", counted)
    return seen


def test_a_second_view_of_the_exam_page_converts_no_option_again(
        app, client, clock, learner, make_question, make_exam, monkeypatch):
    options = [{"key": "A", "text": "年化 **3.5%** 的甲"}, {"key": "B", "text": "乙 <img src=x onerror=alert(1)>"},
               {"key": "C", "text": "丙 `代码`"}]
    slugs = [make_question("single", data={"options": options, "correct": ["B"]}, tags=[f"点{n}"]).slug
             for n in range(4)]
    attempt = exam_attempts.start_attempt(learner, make_exam([{"questions": slugs}], time_limit_minutes=30))
    db.session.commit()
    sign_in(client, learner)
    seen = _conversions(monkeypatch)
    first = client.get(f"/attempts/{attempt.id}").text
    assert "<strong>3.5%</strong>" in first and "<code>代码</code>" in first
    assert "onerror" not in first  # sanitised as before
    seen.clear()
    again = client.get(f"/attempts/{attempt.id}").text
    assert "<strong>3.5%</strong>" in again and "onerror" not in again
    assert [text for text in seen if any(o["text"] == text for o in options)] == []
