"""Exam statistics for trainers (see lms/exams/analysis.py for what each
figure means). Learners never reach these pages."""
from __future__ import annotations

from flask import Blueprint, abort, render_template

from lms.content.models import Exam
from lms.exams import analysis
from lms.extensions import db
from lms.web import roles_required

bp = Blueprint("analysis", __name__, url_prefix="/analysis")

# The score distribution's SVG geometry (viewBox units).
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 38, 34


def score_chart(buckets: list[analysis.Bucket], pass_mark: float) -> dict:
    """Bars of the score distribution, laid out for an inline SVG (no chart
    library, no inline styles: the template sets attributes and classes)."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / len(buckets)
    peak = max((b.count for b in buckets), default=0) or 1
    bars = []
    for i, b in enumerate(buckets):
        h = round(plot_h * b.count / peak, 1)
        bars.append({"x": round(LEFT + i * slot + 3, 1), "y": round(TOP + plot_h - h, 1), "w": round(slot - 6, 1),
                     "h": h, "cx": round(LEFT + (i + 0.5) * slot, 1), "bucket": b})
    pass_x = round(LEFT + plot_w * min(max(pass_mark, 0), 100) / 100, 1)
    return {"width": WIDTH, "height": HEIGHT, "bars": bars, "pass_x": pass_x, "pass_label_y": 14, "top": TOP,
            "base_y": TOP + plot_h, "left": LEFT, "right": WIDTH - RIGHT, "label_y": HEIGHT - 12, "peak": peak}


@bp.get("/")
@roles_required("trainer")
def index():
    """Every exam with its number of finalised attempts and learners."""
    return render_template("analysis/index.html", exams=analysis.exams_overview())


@bp.get("/exams/<int:exam_id>")
@roles_required("trainer")
def exam(exam_id: int):
    """Overview, score distribution, item analysis and integrity of one exam."""
    exam = db.session.get(Exam, exam_id) or abort(404)
    result = analysis.analyse(exam)
    return render_template("analysis/exam.html", result=result, chart=score_chart(result.distribution, exam.pass_mark),
                           min_responses=analysis.MIN_RESPONSES_TO_JUDGE)
