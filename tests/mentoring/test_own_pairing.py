"""Nobody makes, changes or ends a pairing they are part of: an HR officer who
is also a learner (or a mentor) does not choose their own mentor (the one who
will sign them off), nor their own apprentice, as nobody changes their own
roles. Another HR officer does it; HR deactivating their own apprentice still
ends that pairing (a consequence of the deactivation, not a pairing decision)."""
from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.mentoring import pairing as rules
from lms.mentoring.models import Pairing, PairingState
from lms.org.models import User
from tests.conftest import sign_in
from tests.mentoring.pairing_world import make_world
from tests.test_labels import visible_text

REFUSED = "不能新建、更换或结束您本人参与的师徒结对，请另一位人力资源同事办理。"


@pytest.fixture
def w(app, clock, make_user, make_branch):
    return make_world(make_user, make_branch)


def _pairings_of(user) -> list[Pairing]:
    return list(db.session.scalars(select(Pairing).where(Pairing.apprentice_id == user.id)))


def test_hr_cannot_choose_their_own_mentor(client, w, make_user):
    hr_learner = make_user(("hr", "learner"), employee_no="hr02", name="吴人事", branch=w.tianyuan)
    sign_in(client, hr_learner)
    page = client.post("/mentoring/admin/pair", data={"mentor_no": "M001", "apprentice_no": "hr02",
                                                      "start_date": "2026-03-02", "planned_end_date": "2026-09-01"})
    assert page.status_code == 200 and REFUSED in visible_text(page.text)
    assert _pairings_of(hr_learner) == []


def test_hr_cannot_change_or_end_their_own_pairing(client, w, make_user):
    hr_learner = make_user(("hr", "learner"), employee_no="hr02", name="吴人事", branch=w.tianyuan)
    pairing = rules.pair(w.mentor, hr_learner, date(2026, 3, 2), date(2026, 9, 1), actor=w.hr)
    sign_in(client, hr_learner)
    changed = client.post(f"/mentoring/admin/pairings/{pairing.id}/change",
                          data={"change-mentor_no": "M002", "change-reason": "换个好说话的师傅"})
    assert REFUSED in visible_text(changed.text)
    ended = client.post(f"/mentoring/admin/pairings/{pairing.id}/end", data={"end-reason": "不想被带教"})
    assert REFUSED in visible_text(ended.text)
    [still] = _pairings_of(hr_learner)
    assert still.state == PairingState.ACTIVE and still.mentor_id == w.mentor.id

    # Another HR officer ends it.
    sign_in(client, w.hr)
    assert client.post(f"/mentoring/admin/pairings/{pairing.id}/end", data={"end-reason": "调岗"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Pairing, pairing.id).state == PairingState.ENDED


def test_hr_who_mentors_someone_still_deactivates_them_and_the_pairing_ends(client, w, make_user):
    hr_mentor = make_user(("hr", "mentor", "learner"), employee_no="hr03", name="郑人事", branch=w.tianyuan,
                          position="rm_principal", position_start=date(2018, 1, 1))
    apprentice = w.learners[0]
    pairing = rules.pair(hr_mentor, apprentice, date(2026, 3, 2), date(2026, 9, 1), actor=w.hr)
    sign_in(client, hr_mentor)
    left = client.post(f"/org/people/{apprentice.id}/deactivate", data={"reason": "离职", "dependents": "end"})
    assert left.status_code == 302
    db.session.expire_all()
    assert db.session.get(Pairing, pairing.id).state == PairingState.ENDED


def test_a_pairing_file_naming_the_importer_is_refused_at_the_preview_with_its_row(client, w, make_user):
    make_user(("hr", "learner"), employee_no="hr02", name="吴人事", branch=w.tianyuan)
    sign_in(client, db.session.scalar(select(User).where(User.employee_no == "hr02")))
    body = "师傅工号,徒弟工号,开始日期,计划结束日期,带教目标\nM001,L001,2026-03-02,2026-09-01,\nM001,hr02,2026-03-02,2026-09-01,\n"
    page = client.post("/mentoring/admin/import", data={"file": (io.BytesIO(body.encode()), "结对.csv")},
                       content_type="multipart/form-data")
    text = visible_text(page.text)
    assert "第 3 行" in text and REFUSED in text
    assert 'name="token"' not in page.text  # nothing to confirm
    assert db.session.scalar(select(Pairing.id)) is None
