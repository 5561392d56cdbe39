"""A trainer's preview of an exam: one sample paper drawn by the exam's own
rules, each question with its key and explanation. Nothing is recorded: no
attempt, nothing counted in results or analysis."""
from __future__ import annotations

import random
from dataclasses import dataclass

from markupsafe import Markup

from lms.content.models import Exam, QuestionVersion
from lms.content.rendering import render_markdown
from lms import questions as question_types
from lms.exams.drawing import draw


@dataclass
class PreviewQuestion:
    position: int
    version: QuestionVersion
    html: Markup


def sample_paper(exam: Exam, seed: int | None = None) -> list[PreviewQuestion]:
    """Draw as a first attempt would (no history), render with the key."""
    rng = random.Random(seed)
    paper = []
    for position, version in enumerate(draw(exam, rng), start=1):
        qtype = question_types.get(version.type)
        html = qtype.render(name=f"preview-{position}", data=version.data, answer=None,
                            order=qtype.option_order(version.data, rng, exam.shuffle_options),
                            stem_html=version.stem_html or render_markdown(version.stem_md), review=True,
                            explanation_html=version.explanation_html, grade=None, points=version.points,
                            course_slug=version.course_slug, answered=False)
        paper.append(PreviewQuestion(position, version, html))
    return paper
