"""Fixtures of the content tests: a sample content folder the app reads, and
English messages (problems are translated, Chinese by default; these tests
read the English)."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from tests.content.sample_folder import write_folder


@pytest.fixture
def english(app):
    with force_locale("en"):
        yield


@pytest.fixture
def folder(app, tmp_path):
    """The sample folder, as the app's content folder (LMS_CONTENT_DIR)."""
    root = write_folder(tmp_path / "content")
    app.config["CONTENT_DIR"] = str(root)
    return root
