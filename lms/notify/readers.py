"""Who may still hear of the learner an alert is about, decided from the data
of now, not from when the alert was made: a branch manager moved to another
branch, a mentor whose pairing ended, HR whose role was taken away no longer
read the learner's name in it — not in an e-mail sent later
(``lms.notify.sending.withheld``), nor in their list of notifications, where
the alert stays (counted, readable) without naming anyone."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from lms.extensions import db
from lms.notify.kinds import ALERT, KINDS, PERSON_LINKS_KEY, text_of
from lms.org import scope as org_scope
from lms.org.models import User


class AlertReader:
    """One viewer's rule, with their branch scope read once (a page of alerts
    asks for each of its rows)."""

    def __init__(self, viewer):
        self.viewer = viewer
        self._scope: list[int] | None | bool = False  # not read yet

    def may_hear_of(self, learner_id) -> bool:
        """HR and the branch managers in scope (``lms.org.scope``), or someone
        another domain still leads to the person (their active mentor)."""
        learner = db.session.get(User, learner_id) if isinstance(learner_id, int) else None
        if learner is None:
            return False
        if self._scope is False:
            viewer = self.viewer
            reads_people = org_scope.sees_whole_bank(viewer) or "branch_manager" in viewer.roles
            self._scope = org_scope.branch_scope(viewer) if reads_people else []
        if self._scope is None or learner.branch_id in self._scope:
            return True
        return any(link_for(self.viewer, learner.id) is not None
                   for link_for in current_app.extensions.get(PERSON_LINKS_KEY, []))

    def withheld(self, notification) -> bool:
        """An alert about a learner this viewer may no longer hear of."""
        kind = KINDS.get(notification.kind)
        learner_id = notification.params.get("learner_id")
        return kind is not None and kind.audience == ALERT and bool(learner_id) and not self.may_hear_of(learner_id)

    def text(self, notification) -> str:
        if self.withheld(notification):
            return _("An alert about someone you can no longer see (your branch, role or mentoring changed since).")
        return text_of(notification)
