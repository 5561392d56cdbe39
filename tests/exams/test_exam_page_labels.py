"""The exam page for a screen reader: every control a learner answers with
has a name in the page's language — the blanks of a fill-in question are
"第 1 空", "第 2 空" (they were read out as "1", "2")."""
from __future__ import annotations

import re
from html.parser import HTMLParser

from lms.extensions import db
from lms.exams.models import Attempt
from tests.conftest import sign_in
from tests.exams.takers import every_type_exam, learner  # noqa: F401


class Controls(HTMLParser):
    """Each answer control (name, has an accessible name)."""

    def __init__(self):
        super().__init__()
        self.controls, self.label_for, self.in_label = [], set(), 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "label":
            self.in_label += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        if tag in ("input", "textarea", "select") and a.get("type") not in ("hidden", "submit", "button"):
            self.controls.append((a.get("name") or a.get("id"), a.get("id"),
                                  bool(a.get("aria-label") or a.get("aria-labelledby") or self.in_label)))

    def handle_endtag(self, tag):
        if tag == "label":
            self.in_label -= 1


def test_every_answer_control_on_the_exam_page_has_a_name(client, clock, learner, every_type_exam):
    exam = every_type_exam(pass_mark=50)
    sign_in(client, learner)
    response = client.post(f"/exams/{exam.id}/start")
    attempt = db.session.get(Attempt, int(response.headers["Location"].rstrip("/").split("/")[-1]))
    page = client.get(f"/attempts/{attempt.id}").text
    parser = Controls()
    parser.feed(page)
    unnamed = [name for name, id_, named in parser.controls if not named and id_ not in parser.label_for]
    assert parser.controls and not unnamed
    assert re.findall(r'class="blank"[^>]*aria-label="([^"]+)"', page) == ["第 1 空", "第 2 空"]
