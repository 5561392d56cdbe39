"""Warnings about content: what a check reports that does not stop a publish
(a photo straight from a phone, an exam that shows the answers of questions
another exam still asks). The command line prints them and the console shows
them, apart from the problems, with the same words."""
from __future__ import annotations

from lms.content.schema import ContentBundle, Problem
from lms.content.source.folder import large_image_warnings
from lms.content.source.review_overlap import review_warnings


def content_warnings(bundle: ContentBundle, db_lookup: bool = True) -> list[Problem]:
    """Every warning of a bundle, each naming its file (and line)."""
    return bundle.notes + review_warnings(bundle, db_lookup) + large_image_warnings(bundle)
