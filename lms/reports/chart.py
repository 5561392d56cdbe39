"""The weekly completion of each branch as lines, laid out for an inline SVG
(no chart library, no inline styles: the template sets attributes and
classes; the page carries the same figures as a table for screen readers)."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from lms import punctuation
from lms.reports.quarters import Quarter
from lms.scores import score

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 44, 150, 16, 34
SERIES_CLASSES = 8  # .series-0 … .series-7 in app.css; more branches reuse them with dashes


@dataclass
class Line:
    label: str
    css: str
    points: str  # "x,y x,y …" for <polyline>
    dots: list[dict]
    legend_y: float


def percent(value) -> str:
    """A share as the page writes it (the template's ``pct``): 66.7%, or — for none."""
    return "—" if value is None else f"{score(value * 100)}%"


def completion_chart(totals) -> dict:
    """``totals``: ``roster.Totals``. One line per branch: completion (passed
    ÷ learners) in each week opened so far, 0–100%. The words of each dot and
    of the table beside the chart are made here once: 60 branches × 52 weeks
    through a template macro each took a second of the rankings page."""
    weeks = totals.weeks
    quarterly = any(isinstance(w, Quarter) for w in weeks)  # a quarterly requirement: a dot per quarter
    week_words = {w.id: w.title if quarterly else _("Week %(n)d", n=w.number) for w in weeks}
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(weeks) - 1, 1)
    xs = [round(LEFT + (i * step if len(weeks) > 1 else plot_w / 2), 1) for i in range(len(weeks))]
    lines = []
    for n, branch in enumerate(totals.branches):
        dots = []
        for x, week in zip(xs, weeks):
            total = totals.table.get((branch.id, week.id))
            if total is None or total.completion is None:
                continue
            y = round(TOP + plot_h * (1 - total.completion), 1)
            dots.append({"x": x, "y": y, "week": week, "value": total.completion,
                         "title": punctuation.labelled(f"{branch.name} · {week_words[week.id]}",
                                                  percent(total.completion))})
        css = f"series-{n % SERIES_CLASSES}" + (" dashed" if n >= SERIES_CLASSES else "")
        lines.append(Line(label=branch.name, css=css, points=" ".join(f"{d['x']},{d['y']}" for d in dots),
                          dots=dots, legend_y=TOP + 10 + n * 18))
    grid = [{"y": round(TOP + plot_h * (1 - p / 100), 1), "label": f"{p}%"} for p in (0, 25, 50, 75, 100)]
    ticks = [{"x": x, "label": w.title if quarterly else _("W%(n)s", n=w.number)} for x, w in zip(xs, weeks)]
    table = [(branch, [percent(t.completion) if (t := totals.table.get((branch.id, w.id))) else "—"
                       for w in weeks]) for branch in totals.branches]
    return {"table": table, "columns": [week_words[w.id] for w in weeks],
            "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "base_y": TOP + plot_h,
            "label_y": HEIGHT - 14, "legend_x": WIDTH - RIGHT + 14, "lines": lines, "grid": grid, "ticks": ticks}
