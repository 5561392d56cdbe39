"""Browsers an account has signed in with before ("known devices"), so that an
attacker cannot lock a relationship manager out of their exam.

The growing delays after failed sign-ins (``lms.auth.services``) count per
employee number, whoever sends them: a slow password-spraying run from many
addresses gets nowhere. But counted that way alone, anyone who knows a
工号 (they are printed on name badges) could keep that account shut by one
wrong password every quarter of an hour, from anywhere, for ever.

So a successful sign-in leaves a signed cookie in the browser naming the
accounts that signed in with it (a keyed hash of each 工号, at most
``MAX_ACCOUNTS``; a branch's shared PC knows several), for ``LIFETIME`` after
the last sign-in. A sign-in from a browser the account knows counts its
failures apart, against that browser alone (the same growing delays: its
cookie is no licence to guess), and is not held by failures sent from
elsewhere. The cookie is signed with the app's secret: it cannot be made
up, and it is sent only to the sign-in page (``path``), HttpOnly, SameSite.
A password change forgets the browsers that knew the old password.
A new browser still waits while the account is being attacked; HR's
password reset does not change that (the README says what the RM can do)."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from lms.org import employee_numbers
from lms.org.models import user_by_employee_no
from lms.security import cookies_secure

COOKIE = "lms_known"
PATH = "/login"
LIFETIME = timedelta(days=180)
MAX_ACCOUNTS = 20
_SALT = "lms.auth.known-device"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def _keyed(text: str) -> str:
    return hmac.new(current_app.secret_key.encode(), text.encode(), hashlib.sha256).hexdigest()


def _account(employee_no: str, password_hash: str) -> str:
    """What the cookie holds of an account: never the 工号 itself. Keyed with the
    account's password hash too, so a password change (the RM's own, or HR's
    reset after a suspected break-in) forgets every browser that signed in
    with the old password: one that knew it is a stranger again, held by the
    account's delays and its address's limit like any other."""
    return _keyed("known-account:" + employee_numbers.for_lookup(employee_no).lower() + ":" + password_hash)[:20]


def _password_hash(employee_no: str) -> str | None:
    user = user_by_employee_no(employee_no) if employee_no.strip() else None
    return user.password_hash if user is not None and user.password_hash else None


def _read() -> dict | None:
    raw = request.cookies.get(COOKIE)
    if not raw or len(raw) > 4096:
        return None
    try:
        data = _serializer().loads(raw, max_age=int(LIFETIME.total_seconds()))
    except BadSignature:  # made up, altered, signed with another secret, or too old
        return None
    if not isinstance(data, dict) or not isinstance(data.get("d"), str) or not isinstance(data.get("a"), list):
        return None
    return data


def throttle_key(employee_no: str) -> str | None:
    """The key this browser's failures on ``employee_no`` count under, when
    the account has signed in with this browser before; None otherwise (the
    failures count against the account, wherever they come from)."""
    data = _read()
    if data is None:
        return None
    password_hash = _password_hash(employee_no)
    if password_hash is None or _account(employee_no, password_hash) not in data["a"]:
        return None
    return "dev:" + _keyed(f"known-device:{data['d']}:{employee_numbers.for_lookup(employee_no).lower()}")[:40]


def remember(response, employee_no: str, password_hash: str) -> None:
    """After a successful sign-in (or a password change in this browser): this
    browser knows the account with that password (the most recent
    ``MAX_ACCOUNTS``), for ``LIFETIME`` from now."""
    data = _read() or {"d": secrets.token_hex(16), "a": []}
    account = _account(employee_no, password_hash)
    accounts = [a for a in data["a"] if a != account and isinstance(a, str)] + [account]
    value = _serializer().dumps({"d": data["d"], "a": accounts[-MAX_ACCOUNTS:]})
    response.set_cookie(COOKIE, value, max_age=int(LIFETIME.total_seconds()), path=PATH, httponly=True,
                        secure=cookies_secure(current_app),
                        samesite="Lax")
