from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from lms.auth import devices, limits, services
from lms.auth.forms import ChangePasswordForm, LoginForm
from lms.forms import EmptyForm
from lms.web import safe_next_url

bp = Blueprint("auth", __name__)


def _client_failed_too_often() -> bool:
    """Failed sign-ins per client and hour, whatever 工号 they named (password spraying from one address)."""
    config = current_app.config
    if not config.get("RATELIMIT_ENABLED", True):
        return False
    return limits.used_up("login-failed", limits.client_key(request.remote_addr),
                          limit=config["LOGIN_CLIENT_FAILURES_PER_HOUR"], per_seconds=3600)


def _count_client_failure() -> None:
    config = current_app.config
    if config.get("RATELIMIT_ENABLED", True):
        limits.hit("login-failed", limits.client_key(request.remote_addr),
                   limit=config["LOGIN_CLIENT_FAILURES_PER_HOUR"], per_seconds=3600)


def _client_may_try() -> bool:
    """Sign-in attempts per client (an IPv4 address or an IPv6 /64), counted in the database so that
    the limit holds across every app process."""
    config = current_app.config
    if request.method != "POST" or not config.get("RATELIMIT_ENABLED", True):
        return True
    return limits.hit("login", limits.client_key(request.remote_addr), limit=config["LOGIN_CLIENT_LIMIT_PER_MINUTE"],
                      per_seconds=60)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if not _client_may_try():
        form.form_errors.append(_("Too many sign-in attempts from this address. Try again in a minute."))
        return render_template("auth/login.html", form=form), 429
    if form.validate_on_submit():
        # A browser the account signed in with before is held neither by other browsers' failures on the
        # account nor by its address's failures (a colleague behind the branch's one address).
        known = devices.throttle_key(form.employee_no.data)
        if known is None and _client_failed_too_often():
            form.form_errors.append(_("Too many failed sign-ins from this address in the last hour. "
                                      "Try again later."))
            return render_template("auth/login.html", form=form), 429
        result = services.authenticate(form.employee_no.data, form.password.data, known)
        if result.ok:
            next_url = safe_next_url(request.args.get("next"))
            # A fresh session at sign-in: nothing from before survives (fixation).
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            login_user(result.user)
            session.permanent = True
            if result.user.must_change_password:
                response = redirect(url_for("auth.change_password"))
            else:
                response = redirect(next_url or url_for("main.home"))
            devices.remember(response, form.employee_no.data, result.user.password_hash)
            return response
        if result.retry_after:
            status = 429
            form.form_errors.append(_("Too many failed attempts. Try again in %(s)d seconds.", s=result.retry_after))
        else:
            status = 401
            if known is None:
                _count_client_failure()
            form.form_errors.append(_("Wrong employee number or password."))
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        services.record_sign_out(current_user._get_current_object())
        logout_user()
        session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        checked = services.check_current_password(user, form.current_password.data)
        if not checked.ok:  # the failure counts, and is audited
            if checked.retry_after:
                form.current_password.errors.append(
                    _("Too many failed attempts. Try again in %(s)d seconds.", s=checked.retry_after))
                return _change_password_page(form), 429
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            problems = services.change_password(user, form.new_password.data)
            if problems:
                form.new_password.errors.extend(problems)
            else:
                login_user(user)  # keep this session, now on the new version
                flash(_("Your password was changed. Other sessions were signed out."), "success")
                response = redirect(url_for("main.home"))
                devices.remember(response, user.employee_no, user.password_hash)  # this browser stays known
                return response
    return _change_password_page(form)


def _change_password_page(form):
    user = current_user._get_current_object()
    return render_template("auth/change_password.html", form=form,
                           was_reset=user.must_change_password and services.password_was_reset(user))
