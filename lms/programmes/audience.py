"""Who a programme is for. Its own module, with no exam imports, so that the
exam engine can ask "is this learner in a programme with this exam?"
(``lms.programmes.access``) without an import circle."""
from __future__ import annotations


def _branch_codes(user) -> set[str]:
    """The learner's branch and every branch above it: a programme for a
    branch covers its sub-branches."""
    codes = set()
    branch = user.branch
    while branch is not None:
        codes.add(branch.code)
        branch = branch.parent
    return codes


def in_audience(user, audience: dict) -> bool:
    """Empty or missing lists mean everyone; each non-empty list must match."""
    branches = audience.get("branches") or []
    positions = audience.get("positions") or []
    roles = audience.get("roles") or []
    if branches and not (_branch_codes(user) & set(branches)):
        return False
    if positions:
        current = user.current_position
        if current is None or current.position not in positions:
            return False
    if roles and not (user.roles & set(roles)):
        return False
    return True
