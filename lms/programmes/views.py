from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from lms import clock
from lms.programmes import services
from lms.programmes.progress import progress

bp = Blueprint("programmes", __name__, url_prefix="/programmes")


@bp.get("/")
@login_required
def mine():
    """Every programme the learner is in."""
    user = current_user._get_current_object()
    return render_template("programmes/list.html", overview=services.this_week(user), today=clock.today())


@bp.get("/<int:programme_id>")
@login_required
def programme(programme_id: int):
    """All weeks of one programme with the learner's status in each."""
    user = current_user._get_current_object()
    found = services.get_programme_for(user, programme_id)
    if found is None:
        abort(404)
    weeks = services.programme_weeks(user, found)
    return render_template("programmes/programme.html", programme=found, weeks=weeks,
                           progress=progress(weeks), today=clock.today())
