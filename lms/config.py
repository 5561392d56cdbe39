"""Settings, read from environment variables.

With nothing set the app runs on SQLite under ``instance/`` so that a newcomer
can start it at once; production sets ``SECRET_KEY``, ``DATABASE_URL``, ``LMS_BASE_URL`` and
``LMS_AUDIT_KEY`` (without which the served app refuses to start: ``lms.production``).
"""
from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("LMS_INSTANCE_DIR", BASE_DIR / "instance"))


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def tighten_folder(folder: Path) -> None:
    """An existing instance/ folder that other accounts may read or enter
    (made by hand, by an older version, by ``mkdir -p``: 0755) is made the
    app's alone (0700); when it cannot be (another account owns it), a warning
    names it and says what to do. A missing folder is left missing."""
    try:
        mode = stat.S_IMODE(folder.stat().st_mode)
    except FileNotFoundError:
        return
    if not mode & 0o077:
        return
    try:
        os.chmod(folder, 0o700)
    except OSError as exc:
        logging.getLogger(__name__).warning(
            "%s can be read by other accounts (mode %o) and this account cannot change that (%s): it holds "
            "the keys, the SQLite database and staged uploads of people's data. As its owner, run: chmod 700 %s",
            folder, mode, exc.strerror or exc, folder)


def private_folder(folder: Path) -> Path:
    """``folder`` made (0700) or tightened (``tighten_folder``) for the app's account alone."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    tighten_folder(folder)
    return folder


def _instance_dir() -> Path:
    """instance/, made for the app's account alone (0700): it holds the SQLite
    database, the keys and staged uploads of people's data, which SQLite and
    the stagings would otherwise leave readable to every account (umask 022)."""
    return private_folder(INSTANCE_DIR)


def _secret_key() -> str | None:
    """SECRET_KEY from the environment; None when it is unset (``check_secret_key`` decides)."""
    return os.environ.get("SECRET_KEY") or None


def instance_secret_key() -> str:
    """The development key kept in instance/secret_key, so that sessions
    survive a restart of a development server; made on first use."""
    path = _instance_dir() / "secret_key"
    try:  # 0600 from the first byte; a second process starting at once reads the first one's key
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return path.read_text().strip()


def check_secret_key(app) -> None:
    """At start-up (``create_app``): where the environment names the database
    (``SECRET_KEY_REQUIRED``: production's environment file, every ``flask``
    command run with it) the key that signs sessions and CSRF tokens must come
    from ``SECRET_KEY``; without it the app does not start, saying so. A key made
    on the spot under instance/ would be this process's alone: the other
    processes would refuse its sessions. Without ``DATABASE_URL``, in debug and
    in tests, the key in instance/secret_key is used (made once)."""
    if app.config.get("SECRET_KEY"):
        return
    if app.config.get("SECRET_KEY_REQUIRED") and not (app.debug or app.testing):
        raise ConfigError(
            "SECRET_KEY is not set. It signs sessions and CSRF tokens and must be the same on every process "
            "(the server and every flask command): set it in the environment file beside DATABASE_URL (README, "
            "Production). A key is made under instance/ only for a development database (no DATABASE_URL) or "
            "with FLASK_DEBUG=1.")
    app.config["SECRET_KEY"] = instance_secret_key()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Accept the plain scheme that hosting tools hand out; we use psycopg 3.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://"):]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    return f"sqlite:///{_instance_dir() / 'lms.sqlite3'}"


BASE_URL_VARIABLE = "LMS_BASE_URL"


class ConfigError(RuntimeError):
    """A setting is missing or malformed: the app does not start."""


def parse_base_url(value: str | None) -> str | None:
    """The academy's address as configured (``LMS_BASE_URL``), without the
    trailing slash; None when unset. Refuses anything but an http(s) address
    with a host and no query, fragment or credentials."""
    value = (value or "").strip()
    if not value:
        return None
    problem = None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        parts, problem = None, "it is not a valid address"
    if parts is not None:
        if parts.scheme not in ("http", "https"):
            problem = "it must start with http:// or https://"
        elif not parts.hostname:
            problem = "it names no host"
        elif parts.username is not None or parts.password is not None:
            problem = "it must not hold a user name or password"
        elif "?" in value or "#" in value:
            problem = "it must not have a query (?…) or fragment (#…)"
        elif any(ch.isspace() or ord(ch) < 32 for ch in value):
            problem = "it must not contain spaces or control characters"
    if problem:
        raise ConfigError(f"{BASE_URL_VARIABLE}={value!r} cannot be used: {problem}. Set it to the academy's "
                          f"address as users reach it, e.g. https://academy.bank.internal")
    return value.rstrip("/")


def check_base_url(app) -> None:
    """Validate ``BASE_URL`` as the app is created (a malformed one stops it)."""
    app.config["BASE_URL"] = parse_base_url(app.config.get("BASE_URL"))


def require_base_url(app) -> str | None:
    """``BASE_URL``, refusing to go on without it in production.

    Every absolute address the app hands out (the QR code and link on a
    certificate, links in e-mails and robot posts) starts with it; none is
    ever built from a request's ``Host`` header, which the client chooses.
    The served app checks it as it starts (``wsgi.py``); a command that builds
    an address checks it there. Debug and test apps may run without it (they
    use ``SERVER_NAME``, or 127.0.0.1:5000); commands that build no address
    (``flask content check``, ``flask i18n compile``…) never need it."""
    if app.config.get("BASE_URL") is None and not (app.debug or app.testing):
        raise ConfigError(f"{BASE_URL_VARIABLE} is not set. Set it to the academy's address as users reach it "
                          f"(e.g. {BASE_URL_VARIABLE}=https://academy.bank.internal): certificates' QR codes and "
                          f"the links in e-mails start with it. run.sh sets http://127.0.0.1:<port>; for "
                          f"development, FLASK_DEBUG=1 works without it.")
    return app.config.get("BASE_URL")


def from_env() -> dict:
    return {
        "SECRET_KEY": _secret_key(),
        # The environment names the database, as production's environment file does: the key must come
        # from the environment too (check_secret_key), as the audit key must (AUDIT_KEY_REQUIRED).
        "SECRET_KEY_REQUIRED": bool(os.environ.get("DATABASE_URL")),
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
        # Flask-Limiter's limits (@limiter.limit) count in a window that moves with the clock:
        # a fixed minute let a burst across its boundary through twice.
        "RATELIMIT_STRATEGY": "moving-window",
        # Sign-in attempts per client address and minute, counted in the database (all processes).
        "LOGIN_CLIENT_LIMIT_PER_MINUTE": int(os.environ.get("LMS_LOGIN_CLIENT_LIMIT", "20")),
        # Failed sign-ins per client address and hour (any 工号): one address trying one password on
        # every 工号 of the bank (spraying) gets 100 an hour, not 20 a minute; sign-ins that succeed do not count.
        "LOGIN_CLIENT_FAILURES_PER_HOUR": int(os.environ.get("LMS_LOGIN_CLIENT_FAILURES", "100")),
        "PROXY_FIX": int(os.environ.get("LMS_PROXY_HOPS", "0")),
        # Strict-Transport-Security on answers over HTTPS (0: not sent, e.g. while trying TLS out).
        "HSTS_SECONDS": int(os.environ.get("LMS_HSTS_SECONDS", "31536000")),
        "CONTENT_DIR": os.environ.get("LMS_CONTENT_DIR", str(BASE_DIR / "content")),
        "EXAM_GRACE_SECONDS": int(os.environ.get("LMS_EXAM_GRACE_SECONDS", "30")),
        # The audit chain's HMAC key (None: instance/audit_key, made on first use, in development only:
        # lms.audit.anchor.check_key) and the file outside the database that keeps its head
        # (None: instance/audit_head.json).
        "AUDIT_KEY": os.environ.get("LMS_AUDIT_KEY") or None,
        # The environment names the database, as production's environment file does: its audit key must
        # come from the environment too, for every process (a key made on the spot would be this one's).
        "AUDIT_KEY_REQUIRED": bool(os.environ.get("DATABASE_URL")),
        "AUDIT_HEAD_FILE": os.environ.get("LMS_AUDIT_HEAD_FILE") or None,
        "PASSWORD_MIN_LENGTH": int(os.environ.get("LMS_PASSWORD_MIN_LENGTH", "10")),
        "MAX_CONTENT_LENGTH": int(os.environ.get("LMS_MAX_UPLOAD_MB", "20")) * 1024 * 1024,
        # The academy's address: the start of every absolute link (checked by check_base_url).
        "BASE_URL": os.environ.get(BASE_URL_VARIABLE) or None,
    }
