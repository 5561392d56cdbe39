"""The mentoring section of HR's person page (``lms.org.person_sections``):
the person's mentors and apprentices, current and past, with links."""
from __future__ import annotations

from lms.mentoring import pairing as rules
from lms.mentoring import settings
from lms.org.scope import may_see_person


def mentoring_section(person, viewer) -> dict:
    if not may_see_person(viewer, person):
        return {"person": person, "as_apprentice": [], "as_mentor": [], "visible": False}
    as_apprentice, as_mentor = rules.history_of(person)
    is_mentor = "mentor" in person.roles
    return {"person": person, "as_apprentice": as_apprentice, "as_mentor": as_mentor, "visible": True,
            "states": rules.STATE_LABELS, "is_mentor": is_mentor,
            "capacity": settings.capacity_of(person) if is_mentor else None,
            "active_count": sum(1 for p in as_mentor if p.is_active),
            "rule_refusals": rules.rule_refusals(person) if is_mentor else [],
            "may_change": viewer.has_role("hr"),
            "has_active_mentor": any(p.is_active for p in as_apprentice)}
