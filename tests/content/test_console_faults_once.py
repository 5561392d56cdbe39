"""The editor says each fault once. A fault of the file being edited is
shown in the preview pane, beside the text, with its line (the pane follows
the text as the trainer types); the review lists only what the preview
cannot see: faults in other files of the course. A refused Publish says why
at the top, and its faults are where the trainer reads them."""
import re

import pytest

from tests.content.console_samples import DEPOSITS_MD, content_dir, trainer  # noqa: F401
from tests.content.test_console_edit import BANK, LESSON, _form

BROKEN = "courses/products/questions/broken.md"


@pytest.fixture
def english(client):
    client.post("/language", data={"lang": "en"})


def _mentions(html: str, place: str) -> int:
    return len(re.findall(rf"<code>{re.escape(place)}(?::\d+)?</code>", html))


def test_a_fault_of_the_edited_file_is_shown_once_in_the_preview(client, content_dir, trainer, english):
    text = DEPOSITS_MD.replace("minutes: 20", "minutes: many")
    page = client.post("/console/review", data=_form(content_dir, LESSON, text)).text
    assert _mentions(page, f"{LESSON}:3") == 1
    preview = page.split('id="edit-preview"')[1].split('id="edit-review"')[0]
    assert _mentions(preview, f"{LESSON}:3") == 1
    review = page.split('id="edit-review"')[1]
    assert "fix the problems shown in the preview" in review
    assert 'formaction="/console/publish"' not in page


def test_a_fault_in_another_file_of_the_course_is_shown_once_in_the_review(client, content_dir, trainer, english):
    (content_dir / BROKEN).write_text("## dep-009\ntype: single\n\n题干\n", encoding="utf-8")
    text = DEPOSITS_MD.replace("minutes: 20", "minutes: many")
    page = client.post("/console/review", data=_form(content_dir, LESSON, text)).text
    review = page.split('id="edit-review"')[1]
    assert _mentions(page, f"{BROKEN}:1") == 1 and _mentions(review, f"{BROKEN}:1") == 1
    assert _mentions(page, f"{LESSON}:3") == 1  # in the preview, as above
    assert "fix the problems shown in the preview, and these in the course:" in review and "1 problem:" in review


def test_a_refused_publish_shows_each_fault_once(client, content_dir, trainer, english):
    text = DEPOSITS_MD.replace("minutes: 20", "minutes: many")
    data = _form(content_dir, LESSON, text) | {"reviewed_plan": "0" * 64}
    page = client.post("/console/publish", data=data)
    assert page.status_code == 422
    assert "Nothing was published: fix the problems first." in page.text
    assert _mentions(page.text, f"{LESSON}:3") == 1
    assert (content_dir / LESSON).read_text(encoding="utf-8") == DEPOSITS_MD
