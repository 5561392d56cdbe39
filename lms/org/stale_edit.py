"""A person's edit page (and roles form) sent after the person changed since it was opened.

The page keeps the facts it showed (``seen``). When someone else changed the
person meanwhile (the HR import, another HR user), a field this page's user
left as it was keeps the new value instead of writing the old one back; a
field both changed differently is not saved, and the page says what it is now.
"""
from __future__ import annotations

import json
from datetime import date

FIELDS = ("name", "branch_id", "hire_date", "email", "locale")


def facts(user) -> dict[str, str]:
    """The person's editable facts as the edit page shows them."""
    return {"name": user.name or "", "branch_id": str(user.branch_id or 0),
            "hire_date": user.hire_date.isoformat() if user.hire_date else "", "email": user.email or "",
            "locale": user.locale or ""}


def seal(user) -> str:
    return json.dumps(facts(user), ensure_ascii=False, sort_keys=True)


def posted(form) -> dict[str, str]:
    hire_date = form.hire_date.data
    return {"name": (form.name.data or "").strip(), "branch_id": str(form.branch_id.data or 0),
            "hire_date": hire_date.isoformat() if isinstance(hire_date, date) else "",
            "email": form.email.data or "", "locale": form.locale.data or ""}


def seen_of(text: str | None) -> dict[str, str] | None:
    """What the page showed, or None for a page without it (or a value not ours)."""
    try:
        seen = json.loads(text or "")
    except ValueError:
        return None
    if not isinstance(seen, dict) or not all(isinstance(seen.get(f), str) for f in FIELDS):
        return None
    return seen


def merge(seen: dict[str, str], sent: dict[str, str], now: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The values to save and the fields changed by both, differently."""
    values, conflicts = {}, []
    for field in FIELDS:
        if now[field] == seen[field] or sent[field] == now[field]:
            values[field] = sent[field]
        elif sent[field] == seen[field]:
            values[field] = now[field]  # changed by someone else; left as it was on this page
        else:
            conflicts.append(field)
    return values, conflicts


def roles_wanted(seen_text: str | None, sent: set[str], now: set[str]) -> set[str]:
    """The roles to give: the roles the person has now with the page's own
    changes (roles it ticked or cleared against what it showed) applied, so a
    role another HR user or the import gave or took since stays as they left
    it. A form without ``seen`` gives exactly what it sent."""
    if seen_text is None:
        return set(sent)
    seen = {role for role in seen_text.split(",") if role}
    return (now - (seen - sent)) | (sent - seen)
