"""Password hashing (Argon2id) and the password policy."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from zxcvbn import zxcvbn

_hasher = PasswordHasher()
_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    words = (line.strip().lower() for line in _COMMON_FILE.read_text(encoding="utf-8").splitlines())
    return frozenset(w for w in words if w and not w.startswith("#"))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password_hash: str, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# A hash to verify against when the account does not exist, so that an unknown
# employee number costs the same time as a wrong password.
DUMMY_HASH = _hasher.hash("not-a-real-password-only-for-timing")


def policy_summary() -> str:
    """The rules of ``policy_problems`` in one sentence, shown under the new-password field
    before anyone types, so a first sign-in is not a round of refusals."""
    return _("At least %(n)d characters, not containing your employee number. Common passwords, words, names, "
             "dates and keyboard patterns are refused: a phrase of unrelated words works best.",
             n=current_app.config.get("PASSWORD_MIN_LENGTH", 10))


def policy_problems(password: str, employee_no: str = "", *, drawn_at_random: bool = False) -> list[str]:
    """Why a new password is refused (empty list: acceptable). ``drawn_at_random``:
    a password the system drew uniformly at random (a temporary one) is as hard to
    guess as its draw, so zxcvbn's estimate, made for passwords people choose, is not
    asked (about 1 ms each: 3 s of a 2,000-person import); every other rule is."""
    problems = []
    minimum = current_app.config.get("PASSWORD_MIN_LENGTH", 10)
    if len(password) < minimum:
        problems.append(_("The password must have at least %(n)d characters.", n=minimum))
    lowered = password.lower()
    if lowered in common_passwords():
        problems.append(_("This password is among the most common passwords; choose another."))
    elif password and not drawn_at_random and _guessable(password, employee_no):
        problems.append(_("This password is too easy to guess: it is, or is close to, a password found in "
                          "breaches, or a common word, name, date or keyboard pattern. Use a longer phrase "
                          "of unrelated words."))
    if employee_no and employee_no.lower() in lowered:
        problems.append(_("The password must not contain the employee number."))
    if len(set(password)) < 4:
        problems.append(_("The password uses too few different characters."))
    return problems


# zxcvbn's score: 3 is "safely unguessable: moderate protection from an offline
# slow-hash attack" (about 10^8 guesses or more). Its dictionaries hold 30,000
# breached passwords (Xato), English words, names and keyboard patterns, and it
# sees l33t spellings (P@ssw0rd12) and appended years.
MIN_ZXCVBN_SCORE = 3
_ZXCVBN_MAX_LENGTH = 72  # its matching grows fast with length; a longer password is judged by its start


def _guessable(password: str, employee_no: str) -> bool:
    hints = [employee_no] if employee_no else []
    return zxcvbn(password[:_ZXCVBN_MAX_LENGTH], user_inputs=hints)["score"] < MIN_ZXCVBN_SCORE
