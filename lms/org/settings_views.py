"""The administrator's system settings page."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.org import settings
from lms.org.forms import SettingsForm
from lms.web import roles_required

bp = Blueprint("system", __name__, url_prefix="/system")


@bp.route("/settings", methods=["GET", "POST"])
@roles_required("admin")
def settings_page():
    form = SettingsForm(data={"hr_may_grant_trainer": settings.flag(settings.HR_MAY_GRANT_TRAINER)})
    if form.validate_on_submit():
        changed = settings.set_flag(settings.HR_MAY_GRANT_TRAINER, form.hr_may_grant_trainer.data,
                                    actor=current_user._get_current_object())
        flash(_("Settings saved.") if changed else _("Nothing changed."), "success")
        return redirect(url_for("system.settings_page"))
    history = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "settings.changed")
                                 .order_by(AuditEvent.seq.desc()).limit(20)).all()
    return render_template("org/settings.html", form=form, history=history)
