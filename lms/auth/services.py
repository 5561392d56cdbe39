"""Signing in: credentials, throttling with growing delays, password changes."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from lms import clock
from lms.audit import services as audit
from lms.auth.models import LoginThrottle
from lms.auth.passwords import DUMMY_HASH, check_password, hash_password, needs_rehash, policy_problems
from lms.database import transaction
from lms.extensions import db
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
    return "acct:" + employee_no.strip().lower()[:58]


def delay_after(failures: int) -> timedelta:
    """2 s after the first failure past the free ones, then 4, 8, ... up to 15 min."""
    if failures <= FREE_FAILURES:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(failures - FREE_FAILURES, 20)), MAX_DELAY)


def authenticate(employee_no: str, password: str) -> LoginResult:
    """Check credentials. The answer does not tell an unknown employee number
    from a wrong password; repeated failures on one number are delayed, longer
    each time. The password is checked (Argon2, the slow part) before the
    transaction that records the outcome takes SQLite's write lock."""
    now = clock.now()
    key = _throttle_key(employee_no)
    retry_after = _locked_for(db.session.get(LoginThrottle, key), now)
    if retry_after:
        return LoginResult(retry_after=retry_after)
    user = user_by_employee_no(employee_no) if employee_no.strip() else None
    valid = check_password(user.password_hash if user else DUMMY_HASH, password) and user is not None
    return _record_sign_in(key, employee_no, password, user, valid, now)


def _locked_for(throttle: LoginThrottle | None, now) -> int:
    """Seconds this employee number must still wait (0: none)."""
    if throttle and throttle.last_failure_at and now - throttle.last_failure_at > FORGET_AFTER:
        return 0
    if throttle and throttle.locked_until and throttle.locked_until > now:
        return math.ceil((throttle.locked_until - now).total_seconds())
    return 0


@transaction(immediate=True)
def _record_sign_in(key: str, employee_no: str, password: str, user: User | None, valid: bool, now) -> LoginResult:
    throttle = db.session.get(LoginThrottle, key, populate_existing=True)  # again, under the lock
    if throttle and throttle.last_failure_at and now - throttle.last_failure_at > FORGET_AFTER:
        throttle.failures, throttle.locked_until = 0, None
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

    if throttle is None:
        throttle = LoginThrottle(key=key, failures=0)
        db.session.add(throttle)
    throttle.failures += 1
    throttle.last_failure_at = now
    wait = delay_after(throttle.failures)
    throttle.locked_until = now + wait if wait else None
    audit.record("auth.login_failed", object_type="user", object_id=user.id if user else "",
                 actor=None, actor_label="anonymous", employee_no=employee_no.strip()[:32],
                 failures=throttle.failures, inactive=bool(user and valid and not user.active))
    return LoginResult()


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
    """The user signs out: written to the audit log."""
    audit.record("auth.logout", user)
