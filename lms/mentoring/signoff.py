"""The sign-off (出师评价): a mentor signs their apprentice off, HR withdraws.

Rules kept here:

- only the pairing's mentor signs, and only while the pairing is active;
- every active dimension (HR's settings) gets a score 1–5 and a comment:
  a sign-off is what eligibility reads for 上岗, so each score says why;
- refused while the apprentice has an overdue week in any programme they are
  in (the message names programme, week and due date), and while a sign-off
  of theirs is in force;
- the sign-off keeps the dimension labels as they were when it was given
  (HR may rename or retire dimensions later);
- the pairing becomes ``signed_off`` (it no longer counts toward the mentor's
  capacity); ``signals.signoff_given`` goes out after the commit;
- only HR (or an administrator) withdraws, with a reason; the pairing returns
  to active when the apprentice has no other active pairing, so the mentor
  can sign off again later — unless the mentor can no longer mentor (account
  deactivated, mentor role removed): then the pairing ends with the reason; ``signals.signoff_withdrawn`` goes out after the
  commit.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import get_locale
from sqlalchemy import select

from lms import clock, punctuation
from lms.audit import services as audit
from lms.database import transaction
from lms.extensions import db
from lms.mentoring import signals
from lms.mentoring.access import may_act
from lms.mentoring.queries import signoff_in_force
from lms.mentoring.models import Pairing, PairingState, Recommendation, SignOff
from lms.mentoring.settings import DEFAULT_DIMENSIONS, active_dimensions  # noqa: F401  (re-exported)
from lms.notify.services import notify
from lms.own_case import own_case
from lms.programmes.services import this_week

RECOMMENDATION_LABELS = {
    Recommendation.READY: _l("Ready: may work on their own"),
    Recommendation.READY_WITH_CONDITIONS: _l("Ready, with conditions"),
}
SCORES = (1, 2, 3, 4, 5)
MAX_COMMENT = 2000


class SignOffError(ValueError):
    """A sign-off or withdrawal that is refused; the message says why."""


class NotAllowed(SignOffError):
    """The user may not do this (not the active mentor, not HR)."""


def dimension_label(dimension) -> str:
    """The dimension's label in the reader's language."""
    english = str(get_locale() or "zh").startswith("en")
    return (dimension.label_en if english else dimension.label_zh) or dimension.label_zh or dimension.key


def score_label(entry: dict) -> str:
    """A stored score's dimension label, in the reader's language when both were kept."""
    english = str(get_locale() or "zh").startswith("en")
    return (entry.get("label_en") if english else entry.get("label")) or entry.get("label") or entry.get("key", "")


def recommendation_label(code: str) -> str:
    label = RECOMMENDATION_LABELS.get(code)
    return str(label) if label is not None else _("Another recommendation")


# --- what stands in the way ---------------------------------------------------

@dataclass(frozen=True)
class OverdueWeek:
    programme: str
    week: str
    due_on: object


def overdue_weeks(apprentice) -> list[OverdueWeek]:
    """The apprentice's overdue weeks in every programme they are in, as they
    see them on their own 本周培训 (catch-up weeks and quarters are not overdue)."""
    return [OverdueWeek(t.programme.title, w.label, w.due_on) for t in this_week(apprentice) for w in t.overdue]


def overdue_message(apprentice, weeks: list[OverdueWeek]) -> str:
    named = punctuation.statements(_("%(programme)s %(week)s (due %(due)s)", programme=w.programme, week=w.week,
                                     due=w.due_on.isoformat()) for w in weeks)
    if len(weeks) == 1:
        return _("%(name)s has an overdue week: %(weeks)s. A sign-off waits until it is passed.",
                 name=apprentice.name, weeks=named)
    return _("%(name)s has overdue weeks: %(weeks)s. A sign-off waits until they are passed.",
             name=apprentice.name, weeks=named)


def refusals(pairing: Pairing, actor) -> list[str]:
    """Why ``actor`` may not sign off this pairing's apprentice now (empty: they may)."""
    if pairing.mentor_id != actor.id or pairing.state != PairingState.ACTIVE:
        return [_("Only the apprentice's mentor signs them off, while the pairing is active.")]
    reasons = []
    existing = signoff_in_force(pairing.apprentice_id)
    if existing is not None:
        reasons.append(_("%(name)s was signed off on %(day)s; that sign-off is in force.",
                         name=pairing.apprentice.name, day=existing.signed_on.isoformat()))
    weeks = overdue_weeks(pairing.apprentice)
    if weeks:
        reasons.append(overdue_message(pairing.apprentice, weeks))
    return reasons


# --- giving and withdrawing -----------------------------------------------------

def _checked_scores(dimensions, scores: dict) -> list[dict]:
    unknown = sorted(set(scores) - {d.key for d in dimensions})
    if unknown:
        raise SignOffError(_("These are not dimensions of the sign-off: %(keys)s.", keys=punctuation.listing(unknown)))
    out = []
    for dimension in dimensions:
        label = dimension_label(dimension)
        if dimension.key not in scores:
            raise SignOffError(_("%(dimension)s has no score.", dimension=label))
        score, comment = scores[dimension.key]
        try:
            score = int(score)
        except (TypeError, ValueError):
            score = None
        if score not in SCORES:
            raise SignOffError(_("%(dimension)s: the score is from 1 to 5.", dimension=label))
        comment = (comment or "").strip()
        if not comment:
            raise SignOffError(_("%(dimension)s: say in a comment why.", dimension=label))
        if len(comment) > MAX_COMMENT:
            raise SignOffError(_("%(dimension)s: the comment is too long (at most %(n)d characters).",
                                 dimension=label, n=MAX_COMMENT))
        out.append({"key": dimension.key, "label": dimension.label_zh, "label_en": dimension.label_en,
                    "score": score, "comment": comment})
    return out


def _locked_pairing(pairing_id: int) -> Pairing | None:
    return db.session.scalar(select(Pairing).where(Pairing.id == pairing_id).with_for_update()
                             .execution_options(populate_existing=True))


def sign_off(pairing: Pairing, scores: dict, recommendation: str, comment: str, actor) -> SignOff:
    """Sign the pairing's apprentice off: ``scores`` is {dimension key: (1–5, comment)}.
    Refused (``SignOffError``, ``NotAllowed``) by the rules in the module's docstring."""
    pairing_id = pairing.id
    with transaction(immediate=True):
        pairing = _locked_pairing(pairing_id)
        if pairing is None or pairing.mentor_id != actor.id or pairing.state != PairingState.ACTIVE:
            raise NotAllowed(_("Only the apprentice's mentor signs them off, while the pairing is active."))
        if recommendation not in set(Recommendation):
            raise SignOffError(_("Choose a recommendation."))
        entries = _checked_scores(active_dimensions(), scores)
        if not entries:
            raise SignOffError(_("HR has not set up any sign-off dimension yet."))
        reasons = refusals(pairing, actor)
        if reasons:
            raise SignOffError(punctuation.sentences(reasons))
        comment = (comment or "").strip()
        if len(comment) > MAX_COMMENT:
            raise SignOffError(_("The overall comment is too long (at most %(n)d characters).", n=MAX_COMMENT))
        signoff = SignOff(pairing_id=pairing.id, apprentice_id=pairing.apprentice_id, mentor_id=actor.id,
                          signed_on=clock.today(), signed_at=clock.now(),
                          scores_json=json.dumps(entries, ensure_ascii=False), recommendation=str(recommendation),
                          comment=comment)
        db.session.add(signoff)
        pairing.state = PairingState.SIGNED_OFF
        db.session.flush()
        audit.record("mentoring.signed_off", object_type="user", object_id=pairing.apprentice_id, actor=actor,
                     signoff_id=signoff.id, pairing_id=pairing.id, mentor=actor.id,
                     recommendation=str(recommendation),
                     # Stable keys: the log shows each in the reader's language (signoff_setup).
                     scores={e["key"]: e["score"] for e in entries})
        _notify(pairing.apprentice, "signed_off", signoff,
                {"mentor": actor.name, "recommendation": str(recommendation)})
        signals.send_after_commit(signals.signoff_given, apprentice_id=pairing.apprentice_id, signoff_id=signoff.id)
    return signoff


def withdraw(signoff: SignOff, reason: str, actor) -> SignOff:
    """HR withdraws a sign-off in force, with a reason; the pairing returns to
    active unless the apprentice has another active pairing by then."""
    if actor is None or not actor.has_role("hr"):
        raise NotAllowed(_("Only HR withdraws a sign-off."))
    if own_case(actor, signoff.apprentice_id):
        # Withdrawn, the pairing reopens for a sign-off anew: the apprentice's own case.
        raise NotAllowed(_("You cannot withdraw your own sign-off; ask another HR colleague."))
    reason = (reason or "").strip()
    if not reason:
        raise SignOffError(_("Say why the sign-off is withdrawn."))
    if len(reason) > 255:
        raise SignOffError(_("The reason is too long (at most %(n)d characters).", n=255))
    signoff_id = signoff.id
    with transaction(immediate=True):
        signoff = db.session.scalar(select(SignOff).where(SignOff.id == signoff_id).with_for_update()
                                    .execution_options(populate_existing=True))
        if signoff is None or signoff.withdrawn_at is not None:
            raise SignOffError(_("This sign-off was withdrawn already."))
        signoff.withdrawn_at = clock.now()
        signoff.withdrawn_by_id = actor.id
        signoff.withdraw_reason = reason
        pairing = _locked_pairing(signoff.pairing_id)
        reopened = ended = False
        if pairing is not None and pairing.state == PairingState.SIGNED_OFF:
            other_active = db.session.scalar(select(Pairing.id).where(
                Pairing.apprentice_id == signoff.apprentice_id, Pairing.state == PairingState.ACTIVE,
                Pairing.id != pairing.id).limit(1))
            if other_active is None and may_act(pairing.mentor):
                pairing.state = PairingState.ACTIVE
                reopened = True
            elif other_active is None:
                # The mentor left the bank or lost the mentor role since: reopening would give the
                # apprentice a mentor nobody can reach. The pairing ends; HR pairs them anew.
                pairing.state = PairingState.ENDED
                pairing.ended_on = clock.today()
                pairing.end_reason = reason
                pairing.ended_by_id = actor.id
                ended = True
        db.session.flush()
        audit.record("mentoring.signoff_withdrawn", object_type="user", object_id=signoff.apprentice_id,
                     actor=actor, signoff_id=signoff.id, pairing_id=signoff.pairing_id, mentor=signoff.mentor_id,
                     signed_on=signoff.signed_on.isoformat(), reason=reason, pairing_reopened=reopened,
                     **({"pairing_ended": True} if ended else {}))
        _notify(signoff.apprentice, "signoff_withdrawn", signoff,
                {"signed_on": signoff.signed_on.isoformat(), "reason": reason})
        signals.send_after_commit(signals.signoff_withdrawn, apprentice_id=signoff.apprentice_id,
                                  signoff_id=signoff.id)
    return signoff


def _notify(apprentice, kind: str, signoff: SignOff, params: dict) -> None:
    notify(apprentice, kind, f"signoff:{signoff.id}", {"signoff_id": signoff.id, **params})
