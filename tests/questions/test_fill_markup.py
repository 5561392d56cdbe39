"""A fill question's boxes go where its sentence is, never inside a tag of the
trainer's markdown (an image's alt text, a link's title): there the box and
the exam page's hx-* attributes landed in the trainer's <img>/<a> and broke the
question; the content check names such a blank."""
from __future__ import annotations

from html.parser import HTMLParser

from markupsafe import Markup

from lms.content.rendering import render_markdown
from lms.content.source.parser import parse_question_bank
from lms.questions import fill

STEM = '请填写 {{1}} 和 ![流程图 {{2}}](flow.png) [手册](https://a.example/m "见{{3}}")'


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_the_trainers_image_and_link_keep_their_attributes_and_get_none_of_the_page():
    qtype = fill.FillInBlanks()
    html = str(render_markdown(STEM))
    taking = _tags(str(qtype.stem_with_inputs(html, "q7", ["存款"], Markup('hx-post="/save" hx-trigger="change"'))))
    img = next(attrs for tag, attrs in taking if tag == "img")
    link = next(attrs for tag, attrs in taking if tag == "a")
    assert img == {"alt": "流程图 {{2}}", "src": "flow.png"}
    assert link["title"] == "见{{3}}" and link["href"] == "https://a.example/m"
    boxes = [attrs for tag, attrs in taking if tag == "input"]
    assert [b["name"] for b in boxes] == ["q7-1"] and boxes[0]["value"] == "存款"
    review = _tags(str(qtype.stem_with_marks(html)))
    assert next(attrs for tag, attrs in review if tag == "img") == {"alt": "流程图 {{2}}", "src": "flow.png"}


def test_the_content_check_names_a_blank_inside_an_image_description_or_a_link_title():
    text = "## f-1\ntype: fill\n\n请填写 [[存款]] 和 ![流程图 [[贷款]]](flow.png)\n"
    _questions, problems = parse_question_bank(text, "courses/p/questions/q.md", "p")
    assert any("blank 2" in str(p) and "image" in str(p) for p in problems), [str(p) for p in problems]
    fine = "## f-2\ntype: fill\n\n请填写 [[存款]] 和 `[[贷款]]`，见 ![流程图](flow.png)\n"
    assert parse_question_bank(fine, "courses/p/questions/q.md", "p")[1] == []
