"""The Flask extensions, created unbound and initialised in create_app()."""
from flask import current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Stable constraint names, so that migrations behave the same on SQLite
    # (batch mode) and PostgreSQL.
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def client_address() -> str:
    """Rate-limit key for a client: its IPv4 address, or its IPv6 address's
    /64 (``limits.client_key``) — a customer line holds a whole /64, and
    counting each address alone gave it 2^64 allowances."""
    from lms.auth.limits import client_key

    return client_key(get_remote_address())


limiter = Limiter(key_func=client_address)


def signed_in_user_or_address() -> str:
    """Rate-limit key for signed-in pages: the user (a whole branch may share
    one address behind the bank's proxy), else the client address."""
    from flask_login import current_user

    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return client_address()


def not_rate_limited(view):
    """No rate limit applies to this view, and Flask-Limiter skips it before
    working out which limits would (about 45 µs of its ~100 µs a request)."""
    view.not_rate_limited = True
    return view


@limiter.request_filter
def _is_not_rate_limited() -> bool:
    return getattr(current_app.view_functions.get(request.endpoint), "not_rate_limited", False)
