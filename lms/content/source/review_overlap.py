"""Warnings: an exam that keeps its answers hidden (review after passing, or
never) must not share questions with an exam that shows them (after
submitting, after closing): a learner would read the hidden exam's keys in
the other exam's review. ``review_warnings(bundle)`` compares the questions
each exam can draw (the bundle's and the published curriculum's, as
``checks.check`` sees them) and names both exams, the count and the ids.

Warnings do not stop a publish; ``flask content check`` and ``publish``
print them.
"""
from __future__ import annotations

import json

from flask_babel import gettext as _

from lms.content.models import REVIEW_POLICY_LABELS, REVIEW_POLICY_SETTING, Course, Exam
from lms.content.source.checks import _add_published, _bundle_pool, _matches, _Pool
from lms.content.schema import ContentBundle, Problem, Source
from lms.extensions import db
from lms.punctuation import labelled

HIDDEN = ("after_pass", "never")
SHOWN = ("after_submit", "after_close")
SHOWN_IDS = 5


def _policy(policy: str) -> str:
    """The setting as the console and the exam form word it (答案与解析：通过后显示)."""
    return labelled(REVIEW_POLICY_SETTING, REVIEW_POLICY_LABELS.get(policy, policy))


def _draws(draw: list[dict], course: str | None, pool: _Pool) -> set[str]:
    """Every question the draw rules can pick."""
    found: set[str] = set()
    for rule in draw:
        if "questions" in rule:
            found.update(slug for slug in rule["questions"] if slug in pool.questions)
            continue
        rule_course = rule.get("course") or course
        found.update(slug for slug, q in pool.questions.items() if _matches(rule, rule_course, q))
    return found


def _exams(bundle: ContentBundle) -> list[tuple[str, str, Source, bool, list[dict], str | None]]:
    """(id, review policy, source, in the bundle, draw, course) of every live exam."""
    exams = [(e.id, e.review_policy, e.source, True, e.draw, e.course_id) for e in bundle.exams]
    if bundle.scope.all_exams:
        return exams  # published exams missing from the bundle are retired by it
    from sqlalchemy import select

    in_bundle = {e.id for e in bundle.exams}
    for slug, draw_json, course, policy in db.session.execute(
            select(Exam.slug, Exam.draw_json, Course.slug, Exam.review_policy)
            .outerjoin(Course, Course.id == Exam.course_id).where(Exam.retired.is_(False))):
        if slug not in in_bundle:
            exams.append((slug, policy, Source(f"exams/{slug}"), False, json.loads(draw_json), course))
    return exams


def review_warnings(bundle: ContentBundle, db_lookup: bool = True) -> list[Problem]:
    pool = _bundle_pool(bundle)
    if db_lookup:
        _add_published(pool, bundle)
    exams = _exams(bundle) if db_lookup else [(e.id, e.review_policy, e.source, True, e.draw, e.course_id)
                                              for e in bundle.exams]
    hidden = [e for e in exams if e[1] in HIDDEN]
    shown = [e for e in exams if e[1] in SHOWN]
    if not hidden or not shown:
        return []
    draws = {e[0]: _draws(e[4], e[5], pool) for e in hidden + shown}
    warnings = []
    for exam, policy, source, in_bundle, _draw, _course in hidden:
        for other, other_policy, other_source, other_in_bundle, _d, _c in shown:
            shared = sorted(draws[exam] & draws[other])
            if not shared or not (in_bundle or other_in_bundle):
                continue
            ids = ", ".join(shared[:SHOWN_IDS]) + (" …" if len(shared) > SHOWN_IDS else "")
            warnings.append(Problem(source if in_bundle else other_source, _(
                "exam %(exam)s hides its answers (%(policy)s) but %(count)s of its questions can also be "
                "drawn by exam %(other)s, which shows them (%(other_policy)s): %(ids)s",
                exam=exam, policy=_policy(policy), count=len(shared), other=other,
                other_policy=_policy(other_policy), ids=ids)))
    return warnings
