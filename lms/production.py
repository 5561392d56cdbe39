"""What the served app needs from its environment before it takes a request.

gunicorn (``gunicorn.conf.py``, before any worker starts) and ``wsgi.py`` check
the environment with ``problems``: a missing or weak ``SECRET_KEY`` or
``LMS_AUDIT_KEY``, no ``DATABASE_URL``, no usable ``LMS_BASE_URL``. Each
problem names its variable and says how to fix it; the server then does not
start. Nothing falls back to a key made on the spot or a SQLite file under
``instance/`` without anyone having said so: in production that would sign
sessions and the audit chain with a key no other process has, or keep the
bank's records in a file nobody backs up. ``run.sh`` (one machine, a trial)
sets all four itself. Debug servers and tests do not read this module.
"""
from __future__ import annotations

from collections.abc import Mapping

from lms.config import BASE_URL_VARIABLE, ConfigError, parse_base_url

# Values copied from an example instead of made: as good as no key.
_PLACEHOLDERS = {"...", "changeme", "change-me", "change_me", "secret", "dev", "development", "test",
                 "password", "none", "null", "xxx", "todo"}
KEY_MIN_LENGTH = 32
MAKE_KEY = "python3 -c 'import secrets; print(secrets.token_hex(32))'"


def _key_problem(name: str, value: str | None, purpose: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return f"{name} is not set. It {purpose}; set it to a random value of at least {KEY_MIN_LENGTH} " \
               f"characters, the same on every process (make one with: {MAKE_KEY})."
    if value.lower() in _PLACEHOLDERS or len(set(value)) < 8 or len(value) < KEY_MIN_LENGTH:
        return f"{name} is too weak ({len(value)} characters, {len(set(value))} different). It {purpose}; " \
               f"set it to a random value of at least {KEY_MIN_LENGTH} characters (make one with: {MAKE_KEY})."
    return None


def problems(environ: Mapping[str, str]) -> list[str]:
    """Every reason the served app must not start with this environment, each
    naming its variable; an empty list when it may."""
    found = []
    secret = (environ.get("SECRET_KEY") or "").strip()
    audit = (environ.get("LMS_AUDIT_KEY") or "").strip()
    for name, value, purpose in (
            ("SECRET_KEY", secret, "signs sessions and CSRF tokens"),
            ("LMS_AUDIT_KEY", audit, "keys the audit log's hash chain (keep it away from the database "
                                     "and its backups)")):
        problem = _key_problem(name, value, purpose)
        if problem:
            found.append(problem)
    if secret and secret == audit:
        found.append("LMS_AUDIT_KEY is the same as SECRET_KEY. Give the audit chain a key of its own: "
                     "whoever learns one must not be able to rewrite the audit log.")
    if not (environ.get("DATABASE_URL") or "").strip():
        found.append("DATABASE_URL is not set. Set it to the academy's PostgreSQL database, e.g. "
                     "DATABASE_URL=postgresql+psycopg://lms:PASSWORD@db.internal/lms (without it the app would "
                     "keep everything in a SQLite file under instance/).")
    try:
        if parse_base_url(environ.get(BASE_URL_VARIABLE)) is None:
            found.append(f"{BASE_URL_VARIABLE} is not set. Set it to the academy's address as users reach it "
                         f"(e.g. {BASE_URL_VARIABLE}=https://academy.bank.internal): certificates' QR codes and "
                         f"the links in e-mails start with it.")
    except ConfigError as error:
        found.append(str(error))
    return found


def refusal(found: list[str]) -> str:
    """The text printed when the server refuses to start."""
    lines = ["RM Academy cannot start: the environment is not ready for production."]
    lines += [f"  - {problem}" for problem in found]
    lines.append("Set these in the environment file (README, Production: /etc/rm-academy/env), then start again.")
    return "\n".join(lines)
