"""RM Academy (客户经理学院): training, examination and certification of a bank's
relationship managers."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel import Locale
from flask import Flask, has_request_context, request, session
from flask_login import current_user

from lms import config as settings
from lms.extensions import babel, csrf, db, limiter, login_manager, migrate
from lms.form_limits import Request

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent

# Each domain keeps its own message catalogue under lms/<domain>/translations.
def translation_directories() -> list[str]:
    return sorted(str(p) for p in PACKAGE_DIR.glob("*/translations") if p.is_dir())


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
        instance_path=str(settings.INSTANCE_DIR),
    )
    from lms.ids import IdConverter

    app.request_class = Request  # the few large forms (lms/form_limits.py)

    app.url_map.converters["int"] = IdConverter  # before any route: ids beyond an INTEGER column are 404
    app.config.update(settings.from_env())
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories())
    if config:
        app.config.update(config)
    settings.check_base_url(app)  # before anything else: a malformed address stops the app
    settings.check_secret_key(app)  # production without SECRET_KEY stops; development keeps one in instance/
    settings.tighten_folder(Path(app.instance_path))  # keys, SQLite, staged uploads: the app's account alone
    from lms import clock

    clock.set_zone(app.config.get("BABEL_DEFAULT_TIMEZONE"))  # the bank's days (clock.today)

    _init_extensions(app)
    _init_domains(app)

    from lms import control_characters, file_limits, errors, security, static_files, templating

    control_characters.init_app(app)  # first of the app's request hooks
    security.init_app(app)
    file_limits.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    static_files.init_app(app)

    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


def _init_extensions(app: Flask) -> None:
    from lms.database import configure_engine, engine_options

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(url, app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)

    with app.app_context():
        configure_engine(db.engine)

    # Import every model so that metadata (and migrations) see all tables.
    from lms import models  # noqa: F401

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"

    from sqlalchemy import bindparam, select
    from sqlalchemy.orm import lazyload, with_expression

    from lms.org.models import ROLE_NAMES, User

    # One query per request, built once: the role names come in the same row
    # (every view checks them; ``User.roles``), without loading the role rows
    # as objects; the rows and the positions load only where something reads them.
    signed_in_user = (select(User).options(with_expression(User.role_names, ROLE_NAMES), lazyload(User.role_rows),
                                           lazyload(User.positions))
                      .where(User.id == bindparam("user_id")))

    @login_manager.user_loader
    def _load_user(session_id: str):
        try:
            user_id, version = (int(part) for part in session_id.split(":", 1))
        except ValueError:
            return None
        user = db.session.execute(signed_in_user, {"user_id": user_id}).scalar_one_or_none()
        if user is None or user.session_version != version or not user.active:
            return None
        return user

    @login_manager.unauthorized_handler
    def _unauthorized():
        from lms.web import send_to_sign_in

        return send_to_sign_in()


def _select_locale() -> Locale:
    return _parsed_locale(_locale_code())


@lru_cache(maxsize=16)
def _parsed_locale(code: str) -> Locale:
    # Parsed once per code, not on every request (Flask-Babel would parse the string each time).
    return Locale.parse(code)


def _locale_code() -> str:
    if not has_request_context():  # CLI and background work speak the default language
        return "zh_CN"
    if current_user and current_user.is_authenticated:
        return current_user.locale
    return session.get("lang") or "zh_CN"


def _init_domains(app: Flask) -> None:
    """Each domain registers its own blueprints, commands, panels, demo hooks,
    template filters and context in ``lms.<domain>.setup.init_app``; nothing
    registers itself on import. The order is fixed: it decides the order of
    the blueprints (and so of their hooks and context processors), of the
    commands and of home-page panels of equal rank."""
    from lms.audit import setup as audit
    from lms.auth import setup as auth
    from lms.certificates import setup as certificates
    from lms.content import setup as content
    from lms.eligibility import setup as eligibility
    from lms.exams import setup as exams
    from lms.i18n import i18n_cli
    from lms.main import setup as main
    from lms.mentoring import setup as mentoring
    from lms.notify import setup as notify
    from lms.org import setup as org
    from lms.programmes import setup as programmes
    from lms.reports import setup as reports
    from lms.schedule import setup as schedule

    for domain in (main, auth, org, audit, content, exams, programmes, schedule, reports, notify, mentoring,
                   certificates, eligibility):
        domain.init_app(app)
    app.cli.add_command(i18n_cli)
