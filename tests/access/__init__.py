"""The access matrix, in one module per domain.

Each module here defines ``ROWS``: ``{(endpoint, METHOD): Row(...)}`` and may
define ``setup(world)`` to create the objects its URLs point at. Every route
the app has must have a row (tests/test_access_matrix.py fails otherwise).

Roles, as the users of the world see them:
  anonymous      not signed in
  learner        a learner who owns the objects in question (their attempt, ...)
  other_learner  another learner of the same branch
  mentor         a mentor, but not the learner's
  trainer, hr, admin
  branch_manager a branch manager (机构负责人) of the world's branch, no other role
  grader_learner a trainer who is also a learner and sat the exam whose
                 attempt the grading rows point at ("grader = learner"):
                 a trainer everywhere else, refused on their own attempt
  own_mentor     the learner's mentor (an active pairing, ``world.pairing``)
  former_mentor  a mentor whose pairing with the learner has ended
                 (``world.former_pairing``)

``mentor`` is a mentor of someone else: paired with ``other_learner``
(``world.other_pairing``). Unless a row names them, ``own_mentor`` and
``former_mentor`` expect what ``mentor`` does.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = ("anonymous", "learner", "other_learner", "mentor", "trainer", "hr", "admin", "grader_learner", "branch_manager",
         "own_mentor", "former_mentor")
# Roles that expect what another does unless a row names them.
SAME_AS = {"own_mentor": "mentor", "former_mentor": "mentor"}


@dataclass
class Row:
    url: Callable  # world -> url path
    expect: dict[str, int]
    data: Callable | None = None  # world -> form data for POST
    headers: dict = field(default_factory=dict)


def expect(default: int, **per_role: int) -> dict[str, int]:
    """Expected status per role: ``default`` for every role not named."""
    return {role: per_role.get(role, per_role.get(SAME_AS.get(role, role), default)) for role in ROLES}


def only(*roles: str, ok: int = 200, anonymous: int = 302) -> dict[str, int]:
    """Allowed for ``roles`` (and admin) with status ``ok``; 403 for other
    signed-in users; ``anonymous`` (a redirect to sign in) otherwise."""
    allowed = set(roles) | {"admin"}
    if "trainer" in allowed:
        allowed.add("grader_learner")
    allowed |= {role for role, like in SAME_AS.items() if like in allowed}
    return {role: (anonymous if role == "anonymous" else ok if role in allowed else 403) for role in ROLES}


def signed_in(ok: int = 200) -> dict[str, int]:
    return expect(ok, anonymous=302)
