"""The people import deactivates a leaver or takes the mentor role away: the
preview lists, under each such row, the mentoring pairings it leaves without a
mentor or apprentice, and HR makes one choice for the import — end them in the
same all-or-nothing import (the row's reason, audited and notified as ending a
pairing by hand) or leave them flagged (需处理), as on the person page."""
from __future__ import annotations

import io

from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.mentoring import pairing as rules
from lms.mentoring.models import Pairing, PairingState
from lms.notify.models import Notification
from tests.conftest import sign_in

HEADER = "工号,姓名,支行,岗位,入职日期,角色,在职状态\n"
# 李学员 left the bank; 张师傅 is no longer a mentor (his apprentice is 赵学员); 钱师傅 unchanged but for the date.
FILE = (HEADER + "A001,李学员,天元支行,rm_junior,2024-01-01,learner,离职\n"
        "M002,张师傅,天元支行,rm_senior,2024-01-01,learner,在职\n"
        "M003,钱师傅,天元支行,rm_senior,2024-01-01,mentor、learner,在职\n").encode("utf-8")


def _upload(client, data=FILE):
    return client.post("/org/people/import", data={"file": (io.BytesIO(data), "people.csv")},
                       content_type="multipart/form-data")


def _token(html: str) -> str:
    return html.split('name="token" value="')[1].split('"')[0]


def _kinds(user) -> list[str]:
    return sorted(db.session.scalars(select(Notification.kind).where(Notification.recipient_id == user.id)))


def _row(html: str, employee_no: str) -> str:
    return html.split(f"<td>{employee_no}</td>")[1].split("</tr>")[0]


def test_the_preview_lists_each_leavers_pairings_and_hr_ends_them_with_the_import(client, world, make_user):
    sign_in(client, make_user(("hr",), employee_no="HR01", name="人力甲"))
    preview = _upload(client).text
    assert "王师傅 (M001) → 李学员 (A001)，自 2026-02-09" in _row(preview, "A001")
    assert "张师傅 (M002) → 赵学员 (A002)，自 2026-02-09" in _row(preview, "M002")
    assert "→" not in _row(preview, "M003").split("</ul>", 1)[1]  # a mentor who stays: nothing listed
    choice = preview.split('id="import-dependents"')[1].split("</fieldset>")[0]
    assert 'value="end"' in choice and 'value="keep"' in choice and "required" in choice

    done = client.post("/org/people/import/confirm", data={"token": _token(preview), "dependents": "end"})
    assert done.status_code == 200 and 'id="import-dependents-ended"' in done.text
    ended = db.session.get(Pairing, world.pairing.id)
    other = db.session.get(Pairing, world.other_pairing.id)
    assert ended.state == PairingState.ENDED and ended.end_reason == "离职（从 people.csv 导入）"
    assert other.state == PairingState.ENDED and other.end_reason == "角色变更（从 people.csv 导入）"
    assert not world.apprentice.active and "mentor" not in world.other_mentor.roles
    events = AuditEvent.query.filter_by(action="pairing.ended").order_by(AuditEvent.seq).all()
    assert sorted(e.object_id for e in events) == sorted([str(ended.id), str(other.id)])
    # Notified as when HR ends a pairing by hand (a deactivated account is sent nothing).
    assert "pairing_ended" in _kinds(world.mentor) and "pairing_ended" in _kinds(world.other_apprentice)
    assert rules.active_pairing_of(world.other_apprentice.id) is None  # free to be paired again


def test_leaving_them_flagged_keeps_the_pairings_for_hr(client, world, make_user):
    sign_in(client, make_user(("hr",), employee_no="HR01", name="人力甲"))
    preview = _upload(client).text
    done = client.post("/org/people/import/confirm", data={"token": _token(preview), "dependents": "keep"})
    assert done.status_code == 200 and 'id="import-dependents-ended"' not in done.text
    for pairing_id in (world.pairing.id, world.other_pairing.id):
        pairing = db.session.get(Pairing, pairing_id)
        assert pairing.state == PairingState.ACTIVE and rules.attention(pairing)  # 需处理
    assert AuditEvent.query.filter_by(action="pairing.ended").count() == 0
    assert not world.apprentice.active  # the import itself is done


def test_an_import_that_leaves_nobody_without_a_mentor_asks_nothing(client, world, make_user):
    sign_in(client, make_user(("hr",), employee_no="HR01", name="人力甲"))
    preview = _upload(client, (HEADER + "M003,钱师傅,天元支行,rm_senior,2024-01-01,mentor、learner,在职\n"
                               ).encode("utf-8")).text
    assert 'id="import-dependents"' not in preview and "import-row-dependents" not in preview


def test_the_command_line_import_lists_them_and_ends_them_when_asked(app, world, tmp_path):
    people = tmp_path / "people.csv"
    people.write_bytes(FILE)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["people", "import", "--dry-run", str(people)])
    assert dry.exit_code == 0 and "row 2 (A001): 王师傅 (M001) → 李学员 (A001)，自 2026-02-09" in dry.output
    assert "--end-pairings" in dry.output
    done = runner.invoke(args=["people", "import", "--end-pairings", str(people)])
    assert done.exit_code == 0, done.output
    assert db.session.get(Pairing, world.pairing.id).state == PairingState.ENDED
    assert db.session.get(Pairing, world.other_pairing.id).state == PairingState.ENDED
