from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, session, url_for
from flask_babel import force_locale, gettext as _
from flask_login import current_user, login_required

from lms.forms import EmptyForm
from lms.main import health as health_check
from lms.main.forms import LanguageForm
from lms.main.panels import panels_for
from lms.org import services as org_services
from lms.web import safe_next_url

bp = Blueprint("main", __name__)


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for it on every first visit, whatever the page links."""
    return current_app.send_static_file("favicon.ico")


@bp.get("/health")
def health():
    """For the proxy and monitoring, without signing in: ``ok`` or what is wrong
    (``lms/main/health.py``), as plain text."""
    state, status = health_check.state()
    return Response(state + "\n", status=status, mimetype="text/plain")


@bp.get("/")
@login_required
def home():
    """Each role's home: the panels of the roles the user holds."""

    return render_template("main/home.html", panels=panels_for(current_user))


@bp.get("/me")
@login_required
def profile():
    return render_template("main/profile.html", user=current_user, form=EmptyForm())


@bp.post("/language")
def set_language():
    """Switch the interface language: stored on the user, or in the session
    before sign-in."""
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    lang = form.lang.data
    if current_user.is_authenticated:
        org_services.set_locale(current_user._get_current_object(), lang)
    session["lang"] = lang
    with force_locale(lang):  # said in the language chosen, not the one left
        flash(_("Language changed."), "success")
    return redirect(safe_next_url(form.next.data) or url_for("main.home"))
