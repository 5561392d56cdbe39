"""The trainer's home-page panel: how much of the curriculum is live, and the
last release."""
from lms.content.console import queries as console


def trainer_panel(_user) -> dict:
    facts = console.overview()
    release = facts["last_release"]
    facts["release_actor"] = console.release_actors([release]).get(release.actor_id) if release else None
    facts["release_summary"] = console.summary_line(release.summary) if release else ""
    return facts
