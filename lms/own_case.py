"""Nobody decides their own case.

Whether a person may work a post (position, its start, branch, account, name)
or hold a certificate is decided by someone else: an HR officer, trainer or
administrator is an employee too, with a record of their own. Every path that
changes such a record (a page, an htmx form, an import row, a service) asks
this one rule and refuses the actor themselves, saying where; a colleague may
still do it. The system (``actor`` None: automatic issues, command-line jobs)
is nobody's own case."""
from __future__ import annotations


def own_case(actor, person_id: int | None) -> bool:
    """Whether ``actor`` would be deciding about their own record (that of ``person_id``)."""
    return actor is not None and person_id is not None and getattr(actor, "id", None) == person_id
