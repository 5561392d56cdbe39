"""The bell, the list of one's notifications, marking them read; and the
administrator's page of channels and deliveries."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from lms.extensions import db, not_rate_limited
from lms.notify import channels, services, settings
from lms.notify.forms import ChannelForm, ReadAllForm, ReadForm
from lms.notify.kinds import KINDS, link_of, text_of
from lms.notify.readers import AlertReader
from lms.numbers import counted
from lms.notify.models import Delivery, DeliveryState
from lms.security import background_request
from lms.web import is_htmx, render_fragment, roles_required

bp = Blueprint("notify", __name__, url_prefix="/notifications")
admin_bp = Blueprint("notify_admin", __name__, url_prefix="/system/notifications")

DELIVERIES_PER_PAGE = 50


def _user():
    return current_user._get_current_object()


@bp.get("/bell")
@login_required
@not_rate_limited
@background_request
def bell():
    """The bell's unread count: the page asks every minute. Reads only, and
    does not count as activity (the idle sign-out still applies)."""
    html = render_fragment("notify/_bell.html", unread=services.unread_count(_user()))
    return html, 200, {"Cache-Control": "no-store"}


@bp.get("/")
@login_required
def index():
    user = _user()
    page = services.page_of(user, request.args.get("page", 1, type=int))
    reader = AlertReader(user)
    rows = [(n, reader.text(n), link_of(n, user)) for n in page.items]
    return render_template("notify/index.html", page=page, rows=rows, kinds=KINDS,
                           read_form=ReadForm(), read_all_form=ReadAllForm(through=str(services.newest_id(user))))


@bp.post("/<int:notification_id>/read")
@login_required
def read(notification_id: int):
    user = _user()
    notification = services.own_notification(user, notification_id)
    if notification is None:
        abort(404)
    form = ReadForm()
    if not form.validate_on_submit():
        abort(400)
    services.mark_read(user, notification.id)
    target = link_of(notification, user) if form.open.data else None
    if target:
        return redirect(target)
    if is_htmx():
        db.session.refresh(notification)
        html = render_template("notify/_row.html", n=notification, text=AlertReader(user).text(notification),
                               link=link_of(notification, user), kinds=KINDS, read_form=ReadForm())
        bell_html = render_fragment("notify/_bell.html", unread=services.unread_count(user), oob=True)
        return html + bell_html
    return redirect(url_for("notify.index", page=request.args.get("page", 1, type=int)))


@bp.post("/read-all")
@login_required
def read_all():
    form = ReadAllForm()
    if not form.validate_on_submit():
        abort(400)
    user = _user()
    count = services.mark_all_read(user, form.through_id())
    flash(counted("%(num)s notification marked read.", "%(num)s notifications marked read.", count) if count
          else _("Nothing was unread."), "success")
    arrived = services.unread_count(user)
    if arrived:
        # Made after the page was drawn (or by another tab since): not seen, so not marked.
        flash(counted("%(num)s notification arrived after the page was shown and stays unread.",
                      "%(num)s notifications arrived after the page was shown and stay unread.", arrived), "warning")
    return redirect(url_for("notify.index"))


# --- the administrator's page --------------------------------------------------

def _channel_forms() -> dict[str, ChannelForm]:
    current = settings.all_settings()
    return {name: ChannelForm(prefix=name, data={"enabled": s.enabled, "kinds": s.kinds})
            for name, s in current.items()}


def _delivery_counts() -> dict[str, int]:
    rows = db.session.execute(select(Delivery.state, func.count()).group_by(Delivery.state)).all()
    return {state: n for state, n in rows}


@admin_bp.get("/")
@roles_required("admin")
def channels_page(forms: dict | None = None, status: int = 200):
    forms = forms or _channel_forms()
    config = current_app.config
    return render_template("notify/channels.html", forms=forms, labels=channels.CHANNEL_LABELS,
                           configured=channels.configured(config), masked=channels.masked_settings(config),
                           counts=_delivery_counts(), failures=_deliveries("failed", 1, 10)[0],
                           kinds=KINDS), status


@admin_bp.post("/<channel>")
@roles_required("admin")
def save_channel(channel: str):
    if channel not in settings.CHANNELS:
        abort(404)
    form = ChannelForm(prefix=channel)
    if not form.validate_on_submit():
        forms = _channel_forms()
        forms[channel] = form
        return channels_page(forms=forms, status=400)
    problem = form.enabled.data and channels.webhook_problem(channel, current_app.config)
    if problem:  # switched on, it would only fill the delivery log with refusals: nothing is saved
        form.enabled.errors = [problem]
        forms = _channel_forms()
        forms[channel] = form
        return channels_page(forms=forms, status=400)
    changed = settings.save_channel(channel, form.enabled.data, form.kinds.data, actor=_user())
    flash(_("Settings saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for("notify_admin.channels_page"))


def _deliveries(state: str, page: int, per_page: int = DELIVERIES_PER_PAGE):
    stmt = select(Delivery).order_by(Delivery.created_at.desc(), Delivery.id.desc())
    if state in set(DeliveryState):
        stmt = stmt.where(Delivery.state == state)
    rows = list(db.session.scalars(stmt.limit(per_page + 1).offset((page - 1) * per_page)))
    return rows[:per_page], len(rows) > per_page


@admin_bp.get("/deliveries")
@roles_required("admin")
def deliveries():
    state = request.args.get("state", "")
    state = state if state in set(DeliveryState) else ""
    page = max(1, request.args.get("page", 1, type=int))
    rows, more = _deliveries(state, page)
    return render_template("notify/deliveries.html", rows=rows, more=more, page=page, state=state,
                           labels=channels.CHANNEL_LABELS, kinds=KINDS, text_of=text_of)
