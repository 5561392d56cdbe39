"""An unchanged re-publish of the whole folder reads as many statements for
many questions as for a few: nothing is read per question or per chunk of ids,
and no question's version history is read when no question changed."""
from __future__ import annotations

from lms.content.publishing.publish import publish
from lms.content.source import id_owners
from lms.content.source.parser import parse_folder
from tests.statements import counting_statements

EXTRA = "courses/products/questions/extra.md"


def _bank(count: int) -> str:
    return "\n".join(f"## extra-{n:03d}\ntype: truefalse\nanswer: {'true' if n % 2 else 'false'}\n\n"
                     f"第 {n} 题：活期存款按季结息。\n" for n in range(1, count + 1))


def _unchanged_publish_statements(folder, questions: int) -> list[str]:
    (folder / EXTRA).write_text(_bank(questions), encoding="utf-8")
    publish(parse_folder(folder))
    bundle = parse_folder(folder)
    with counting_statements() as statements:
        result = publish(bundle)  # the check included, as the command line and the console publish
    assert not result.has_changes
    return statements


def test_an_unchanged_publish_reads_as_much_for_many_questions_as_for_a_few(folder, monkeypatch):
    monkeypatch.setattr(id_owners, "_CHUNK", 5)  # ids were read 500 at a time: 5 shows it with few questions
    few = _unchanged_publish_statements(folder, 2)
    many = _unchanged_publish_statements(folder, 40)
    assert len(many) == len(few)
    # No question changed: no question's version history is read.
    assert not [s for s in many if "max(question_version.version)" in s.lower()]
