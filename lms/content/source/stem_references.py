"""A question that leans on another question: "上题企业流动资产中存货为 2400
万元…", "上一题（wm-014）中选项…". An exam draws its questions in its own
order and shows no question ids, so the question it leans on may not be the
one before it, or in the paper at all, and the learner has nothing to answer
with. ``check_stem_references(bundle, problems)`` names each such question
with what to write instead. The parts of a case are exempt from the words
(上题 there is the part before, shown with it); ids count everywhere.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _

from lms.content.schema import ContentBundle, Problem

# 上题 / 上一题 / 前一题 / 下题 / 下一题 / 后一题 (上一道题…).
OTHER_QUESTION = re.compile(r"(?<![以如])[上下前后]一?道?题")
ID_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[a-z0-9][a-z0-9-]*[a-z0-9](?![A-Za-z0-9_-])")


def _texts(question) -> list[str]:
    """The stem and option texts a learner reads with the question on its own."""
    options = question.data.get("options") or []
    return [question.stem_md] + [o.get("text", "") for o in options]


def check_stem_references(bundle: ContentBundle, problems: list[Problem]) -> None:
    ids = {q.id for q in bundle.questions if "-" in q.id and len(q.id) >= 4}
    for question in bundle.questions:
        texts = _texts(question)
        named = next((token for text in texts for token in ID_TOKEN.findall(text)
                      if token in ids and token != question.id), None)
        word = None if named else next((m.group(0) for text in texts if (m := OTHER_QUESTION.search(text))), None)
        if named or word:
            problems.append(Problem(question.source, _(
                "question %(id)s refers to another question (“%(what)s”): an exam draws questions in its own "
                "order and never shows their ids, so that question may not be the one before it, or in the "
                "paper at all; write what the learner needs (the figures, the option's text) into this question",
                id=question.id, what=named or word)))
