"""The kinds of notification: what each says, in the reader's language, and
where it leads.

A notification stores its kind and parameters; the text is made when it is
shown (in the viewer's language) or sent (in the recipient's, or the bank's
default for a group robot), so nobody reads a raw code.

Learner kinds go to the learner; alert kinds ("about a learner") go to the
people who look after the learner (``lms.notify.events.alert_recipients``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from lms import printable
from lms.scores import score

LEARNER, ALERT = "learner", "alert"
PERSON_LINKS_KEY = "lms.notify.person_links"


@dataclass(frozen=True)
class Kind:
    code: str
    label: object  # lazy string: the name an administrator picks on the channel settings
    audience: str  # LEARNER | ALERT
    text: Callable[[dict], str]
    link: Callable[[dict], tuple[str, dict] | None]  # (endpoint, values) of the page it leads to


def _week(p: dict) -> dict:
    return {"programme": p.get("programme", ""), "week": p.get("week", ""), "due": p.get("due_on", "")}


def _learner(p: dict) -> dict:
    return {"learner": p.get("learner", ""), "employee_no": p.get("employee_no", ""), "branch": p.get("branch", "")}


def _graded(p: dict) -> str:
    values = {"exam": p.get("exam", ""), "number": p.get("number", 1), "percent": score(p.get("percent"))}
    if p.get("passed"):
        return _("Graded: %(exam)s, attempt %(number)s: %(percent)s%%, passed.", **values)
    if p.get("exam_passed"):
        return _("Graded: %(exam)s, attempt %(number)s: %(percent)s%%, not passed. You have passed the exam with "
                 "a later attempt; that result stands.", **values)
    return _("Graded: %(exam)s, attempt %(number)s: %(percent)s%%, not passed yet.", **values)


def _regraded(p: dict) -> str:
    values = {"exam": p.get("exam", ""), "number": p.get("number", 1), "before": score(p.get("percent_before")),
              "after": score(p.get("percent"))}
    if p.get("passed_before") and not p.get("passed"):
        return _("An answer key of %(exam)s was corrected: attempt %(number)s was re-graded from %(before)s%% to "
                 "%(after)s%% and is no longer passed. The result page says why.", **values)
    if p.get("passed") and not p.get("passed_before"):
        return _("An answer key of %(exam)s was corrected: attempt %(number)s was re-graded from %(before)s%% to "
                 "%(after)s%% and is now passed.", **values)
    return _("An answer key of %(exam)s was corrected: attempt %(number)s was re-graded from %(before)s%% to "
             "%(after)s%%.", **values)


def _programme_link(p: dict):
    return ("programmes.programme", {"programme_id": p["programme_id"]}) if p.get("programme_id") else None


def _exam_link(p: dict):
    return ("exams.intro", {"exam_id": p["exam_id"]}) if p.get("exam_id") else None


def _result_link(p: dict):
    return ("exams.result", {"attempt_id": p["attempt_id"]}) if p.get("attempt_id") else None


def _certificates_link(_p: dict):
    return ("certificates.mine", {})


def _certificate(p: dict) -> dict:
    return {"certification": p.get("certification", ""), "serial": p.get("serial", "")}


def _expiring(p: dict) -> str:
    return _("Your certificate %(certification)s (%(serial)s) expires on %(expires)s, in %(days)s days or less.",
             expires=p.get("expires_on", ""), days=p.get("threshold", ""), **_certificate(p))


def _person_link(p: dict):
    return ("org.person", {"user_id": p["learner_id"]}) if p.get("learner_id") else None


def _name_will_not_print(p: dict) -> str:
    return _("%(learner)s (%(employee_no)s, %(branch)s) was issued %(certification)s (%(serial)s) automatically, but "
             "the name will not print as written: %(problems)s. A box shows there on the certificate; correct the name "
             "in the person's record if it was mistyped and issue a replacement.",
             problems=printable.listed(printable.unprintable(p.get("holder_name", ""))) or "—",
             **_learner(p), **_certificate(p))


def _certificate_link(p: dict):
    return ("certificates.detail", {"certificate_id": p["certificate_id"]}) if p.get("certificate_id") else None


def _my_mentor_link(_p: dict):
    return ("mentoring.me", {})


def _apprentice_link(p: dict):
    return ("mentoring.apprentice", {"user_id": p["learner_id"]}) if p.get("learner_id") else None


KINDS: dict[str, Kind] = {k.code: k for k in (
    Kind("week_opened", _l("Week opened"), LEARNER,
         lambda p: _("Week open: %(programme)s · %(week)s, due %(due)s.", **_week(p)), _programme_link),
    Kind("due_soon", _l("Due in 2 days"), LEARNER,
         lambda p: _("Due %(due)s: %(programme)s · %(week)s, its exam is not passed yet.", **_week(p)),
         _programme_link),
    Kind("overdue", _l("Overdue"), LEARNER,
         lambda p: _("Overdue since %(due)s: %(programme)s · %(week)s, its exam is not passed yet.", **_week(p)),
         _programme_link),
    Kind("retake_available", _l("Retake available"), LEARNER,
         lambda p: _("You can retake %(exam)s now.", exam=p.get("exam", "")), _exam_link),
    Kind("graded", _l("Graded"), LEARNER, _graded, _result_link),
    Kind("regraded", _l("Re-graded after a key correction"), LEARNER, _regraded, _result_link),
    Kind("passed", _l("Passed"), LEARNER,
         lambda p: _("Passed: %(exam)s with %(percent)s%%.", exam=p.get("exam", ""), percent=score(p.get("percent"))),
         _result_link),
    Kind("learner_failed_twice", _l("A learner failed an exam twice"), ALERT,
         lambda p: _("%(learner)s (%(employee_no)s, %(branch)s) has failed %(exam)s twice.",
                     exam=p.get("exam", ""), **_learner(p)), _person_link),
    Kind("learner_overdue", _l("A learner is overdue"), ALERT,
         lambda p: _("%(learner)s (%(employee_no)s, %(branch)s) is overdue: %(programme)s · %(week)s was due %(due)s.",
                     **_learner(p), **_week(p)), _person_link),
    Kind("check_in_recorded", _l("A mentor recorded a check-in"), LEARNER,
         lambda p: _("%(mentor)s recorded a check-in of %(held_on)s with you: please read and acknowledge it.",
                     mentor=p.get("mentor", ""), held_on=p.get("held_on", "")), _my_mentor_link),
    Kind("check_in_corrected", _l("A mentor corrected a check-in"), LEARNER,
         lambda p: _("%(mentor)s added a correction to the check-in of %(held_on)s: please read it and acknowledge "
                     "it again.", mentor=p.get("mentor", ""), held_on=p.get("held_on", "")), _my_mentor_link),
    Kind("mentor_no_check_in", _l("No check-in for 14 days"), ALERT,
         lambda p: _("No check-in with %(learner)s (%(employee_no)s, %(branch)s) for %(days)s days (since %(since)s).",
                     days=p.get("days", 14), since=p.get("since", ""), **_learner(p)), _apprentice_link),
    Kind("certificate_issued", _l("Certificate issued"), LEARNER,
         lambda p: _("Certificate issued: %(certification)s, %(serial)s.", **_certificate(p)), _certificates_link),
    Kind("certificate_name_unprintable", _l("A certificate was issued to a name that will not print"), ALERT,
         _name_will_not_print, _certificate_link),
    Kind("certificate_revoked", _l("Certificate revoked"), LEARNER,
         lambda p: _("Your certificate %(certification)s (%(serial)s) was revoked on %(on)s.", on=p.get("on", ""),
                     **_certificate(p)), _certificates_link),
    Kind("certificate_expiring", _l("Certificate expiring"), LEARNER, _expiring, _certificates_link),
    Kind("certificate_expiring_alert", _l("A certificate is expiring"), ALERT,
         lambda p: _("%(learner)s (%(employee_no)s, %(branch)s): %(certification)s (%(serial)s) expires on "
                     "%(expires)s.", expires=p.get("expires_on", ""), **_learner(p), **_certificate(p)),
         _person_link),
    Kind("certificate_expired", _l("Certificate expired"), LEARNER,
         lambda p: _("Your certificate %(certification)s (%(serial)s) expired on %(expires)s and was not renewed. "
                     "A post that requires it cannot be held without it: ask HR about renewing it.",
                     expires=p.get("expires_on", ""), **_certificate(p)), _certificates_link),
    Kind("certificate_expired_alert", _l("A certificate has expired"), ALERT,
         lambda p: _("%(learner)s (%(employee_no)s, %(branch)s): %(certification)s (%(serial)s) expired on "
                     "%(expires)s and was not renewed. In a post that requires it, they are on the certified-to-work "
                     "monitor (持证上岗).", expires=p.get("expires_on", ""), **_learner(p), **_certificate(p)),
         _person_link),
)}


def add_person_link(app: Flask, link_for: Callable[[object, int], tuple[str, dict] | None]) -> None:
    """Another domain offers where an alert about a learner leads for a viewer
    who is not HR: ``link_for(viewer, learner_id)`` → (endpoint, values) or
    None (mentoring: the apprentice page, for the learner's active mentor)."""
    app.extensions.setdefault(PERSON_LINKS_KEY, []).append(link_for)


def text_of(notification) -> str:
    """What the notification says, in the current language."""
    kind = KINDS.get(notification.kind)
    if kind is None:  # a kind this version no longer knows: say so, never the code
        return _("A notification of an earlier version.")
    return kind.text(notification.params)


def group_text_of(notification) -> str:
    """What a group robot posts: a learner's notification names the learner,
    an alert names them already."""
    text = text_of(notification)
    kind = KINDS.get(notification.kind)
    if kind is None or kind.audience == ALERT:
        return text
    person = notification.recipient
    return _("%(name)s (%(employee_no)s): %(text)s", name=person.name, employee_no=person.employee_no, text=text)


def link_of(notification, viewer=None, **url_options) -> str | None:
    """Where the notification leads, or None: alerts lead to the person's
    page only for a viewer who may open it (HR); the text names the person."""
    kind = KINDS.get(notification.kind)
    target = kind.link(notification.params) if kind else None
    if target is None:
        return None
    endpoint, values = target
    if endpoint == "org.person" and (viewer is None or not viewer.has_role("hr")):
        target = None
        for link_for in current_app.extensions.get(PERSON_LINKS_KEY, []) if viewer is not None else ():
            target = link_for(viewer, values["user_id"])
            if target is not None:
                break
        if target is None:
            return None
        endpoint, values = target
    try:
        return url_for(endpoint, **values, **url_options)
    except BuildError:
        return None
