"""The sign-off's wiring, called from ``lms.mentoring.setup.init_app``: its
blueprint, audit sentences, notification kinds, template filters, HR's person
page section and its demo hook (order 70, after the pairings and check-ins)."""
from __future__ import annotations

from flask import Flask, g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms import demo_hooks
from lms.audit import labels
from lms.audit.labels import plain
from lms.mentoring import demo_signoff
from lms.mentoring.settings import dimensions
from lms.mentoring.signoff import dimension_label, recommendation_label, score_label
from lms.mentoring.signoff_views import bp, my_signoff_context, person_section, signoff_action
from lms.notify.kinds import KINDS, Kind, LEARNER
from lms.org import person_sections
from lms.org.audit_labels import person_by_id

EVENTS = {
    "mentoring.signed_off": _l("%(actor)s signed off %(object)s"),
    "mentoring.signoff_withdrawn": _l("%(actor)s withdrew the sign-off of %(object)s"),
}
DETAILS = {
    "mentor": _l("Mentor"),
    "recommendation": _l("Overall recommendation"),
    "scores": _l("Scores"),
    "signed_on": _l("Signed off on"),
    "pairing_reopened": _l("The pairing is active again"),
    "pairing_ended": _l("The pairing has ended: the mentor can no longer mentor"),
}


def _kinds():
    link = lambda p: ("mentoring_signoff.mine", {})  # noqa: E731  (the apprentice's own page)
    return [
        Kind("signed_off", _l("Signed off by the mentor"), LEARNER,
             lambda p: _("%(mentor)s signed you off: %(recommendation)s.", mentor=p.get("mentor", ""),
                         recommendation=_recommendation(p.get("recommendation", ""))), link),
        Kind("signoff_withdrawn", _l("Sign-off withdrawn"), LEARNER,
             lambda p: _("HR withdrew your sign-off of %(day)s: %(reason)s", day=p.get("signed_on", ""),
                         reason=p.get("reason", "")), link),
    ]


def _recommendation(code: str) -> str:
    return recommendation_label(code)


def scores_in_words(scores) -> str:
    """A sign-off event's scores, each dimension named in the reader's language.
    The event stores each dimension's key; one recorded before it did holds
    the dimension's Chinese label, named as its dimension when one still has
    that label (else as stored). In HR's order of the dimensions (the log
    keeps the details sorted by key), those no dimension has after them."""
    if "_signoff_dimensions" not in g:  # read once for a page of events
        g._signoff_dimensions = dimensions()
    known = g._signoff_dimensions
    by_name = {d.key: d for d in known} | {d.label_zh: d for d in known}
    order = {d.key: n for n, d in enumerate(known)}
    entries = [(by_name.get(str(stored)), str(stored), score) for stored, score in (scores or {}).items()]
    entries.sort(key=lambda e: order[e[0].key] if e[0] is not None else len(order))
    return plain({dimension_label(d) if d is not None else stored: f"{score}/5" for d, stored, score in entries})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    # The notification kinds of the sign-off (notify's registry is a plain dict; added once).
    for kind in _kinds():
        KINDS.setdefault(kind.code, kind)
    labels.register(app, events=EVENTS, details=DETAILS, hidden={"signoff_id", "pairing_id"},
                    values={(None, "mentor"): person_by_id,
                            (None, "recommendation"): lambda code: _recommendation(code),
                            ("mentoring.signed_off", "scores"): scores_in_words})
    app.add_template_filter(_recommendation, "signoff_recommendation")
    app.add_template_filter(score_label, "signoff_dimension")
    # The partials others include (the apprentice's "my mentor" page, the mentor's apprentice page).
    app.add_template_global(my_signoff_context, "my_signoff_context")
    app.add_template_global(signoff_action, "signoff_action")
    person_sections.add(app, "mentoring/_person_signoffs.html", person_section, order=40)
    demo_hooks.add(app, 70, demo_signoff.sign_off_second_apprentice)
