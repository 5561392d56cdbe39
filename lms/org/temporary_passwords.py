"""Temporary passwords: HR gives one to a new person or on a reset; the person
must change it at their first sign-in."""
from __future__ import annotations

import secrets

from argon2 import PasswordHasher

from lms.auth.passwords import policy_problems

# Temporary passwords are random: 12 characters drawn from 56, about 70 bits. Their
# strength is that draw, not the hash's cost: an attacker with a stolen hash who
# tried a billion guesses a second would need some 10,000 years on average at any
# Argon2 setting. So the setting is light (1 pass over 512 KiB, ~1 ms; the 8 MiB
# before took ~5–10 ms, two thirds of a 2,000-person import's confirmation); the
# hash is still Argon2id with its own salt, checked as any other, and the first
# sign-in rehashes it with the full setting (auth.services.authenticate) while
# the person must choose a password of their own anyway.
_temporary_hasher = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1)
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
LENGTH = 12


def hash_temporary_password(password: str) -> str:
    return _temporary_hasher.hash(password)


def generate_temporary_password() -> str:
    """A random password for a first sign-in; the user must change it."""
    while True:
        password = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        if not policy_problems(password, drawn_at_random=True):
            return password
