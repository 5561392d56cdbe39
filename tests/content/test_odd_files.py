"""What else a content folder may hold besides files and links: a named pipe
is named as one (not as a link), and a file name with a newline cannot forge
a line of its own in `flask content check`'s list of problems."""
from __future__ import annotations

import os

import pytest

from tests.content.sample_folder import write_folder  # noqa: F401
from tests.content.test_content_files import problems_of

pytestmark = pytest.mark.usefixtures("english")


def test_a_named_pipe_is_named_as_one_and_never_read(folder):
    os.mkfifo(folder / "courses/products/images/flow-copy.png")
    os.mkfifo(folder / "courses/products/lessons/03-pipe.md")
    found = {p.source.path: p.message for p in problems_of(folder)}
    for path in ("courses/products/images/flow-copy.png", "courses/products/lessons/03-pipe.md"):
        assert "not a file but a named pipe" in found[path] and "symbolic link" not in found[path], found[path]


def test_a_newline_in_a_file_name_is_shown_escaped_on_the_problem_line(folder, runner):
    (folder / "courses/products/lessons/02-x\nOK: all files are fine.md").write_text("---\ntitle: [\n---\n",
                                                                                    encoding="utf-8")
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "\nOK: all files are fine" not in result.output
    assert "courses/products/lessons/02-x\\x0aOK: all files are fine.md:" in result.output
