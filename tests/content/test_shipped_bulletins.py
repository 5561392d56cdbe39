"""The shipped programme has a product bulletin (晨会产品速递) in every one of
its twelve weeks: a lesson of the products course and a 3–5 question check,
open Wednesday to Friday of that week."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from lms.content.source.checks import check
from lms.content.source.parser import parse_folder

CONTENT = Path(__file__).resolve().parents[2] / "content"


def test_every_week_of_the_foundation_programme_has_a_bulletin(app):
    bundle = parse_folder(CONTENT)
    assert not check(bundle, db_lookup=False)
    programme = next(p for p in bundle.programmes if p.id == "rm-foundation")
    start = min(item.opens_on for item in programme.items if item.kind == "week")
    bulletins = [item for item in programme.items if item.kind == "bulletin"]
    exams = {exam.id: exam for exam in bundle.exams}
    lessons = {f"{lesson.course_id}/{lesson.id}" for lesson in bundle.lessons}
    weeks = {}
    for item in bulletins:
        week = (item.opens_on - start).days // 7 + 1
        weeks.setdefault(week, []).append(item)
        assert item.opens_on.weekday() == 2 and item.due_on == item.opens_on + timedelta(days=2), item.title
        assert item.lessons[0].startswith("products/") and item.lessons[0] in lessons
        draw = exams[item.exam_id].draw
        assert 3 <= sum(rule.get("count", 0) + len(rule.get("questions", [])) for rule in draw) <= 5
    assert sorted(weeks) == list(range(1, 13)), sorted(weeks)
    assert all(len(items) == 1 for items in weeks.values())
    # every bulletin has its own lesson and its own check
    assert len({item.lessons[0] for item in bulletins}) == len({item.exam_id for item in bulletins}) == 12
