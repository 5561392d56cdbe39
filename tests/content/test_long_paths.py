"""A content file whose path is longer than the database keeps (a question's bank: 200
characters) is a problem the check names, not a server error at publishing."""
from __future__ import annotations

import pytest

from lms.content.publishing.publish import ContentProblems, publish
from lms.content.source.parser import parse_folder
from tests.content.sample_folder import write_folder

BANK = "courses/products/questions/deposits.md"


def test_a_bank_file_with_a_path_too_long_to_keep_is_a_problem_of_the_check(app, tmp_path, make_user):
    folder = write_folder(tmp_path)
    long_name = "courses/products/questions/" + "deposits-" * 20 + ".md"
    assert len(long_name) > 200
    (folder / long_name).write_text((folder / BANK).read_text(encoding="utf-8"), encoding="utf-8")
    (folder / BANK).unlink()
    with pytest.raises(ContentProblems) as refused:
        publish(parse_folder(folder), make_user(roles=("trainer",)), "cli:test")
    assert any("200" in p.message and p.source.path == long_name for p in refused.value.problems)
