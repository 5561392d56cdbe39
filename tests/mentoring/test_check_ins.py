"""Check-ins (帮扶记录): the mentor records date, form, topics, notes and
agreed actions; bad input is refused with the field named and nothing
saved; notes are sanitised; open actions carry over; only the apprentice
acknowledges; the apprentice's "my mentor" page."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.mentoring import checkins
from lms.mentoring.models import CheckIn, CheckInAction
from lms.notify.models import Notification
from tests.conftest import sign_in


def _post(client, world, **fields):
    data = {"held_on": "2026-02-27", "form": "face_to_face", "topics": ["个人存款"], "notes": "复盘第 4 周",
            "actions-0-text": "", "actions-0-due_on": "", **fields}
    return client.post(f"/mentoring/apprentices/{world.apprentice.id}/check-ins/new", data=data)


def test_a_check_in_is_recorded_notified_and_audited(client, world):
    sign_in(client, world.mentor)
    form = client.get(f"/mentoring/apprentices/{world.apprentice.id}/check-ins/new").text
    assert "个人存款" in form and "个人贷款" in form  # the curriculum's knowledge points to choose from
    response = _post(client, world, **{"actions-0-text": "重做错题", "actions-0-due_on": "2026-03-06",
                                       "actions-1-text": "拜访两位客户", "actions-1-due_on": "2026-03-10",
                                       "topics": ["个人存款", "个人贷款"], "form": "on_the_job"})
    assert response.status_code == 302
    check_in = db.session.scalar(select(CheckIn))
    assert check_in.held_on == date(2026, 2, 27) and check_in.form == "on_the_job"
    assert check_in.topics == ["个人存款", "个人贷款"] and check_in.created_by_id == world.mentor.id
    assert [(a.text, a.due_on) for a in check_in.actions] == [("重做错题", date(2026, 3, 6)),
                                                                ("拜访两位客户", date(2026, 3, 10))]
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == world.apprentice.id,
                                                         Notification.kind == "check_in_recorded"))
    assert note is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mentoring.check_in_recorded"))
    assert event is not None and event.actor_id == world.mentor.id
    page = client.get(f"/mentoring/apprentices/{world.apprentice.id}").text
    assert "跟岗带教" in page and "重做错题" in page and "徒弟尚未确认" in page


def test_bad_input_is_refused_with_the_field_named(client, world):
    sign_in(client, world.mentor)
    cases = [
        ({"held_on": "2026-03-03"}, "held_on", "日期不能晚于今天"),
        ({"held_on": "2026-02-08"}, "held_on", "日期不能早于师徒结对开始日 (2026-02-09)"),
        ({"held_on": ""}, "held_on", "请填写帮扶日期"),
        ({"form": "email"}, "field-form", ""),
        ({"topics": ["个人存款", "炒股技巧"]}, "topics", "不是课程中的知识点：炒股技巧"),
        ({"actions-0-text": "复习", "actions-0-due_on": ""}, "actions-0-due_on", "请填写约定事项的完成期限"),
        ({"actions-0-text": "复习", "actions-0-due_on": "2026-02-20"}, "actions-0-due_on", "完成期限不能早于帮扶日期"),
        ({"actions-0-text": "", "actions-0-due_on": "2026-03-20"}, "actions-0-text", "请写明约定的事项"),
    ]
    for fields, field_id, message in cases:
        response = _post(client, world, **fields)
        assert response.status_code == 400, fields
        page = response.text
        start = page.index(f'id="{field_id}"')
        errors = page[start:start + 1500].split("</fieldset>")[0].split('<div class="action-row">')[0]
        assert f'<small class="error">{message}' in errors, (fields, errors)
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0
    assert db.session.scalar(select(func.count()).select_from(CheckInAction)) == 0


def test_notes_are_rendered_sanitised(client, world):
    sign_in(client, world.mentor)
    notes = ('**重点**：存款保险\n\n<script>alert(1)</script>\n\n'
             '<a href="javascript:alert(2)" hx-get="/org/people" onclick="x()">链接</a> '
             '<div hx-post="/mentoring/desk" hx-trigger="load">htmx</div>')
    assert _post(client, world, notes=notes).status_code == 302
    for viewer, url in ((world.mentor, f"/mentoring/apprentices/{world.apprentice.id}"),
                        (world.apprentice, "/mentoring/me")):
        sign_in(client, viewer)
        page = client.get(url).text
        notes_html = page.split('class="check-in-notes"')[1].split("</div>\n")[0]
        assert "<strong>重点</strong>" in notes_html
        assert "<script" not in notes_html and "alert(" not in notes_html
        assert "hx-" not in notes_html and "onclick" not in notes_html and "javascript:" not in notes_html


def test_open_actions_carry_over_to_the_next_check_in(client, world, clock):
    sign_in(client, world.mentor)
    _post(client, world, held_on="2026-02-16", **{"actions-0-text": "重做错题", "actions-0-due_on": "2026-02-20",
                                                  "actions-1-text": "拜访客户", "actions-1-due_on": "2026-02-23"})
    first, second = db.session.scalars(select(CheckInAction).order_by(CheckInAction.due_on)).all()
    # Both are overdue today (2026-03-02): on the desk, the apprentice page and the apprentice's page.
    desk = client.get("/mentoring/desk").text
    assert "重做错题" in desk.split("desk-overdue-actions")[1] and "拜访客户" in desk.split("desk-overdue-actions")[1]
    form = client.get(f"/mentoring/apprentices/{world.apprentice.id}/check-ins/new").text
    carried = form.split('id="carried-over"')[1].split("</fieldset>")[0]
    assert "重做错题" in carried and "拜访客户" in carried and "已逾期" in carried
    assert _post(client, world, held_on="2026-02-27", done_actions=[str(first.id)],
                 **{"actions-0-text": "读授信办法", "actions-0-due_on": "2026-03-09"}).status_code == 302
    db.session.expire_all()
    latest = db.session.scalar(select(CheckIn).order_by(CheckIn.id.desc()))
    assert first.done_on == date(2026, 2, 27) and first.closed_at_check_in_id == latest.id
    assert second.done_on is None  # kept: still open, still overdue
    assert [a.text for a in checkins.open_actions(world.pairing.id)] == ["拜访客户", "读授信办法"]
    form = client.get(f"/mentoring/apprentices/{world.apprentice.id}/check-ins/new").text
    carried = form.split('id="carried-over"')[1].split("</fieldset>")[0]
    assert "重做错题" not in carried and "拜访客户" in carried and "读授信办法" in carried
    sign_in(client, world.apprentice)
    me = client.get("/mentoring/me").text
    assert "拜访客户" in me.split('id="my-overdue-actions"')[1].split("</section>")[0]
    latest_card = me.split(f'id="check-in-{latest.id}"')[1].split("</article>")[0]
    assert "读授信办法" in latest_card and "未完成" in latest_card
    home = client.get("/").text
    assert 'id="my-mentor-panel"' in home and "有 1 项约定事项已逾期" in home and "有 2 条帮扶记录待确认" in home
    # Another pairing's action cannot be closed from here.
    sign_in(client, world.other_mentor)
    assert _post(client, world, done_actions=[str(second.id)]).status_code == 404


def test_only_the_apprentice_acknowledges(client, world):
    check_in = checkins.record_check_in(world.pairing, world.mentor, checkins.CheckInInput(
        held_on=date(2026, 2, 27), form="phone", notes="电话沟通"))
    url = f"/mentoring/me/check-ins/{check_in.id}/acknowledge"
    for person in (world.mentor, world.other_apprentice, world.former_mentor):
        sign_in(client, person)
        assert client.post(url).status_code == 404
    sign_in(client, world.apprentice)
    assert client.post(url, csrf=False).status_code == 400  # no CSRF token: refused
    db.session.expire_all()
    assert db.session.get(CheckIn, check_in.id).acknowledged_at is None
    page = client.get("/mentoring/me").text
    assert "王师傅" in page and "钱师傅" in page and "曾经的师傅" in page  # the mentor and the former one
    assert f'hx-post="{url}"' in page
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and f'id="check-in-{check_in.id}"' in response.text
    assert "已于" in response.text and "确认" in response.text and "<form" not in response.text
    db.session.expire_all()
    first = db.session.get(CheckIn, check_in.id).acknowledged_at
    assert first is not None
    assert client.post(url).status_code == 302  # twice: the first time stays
    db.session.expire_all()
    assert db.session.get(CheckIn, check_in.id).acknowledged_at == first
    sign_in(client, world.mentor)
    page = client.get(f"/mentoring/apprentices/{world.apprentice.id}").text
    assert "徒弟尚未确认" not in page and "已于" in page


def test_a_learner_without_a_mentor(client, world, make_user):
    loner = make_user(("learner",), employee_no="A009", branch=world.branch)
    sign_in(client, loner)
    page = client.get("/mentoring/me").text
    assert "您还没有师傅" in page
    assert "/mentoring/me" not in client.get("/").text  # no menu entry, no panel
    sign_in(client, world.apprentice)
    assert 'href="/mentoring/me"' in client.get("/").text


def test_notes_or_an_agreed_action_with_a_text_direction_control_are_refused_at_the_field(client, world):
    """The apprentice and HR would read the rest of the sentence reversed."""
    sign_in(client, world.mentor)
    cases = [({"notes": "复盘第 4 周\u202e。格合不"}, "notes", "U+202E"),
             ({"actions-0-text": "重做错题\u2067月底前\u2069", "actions-0-due_on": "2026-03-06"}, "actions-0-text",
              "U+2067")]
    for fields, field_id, code in cases:
        response = _post(client, world, **fields)
        assert response.status_code == 400, fields
        page = response.text
        start = page.index(f'id="{field_id}"')
        errors = page[start:start + 1500].split("</fieldset>")[0].split('<div class="action-row">')[0]
        assert f"含有文字方向控制符 ({code})" in errors, (fields, errors)
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0
    # An emoji built with zero-width joiners is a note like any other.
    assert _post(client, world, notes="全家到场 👨\u200d👩\u200d👧").status_code == 302


def test_a_check_in_sent_after_hr_ended_the_pairing_says_why_and_records_nothing(client, world, make_user):
    """The mentor has the check-in form open; HR ends the pairing; the form
    sent is refused (404, as for anyone not the active mentor) with the reason
    — not 'nothing at this address' — and nothing is recorded. Someone who
    never mentored the person still gets the plain 404."""
    from lms.mentoring import pairing as pairings

    sign_in(client, world.mentor)
    assert client.get(f"/mentoring/apprentices/{world.apprentice.id}/check-ins/new").status_code == 200
    pairings.end(db.session.merge(world.pairing), "调岗", actor=make_user(("hr",), employee_no="H001"))
    response = _post(client, world)
    assert response.status_code == 404 and "已不是您的徒弟" in response.text and "未记录任何内容" in response.text
    assert db.session.scalar(select(func.count(CheckIn.id))) == 0
    assert "已不是您的徒弟" in client.get(f"/mentoring/apprentices/{world.apprentice.id}").text
    sign_in(client, world.other_mentor)
    stranger = client.get(f"/mentoring/apprentices/{world.apprentice.id}")
    assert stranger.status_code == 404 and "已不是您的徒弟" not in stranger.text
