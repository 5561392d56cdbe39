"""Temporary passwords: HR gives one to a new person or on a reset; the person
must change it at their first sign-in."""
from __future__ import annotations

import secrets

from argon2 import PasswordHasher

from lms.auth.passwords import policy_problems

# Temporary passwords are random (12 characters of 56: about 70 bits), so a light
# Argon2 setting already makes guessing them from a stolen hash hopeless; it keeps a
# 500-person import from spending minutes on hashing. The first sign-in rehashes
# with the full setting (auth.services.authenticate) and the user must change it anyway.
_temporary_hasher = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)


def hash_temporary_password(password: str) -> str:
    return _temporary_hasher.hash(password)


def generate_temporary_password() -> str:
    """A random password for a first sign-in; the user must change it."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(12))
        if not policy_problems(password):
            return password
