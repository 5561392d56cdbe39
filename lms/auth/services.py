"""Signing in: credentials, throttling with growing delays, password changes.

Each service owns its transaction (see lms/database.py): the slow password
check (Argon2) runs before the transaction that records the outcome takes
SQLite's write lock."""
from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from lms import clock
from lms.audit import services as audit
from lms.audit.models import AuditEvent
from lms.auth.models import LoginThrottle
from lms.auth.passwords import DUMMY_HASH, check_password, hash_password, needs_rehash, policy_problems
from lms.database import transaction
from lms.extensions import db
from lms.org import employee_numbers
from lms.org.models import User, user_by_employee_no

# Failures allowed before delays start; after that each failure doubles the wait.
FREE_FAILURES = 3
MAX_DELAY = timedelta(minutes=15)
# Failures are forgotten after a quiet day.
FORGET_AFTER = timedelta(hours=24)


@dataclass
class LoginResult:
    user: User | None = None
    retry_after: int = 0  # seconds; > 0 means throttled

    @property
    def ok(self) -> bool:
        return self.user is not None


def _throttle_key(employee_no: str) -> str:
    # As the lookup reads it (full-width Ｅ１００１ and E 1001 are E1001): spellings of one 工号 share one count.
    return "acct:" + employee_numbers.for_lookup(employee_no).lower()[:58]


def delay_after(failures: int) -> timedelta:
    """2 s after the first failure past the free ones, then 4, 8, ... up to 15 min."""
    if failures <= FREE_FAILURES:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(failures - FREE_FAILURES, 20)), MAX_DELAY)


def _locked_for(throttle: LoginThrottle | None, now) -> int:
    """Seconds this employee number must still wait (0: none)."""
    if throttle and throttle.last_failure_at and now - throttle.last_failure_at > FORGET_AFTER:
        return 0
    if throttle and throttle.locked_until and throttle.locked_until > now:
        return math.ceil((throttle.locked_until - now).total_seconds())
    return 0


def _current_throttle(key: str, now) -> LoginThrottle | None:
    """The failures recorded against ``key``, read again under the write lock
    (another request may have failed on this number meanwhile)."""
    throttle = db.session.get(LoginThrottle, key, populate_existing=True)
    if throttle and throttle.last_failure_at and now - throttle.last_failure_at > FORGET_AFTER:
        throttle.failures, throttle.locked_until = 0, None
    return throttle


def _count_failure(key: str, throttle: LoginThrottle | None, now) -> LoginThrottle:
    if throttle is None:
        throttle = LoginThrottle(key=key, failures=0)
        db.session.add(throttle)
    throttle.failures += 1
    throttle.last_failure_at = now
    wait = delay_after(throttle.failures)
    throttle.locked_until = now + wait if wait else None
    return throttle


def typed_label(typed: str) -> str:
    """What the audit log says about an employee number that names no account:
    never the string itself (people type their password into the wrong field),
    only a keyed hash of it, so that repeated tries of one string can be told apart."""
    digest = hmac.new(current_app.secret_key.encode(), b"login-typed:" + typed.encode(), hashlib.sha256)
    return "unknown:" + digest.hexdigest()[:16]


def authenticate(employee_no: str, password: str, known_device_key: str | None = None) -> LoginResult:
    """Check credentials. The answer does not tell an unknown employee number
    from a wrong password, nor in its time: every kind of account (unknown,
    deactivated, without a password, existing) costs exactly one Argon2
    verification. Repeated failures on one number are delayed, longer each
    time; from a browser the account signed in with before
    (``known_device_key``, ``lms.auth.devices``) they count for that browser
    alone, so failures sent from elsewhere do not hold it."""
    now = clock.now()
    key = known_device_key or _throttle_key(employee_no)
    retry_after = _locked_for(db.session.get(LoginThrottle, key), now)
    if retry_after:
        return LoginResult(retry_after=retry_after)
    user = user_by_employee_no(employee_no) if employee_no.strip() else None
    valid = check_password((user.password_hash if user else "") or DUMMY_HASH, password) and user is not None
    return _record_sign_in(key, employee_no, password, user, valid, now)


@transaction(immediate=True)
def _record_sign_in(key: str, employee_no: str, password: str, user: User | None, valid: bool, now) -> LoginResult:
    throttle = _current_throttle(key, now)
    retry_after = _locked_for(throttle, now)
    if retry_after:  # another request failed on this number meanwhile
        return LoginResult(retry_after=retry_after)
    if valid and user.active:
        if throttle:
            db.session.delete(throttle)
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_login_at = now
        audit.record("auth.login", user, actor=user)
        return LoginResult(user=user)

    throttle = _count_failure(key, throttle, now)
    audit.record("auth.login_failed", object_type="user", object_id=user.id if user else "",
                 actor=None, actor_label="anonymous",
                 employee_no=user.employee_no if user else typed_label(employee_no.strip()),
                 failures=throttle.failures, inactive=bool(user and valid and not user.active))
    return LoginResult()


def check_current_password(user: User, password: str) -> LoginResult:
    """The current password, asked before a change: a wrong one counts as a
    failed sign-in of the account (the same growing delays) and is audited."""
    now = clock.now()
    key = _throttle_key(user.employee_no)
    retry_after = _locked_for(db.session.get(LoginThrottle, key), now)
    if retry_after:
        return LoginResult(retry_after=retry_after)
    if check_password(user.password_hash or DUMMY_HASH, password) and user.password_hash:
        return LoginResult(user=user)
    return _record_wrong_current_password(key, user, now)


@transaction(immediate=True)
def _record_wrong_current_password(key: str, user: User, now) -> LoginResult:
    throttle = _count_failure(key, _current_throttle(key, now), now)
    audit.record("auth.password_change_failed", user, actor=user, failures=throttle.failures)
    return LoginResult()


def password_was_reset(user: User) -> bool:
    """Whether the temporary password the user must change came from a reset
    (HR's "reset password") rather than from HR creating the account: a new
    employee is not told their password "was reset"."""
    return db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.action == "user.password_reset", AuditEvent.object_type == "user",
        AuditEvent.object_id == str(user.id)).limit(1)) is not None


@transaction(immediate=True)
def change_password(user: User, new_password: str, *, by: User | None = None) -> list[str]:
    """Set a new password if the policy allows it; ends the user's other sessions."""
    problems = policy_problems(new_password, user.employee_no)
    if problems:
        return problems
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    user.must_change_password = by is not None and by.id != user.id
    audit.record("auth.password_changed" if by is None or by.id == user.id else "user.password_reset",
                 user, actor=by or user)
    return []


@transaction(immediate=True)
def record_sign_out(user: User) -> None:
    """The user signs out, and the session ends on the server too: a copy of
    this cookie (and every other session of the account) names a session
    version that no longer exists. Written to the audit log."""
    user.session_version += 1
    audit.record("auth.logout", user)
