"""What mentor and apprentice hear of their pairing: HR paired them (the
mentor learns who their new apprentice is and where to find them, the
apprentice who their mentor is), and HR ended it (with the reason). A change
of mentor is both: the old pairing ends, the new one starts. The kinds are
notify's (``lms.notify.kinds.KINDS``), added from ``lms.mentoring.setup``;
the notifications are made in the pairing's own transaction."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.notify.kinds import KINDS, LEARNER, Kind
from lms.notify.services import notify

STARTED, ENDED = "pairing_started", "pairing_ended"
MENTOR, APPRENTICE = "mentor", "apprentice"


def _started_text(p: dict) -> str:
    if p.get("as") == MENTOR:
        return _("HR paired you with %(apprentice)s (%(apprentice_no)s) as their mentor from %(start)s: they are on "
                 "your mentor's desk.", **_names(p), start=p.get("start", ""))
    return _("Your mentor from %(start)s is %(mentor)s (%(mentor_no)s): see My mentor.", **_names(p),
             start=p.get("start", ""))


def _ended_text(p: dict) -> str:
    if p.get("as") == MENTOR:
        return _("Your pairing with %(apprentice)s (%(apprentice_no)s) ended on %(day)s: %(reason)s", **_names(p),
                 day=p.get("day", ""), reason=p.get("reason", ""))
    return _("Your pairing with %(mentor)s (%(mentor_no)s) ended on %(day)s: %(reason)s", **_names(p),
             day=p.get("day", ""), reason=p.get("reason", ""))


def _names(p: dict) -> dict:
    return {"mentor": p.get("mentor", ""), "mentor_no": p.get("mentor_no", ""),
            "apprentice": p.get("apprentice", ""), "apprentice_no": p.get("apprentice_no", "")}


def _started_link(p: dict):
    if p.get("as") == MENTOR:
        return ("mentoring.apprentice", {"user_id": p["apprentice_id"]}) if p.get("apprentice_id") else None
    return ("mentoring.me", {})


def _ended_link(p: dict):
    return ("mentoring.me", {}) if p.get("as") == APPRENTICE else None


def register() -> None:
    for kind in (Kind(STARTED, _l("Paired with a mentor or an apprentice"), LEARNER, _started_text, _started_link),
                 Kind(ENDED, _l("Mentoring pairing ended"), LEARNER, _ended_text, _ended_link)):
        KINDS.setdefault(kind.code, kind)


def _params(pairing) -> dict:
    return {"mentor": pairing.mentor.name, "mentor_no": pairing.mentor.employee_no,
            "apprentice": pairing.apprentice.name, "apprentice_no": pairing.apprentice.employee_no,
            "apprentice_id": pairing.apprentice_id}


def paired(pairing) -> None:
    params = {**_params(pairing), "start": pairing.start_date.isoformat()}
    notify(pairing.mentor, STARTED, f"pairing:{pairing.id}", {**params, "as": MENTOR})
    notify(pairing.apprentice, STARTED, f"pairing:{pairing.id}", {**params, "as": APPRENTICE})


def ended(pairing) -> None:
    params = {**_params(pairing), "day": pairing.ended_on.isoformat(), "reason": pairing.end_reason}
    notify(pairing.mentor, ENDED, f"pairing:{pairing.id}", {**params, "as": MENTOR})
    notify(pairing.apprentice, ENDED, f"pairing:{pairing.id}", {**params, "as": APPRENTICE})
