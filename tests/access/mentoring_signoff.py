"""The sign-off (出师评价): only the learner's active mentor signs (a mentor of
someone else and a former mentor get 404); the record is read by the
apprentice, the mentor who gave it, HR and the branch manager in scope
(anyone else: 404); only HR and administrators withdraw (those who may read
it get 403, the rest 404); everybody has their own "my sign-off" page.

The world's learner has a sign-off in force from ``own_mentor`` on
``world.pairing``; the pairing's state is left active, as the world made it,
so other modules' rows see the pairings they expect (own_mentor's sign-off
form therefore answers 200 with the refusal "a sign-off is in force")."""
from __future__ import annotations

import json

from lms import clock
from lms.extensions import db
from lms.mentoring.models import SignOff
from tests.access import Row, expect, signed_in

KEYS = ("product_knowledge", "credit_analysis", "risk_awareness", "compliance", "client_communication")


def setup(world):
    scores = [{"key": k, "label": k, "label_en": k, "score": 4, "comment": "矩阵"} for k in KEYS]
    world.signoff = SignOff(pairing_id=world.pairing.id, apprentice_id=world.learner.id,
                            mentor_id=world.own_mentor.id, signed_on=clock.today(), signed_at=clock.now(),
                            scores_json=json.dumps(scores), recommendation="ready")
    db.session.add(world.signoff)
    db.session.commit()


def _form(w):
    data = {"recommendation": "ready", "comment": "矩阵"}
    for key in KEYS:
        data[f"score_{key}"] = "4"
        data[f"comment_{key}"] = "矩阵评语"
    return data


_SIGN = expect(403, anonymous=302, own_mentor=200, mentor=404, former_mentor=404, admin=404)
_READ = expect(404, anonymous=302, learner=200, own_mentor=200, hr=200, admin=200, branch_manager=200)

ROWS = {
    ("mentoring_signoff.sign_off", "GET"): Row(lambda w: f"/mentoring/pairings/{w.pairing.id}/signoff", _SIGN),
    ("mentoring_signoff.sign_off", "POST"): Row(lambda w: f"/mentoring/pairings/{w.pairing.id}/signoff", _SIGN,
                                                data=_form),
    ("mentoring_signoff.record", "GET"): Row(lambda w: f"/mentoring/signoffs/{w.signoff.id}", _READ),
    ("mentoring_signoff.withdraw", "GET"): Row(
        lambda w: f"/mentoring/signoffs/{w.signoff.id}/withdraw",
        expect(404, anonymous=302, learner=403, own_mentor=403, branch_manager=403, hr=200, admin=200)),
    ("mentoring_signoff.withdraw", "POST"): Row(
        lambda w: f"/mentoring/signoffs/{w.signoff.id}/withdraw",
        expect(404, anonymous=302, learner=403, own_mentor=403, branch_manager=403, hr=302, admin=302),
        data=lambda w: {"reason": "矩阵: 复核发现问题"}),
    ("mentoring_signoff.mine", "GET"): Row(lambda w: "/mentoring/my-signoff", signed_in()),
}
