"""The shipped 12-week programme's rhythm (综合客户经理制): every week says
whether it is 对公 or 对私, and its product bulletin is from the other side,
so both are practised every week; warning education falls in every quarter
the programme spans."""
from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import yaml

PROGRAMME = Path(__file__).resolve().parents[2] / "content" / "programmes" / "rm-foundation.yaml"
SIDES = {"对公", "对私"}


def _programme():
    return yaml.safe_load(PROGRAMME.read_text(encoding="utf-8"))


def _weeks(data):
    start = data["start"]
    return [(start + timedelta(weeks=n), week) for n, week in enumerate(data["weeks"])]


def test_each_week_names_its_side_and_its_bulletin_is_from_the_other():
    data = _programme()
    bulletins = data["bulletins"]
    for monday, week in _weeks(data):
        sides = set(re.search(r"【([^】]+)】", week["title"]).group(1).split("·"))
        [bulletin] = [b for b in bulletins if monday <= b["opens"] <= monday + timedelta(days=6)]
        bulletin_side = re.search(r"晨会产品速递（(对公|对私)）", bulletin["title"]).group(1)
        if sides <= SIDES and len(sides) == 1:  # a one-sided week practises the other side in its bulletin
            assert bulletin_side not in sides, (week["title"], bulletin["title"])
        else:  # both sides, warning education or the entry exam
            assert sides & (SIDES | {"警示教育", "准入"}), week["title"]
    assert {re.search(r"（(对公|对私)）", b["title"]).group(1) for b in bulletins} == SIDES


def test_warning_education_in_every_quarter_the_programme_spans():
    data = _programme()
    quarters = {}
    for monday, week in _weeks(data):
        quarter = (monday.year, (monday.month - 1) // 3 + 1)
        warned = any(lesson.startswith("warning-education/") for lesson in week["lessons"])
        quarters[quarter] = quarters.get(quarter, False) or warned
    assert quarters and all(quarters.values()), quarters
    assert date(2026, 9, 7) == data["start"]  # Q3 and Q4 of 2026
    assert set(quarters) == {(2026, 3), (2026, 4)}
