"""The demo curriculum: the shipped ``content/`` folder, published, with its
programmes moved so that today falls in week 3 (two weeks behind a newcomer,
the rest ahead). Demo only: a real publish keeps the dates of the files.

Loading twice changes nothing: the second publish finds every item unchanged
(on the same day) and writes no release."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import click
from flask import current_app

from lms import clock
from lms.content.source.checks import check
from lms.content.source.parser import parse_folder
from lms.content.publishing.publish import publish
from lms.content.schema import ContentBundle

DEMO_WEEK = 3  # today falls in this week of each shipped programme


def move_programmes_to_today(bundle: ContentBundle, today: date, week: int = DEMO_WEEK) -> None:
    """Shift every programme's dates so that ``today`` is in week ``week``; a
    quarterly requirement that starts later than last quarter starts last
    quarter instead (one quarter over, so the demo has a missed one to show)."""
    monday = today - timedelta(days=today.weekday())
    this_quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    quarter = date(this_quarter.year - (this_quarter.month == 1), (this_quarter.month - 4) % 12 + 1, 1)
    for programme in bundle.programmes:
        if programme.recurring:
            programme.items = [replace(item, opens_on=quarter, due_on=this_quarter - timedelta(days=1))
                               if item.opens_on > quarter else item for item in programme.items]
            continue
        weeks = sorted((i for i in programme.items if i.kind == "week"), key=lambda i: i.number)
        if not weeks:
            continue
        delta = (monday - timedelta(days=7 * (week - 1))) - weeks[0].opens_on
        programme.items = [replace(item, opens_on=item.opens_on + delta, due_on=item.due_on + delta)
                           for item in programme.items]


def publish_demo_curriculum(_password: str) -> None:
    root = Path(current_app.config["CONTENT_DIR"])
    bundle = parse_folder(root)
    problems = check(bundle)
    if problems:
        for problem in problems:
            click.echo(f"{problem.source}: {problem.message}", err=True)
        click.echo("The demo curriculum was not published: fix the problems above.", err=True)
        return
    move_programmes_to_today(bundle, clock.today())
    result = publish(bundle, None, "demo", checked=True)
    if result.release_id:
        counts = result.summary()
        click.echo(f"Curriculum published: {counts['course']['added']} new courses, "
                   f"{counts['question']['added']} new questions.")
