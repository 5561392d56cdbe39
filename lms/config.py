"""Settings, read from environment variables.

With nothing set the app runs on SQLite under ``instance/`` so that a newcomer
can start it at once; production sets ``SECRET_KEY`` and ``DATABASE_URL``.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("LMS_INSTANCE_DIR", BASE_DIR / "instance"))


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """SECRET_KEY from the environment; otherwise one kept in instance/ so that
    sessions survive a restart of a development server."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Accept the plain scheme that hosting tools hand out; we use psycopg 3.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://"):]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{INSTANCE_DIR / 'lms.sqlite3'}"


def from_env() -> dict:
    return {
        "SECRET_KEY": _secret_key(),
        "SQLALCHEMY_DATABASE_URI": _database_url(),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Sessions: signed cookies, so any app process can serve any user.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("LMS_SESSION_HOURS", "12")) * 3600,
        # The lifetime counts from sign-in (an absolute limit), so the cookie is
        # not re-signed and re-sent on every response.
        "SESSION_REFRESH_EACH_REQUEST": False,
        # ... and a signed-in session also ends after this long without a request.
        "SESSION_IDLE_MINUTES": int(os.environ.get("LMS_SESSION_IDLE_MINUTES", "30")),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("LMS_TIMEZONE", "Asia/Shanghai"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        # Sign-in attempts per client address and minute, counted in the database (all processes).
        "LOGIN_CLIENT_LIMIT_PER_MINUTE": int(os.environ.get("LMS_LOGIN_CLIENT_LIMIT", "20")),
        "PROXY_FIX": int(os.environ.get("LMS_PROXY_HOPS", "0")),
        # Strict-Transport-Security on answers over HTTPS (0: not sent, e.g. while trying TLS out).
        "HSTS_SECONDS": int(os.environ.get("LMS_HSTS_SECONDS", "31536000")),
        "CONTENT_DIR": os.environ.get("LMS_CONTENT_DIR", str(BASE_DIR / "content")),
        "EXAM_GRACE_SECONDS": int(os.environ.get("LMS_EXAM_GRACE_SECONDS", "30")),
        # The audit chain's HMAC key (None: instance/audit_key, made on first use) and
        # the file outside the database that keeps its head (None: instance/audit_head.json).
        "AUDIT_KEY": os.environ.get("LMS_AUDIT_KEY") or None,
        "AUDIT_HEAD_FILE": os.environ.get("LMS_AUDIT_HEAD_FILE") or None,
        "PASSWORD_MIN_LENGTH": int(os.environ.get("LMS_PASSWORD_MIN_LENGTH", "10")),
        "MAX_CONTENT_LENGTH": int(os.environ.get("LMS_MAX_UPLOAD_MB", "20")) * 1024 * 1024,
    }
