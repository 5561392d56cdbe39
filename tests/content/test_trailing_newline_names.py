"""Names the trainer console checks with a pattern (a bank name, a file path
of the editor) are whole-string matches: ``$`` also matches before a final
newline, so "deposits\\n" passed as a bank name (and the import page answered
500) and "lessons/03-x.md\\n" as an editor path (a stray file whose name ends
in a newline, which no publish ever reads)."""
from __future__ import annotations

import io
from pathlib import Path

from tests.content.console_samples import content_dir, trainer  # noqa: F401  (fixtures)
from tests.content.test_console_edit import _form

GIFT = (Path(__file__).resolve().parents[2] / "examples" / "rm-banking.gift.txt").read_bytes()


def test_a_bank_name_with_a_newline_is_refused_by_the_form(client, content_dir, trainer):
    before = sorted(p.name for p in (content_dir / "courses/products/questions").iterdir())
    page = client.post("/console/import/", data={"course": "products", "bank": "deposits\n",
                                                 "upload": (io.BytesIO(GIFT), "x.gift.txt")},
                       content_type="multipart/form-data")
    assert page.status_code == 200
    assert 'name="token"' not in page.text  # nothing to confirm
    assert sorted(p.name for p in (content_dir / "courses/products/questions").iterdir()) == before


def test_an_editor_path_with_a_newline_is_not_a_file_of_the_course(client, content_dir, trainer):
    path = "courses/products/lessons/03-cards.md\n"
    text = "---\ntitle: 银行卡业务\nminutes: 10\n---\n## 借记卡\n\n一类户。\n"
    assert client.get("/console/edit", query_string={"path": path}).status_code == 404
    response = client.post("/console/publish", data=_form(content_dir, path, text))
    assert response.status_code == 404
    assert [p.name for p in (content_dir / "courses/products/lessons").iterdir() if "\n" in p.name] == []
