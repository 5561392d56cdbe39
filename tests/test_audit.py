import pytest
from sqlalchemy import text

from lms.audit import services as audit
from lms.extensions import db
from tests.conftest import sign_in


def _three_events():
    for i in range(3):
        audit.record("test.event", object_type="thing", object_id=i, actor_label="tester", n=i)
    db.session.commit()


def test_chain_of_untouched_events_verifies(app, runner):
    _three_events()
    assert audit.verify().ok
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "3 events" in result.output


def test_altered_event_is_reported(app, runner):
    _three_events()
    db.session.execute(text("UPDATE audit_event SET details = '{\"n\": 99}' WHERE seq = 2"))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "event 2 was altered" in result.output


def test_deleted_event_is_reported(app):
    _three_events()
    db.session.execute(text("DELETE FROM audit_event WHERE seq = 2"))
    db.session.commit()
    result = audit.verify()
    assert not result.ok and result.seq == 2 and "missing" in result.problem


def test_events_cannot_be_changed_through_the_orm(app):
    import pytest

    from lms.audit.models import AppendOnlyError, AuditEvent

    _three_events()
    event = db.session.query(AuditEvent).first()
    event.action = "forged"
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()


# --- the anchor: a keyed chain and a head kept outside the database -----------

def _rechain(key: bytes | None, *, drop_seq: int | None = None) -> None:
    """What someone with the database but not the audit key can do: delete
    events (a whole tail, or one in the middle, renumbering the rest) and
    recompute every hash so that the chain links — with plain SHA-256, or an
    HMAC with a key of their own."""
    import hashlib
    import hmac as hmac_mod

    from lms.audit.models import GENESIS, AuditEvent

    rows = db.session.query(AuditEvent).order_by(AuditEvent.seq).all()
    kept = [r for r in rows if r.seq != drop_seq]
    db.session.expunge_all()
    db.session.execute(text("DELETE FROM audit_event"))
    prev = GENESIS
    for n, r in enumerate(kept, start=1):
        r.seq, r.prev_hash = n, prev
        payload = r.payload().encode()
        r.hash = (hmac_mod.new(key, payload, hashlib.sha256).hexdigest() if key
                  else hashlib.sha256(payload).hexdigest())
        db.session.execute(text("INSERT INTO audit_event (id, seq, at, actor_id, actor_label, action, object_type, "
                                "object_id, details, prev_hash, hash) VALUES (:id, :seq, :at, :actor_id, :label, "
                                ":action, :otype, :oid, :details, :prev, :hash)"),
                           {"id": r.id, "seq": r.seq, "at": r.at, "actor_id": r.actor_id, "label": r.actor_label,
                            "action": r.action, "otype": r.object_type, "oid": r.object_id, "details": r.details,
                            "prev": r.prev_hash, "hash": r.hash})
        prev = r.hash
    db.session.commit()


def test_verify_prints_the_head_to_record(app, runner):
    _three_events()
    result = runner.invoke(args=["audit", "verify"])
    head = result.output.split("Head: ")[1].split()[0]
    seq, hash_ = head.split(":")
    assert seq == "3" and len(hash_) == 64
    assert runner.invoke(args=["audit", "verify", "--expect", head]).exit_code == 0


def test_a_cut_tail_is_found(app, runner):
    _three_events()
    db.session.execute(text("DELETE FROM audit_event WHERE seq = 3"))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "ends at event 2, but event 3 was recorded" in result.output


def test_a_cut_tail_is_found_against_a_head_the_operator_noted(app, runner, tmp_path):
    from pathlib import Path

    _three_events()
    head = runner.invoke(args=["audit", "verify"]).output.split("Head: ")[1].split()[0]
    db.session.execute(text("DELETE FROM audit_event WHERE seq = 3"))
    db.session.commit()
    Path(app.config["AUDIT_HEAD_FILE"]).unlink()  # the head file lost too
    assert runner.invoke(args=["audit", "verify", "--expect", head]).exit_code == 1


@pytest.mark.parametrize("key", [None, b"a-key-of-their-own"], ids=["plain-sha256", "other-key"])
def test_deleting_and_recomputing_the_chain_is_found(app, runner, key):
    _three_events()
    _rechain(key, drop_seq=2)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "event 1" in result.output and ("without the audit key" in result.output or "altered" in result.output)


def test_recomputing_everything_without_the_key_is_found_even_without_the_head_file(app, runner):
    from pathlib import Path

    _three_events()
    Path(app.config["AUDIT_HEAD_FILE"]).unlink()
    _rechain(None)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "event 1 is hashed without the audit key" in result.output


def test_an_old_unkeyed_chain_is_adopted_once_then_new_events_are_keyed(app, runner):
    from pathlib import Path

    _three_events()
    Path(app.config["AUDIT_HEAD_FILE"]).unlink()
    _rechain(None)  # as a chain written before the key existed looks
    before = runner.invoke(args=["audit", "verify"])
    assert before.exit_code == 1 and "adopt-legacy" in before.output
    adopted = runner.invoke(args=["audit", "adopt-legacy"])
    assert adopted.exit_code == 0 and "Adopted 3 unkeyed events" in adopted.output
    _three_events()  # new events: keyed, linked to the old chain
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    _rechain(None)  # now recomputing everything without the key is found
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "event 4 is hashed without the audit key" in result.output


def test_the_head_file_follows_commits_only(app):
    from lms.audit import anchor

    audit.record("test.event", actor_label="tester")
    db.session.rollback()
    assert anchor.read_head() == {}
    _three_events()
    assert anchor.read_head()["seq"] == 3


def test_the_search_takes_percent_and_underscore_as_typed(app, client, make_user):
    hr = make_user(("hr",), employee_no="H0001", name="审计员")
    audit.record("test.event", object_type="thing", object_id=1, actor_label="利率50%专员")
    audit.record("test.event", object_type="thing", object_id=2, actor_label="利率500专员")
    audit.record("test.event", object_type="thing", object_id=3, actor_label="a_b")
    audit.record("test.event", object_type="thing", object_id=4, actor_label="axb")
    db.session.commit()
    sign_in(client, hr)
    percent = client.get("/audit/", query_string={"q": "50%"}).text
    assert "利率50%专员" in percent and "利率500专员" not in percent
    underscore = client.get("/audit/", query_string={"q": "a_b"}).text
    assert "a_b" in underscore and "axb" not in underscore


@pytest.mark.parametrize("url", ["/audit/", "/org/people", "/certificates/", "/eligibility/", "/mentoring/admin/",
                                 "/reports/roster", "/certificates/export.csv"])
def test_a_search_longer_than_any_box_is_refused_with_a_message(app, client, make_user, url):
    sign_in(client, make_user(("hr",), locale="en"))
    response = client.get(url, query_string={"q": "x" * 5000})
    assert response.status_code == 400
    assert "The search “q” is 5,000 characters long; a search holds at most 80." in response.text
    assert client.get(url, query_string={"q": "x" * 80}).status_code == 200


def test_a_full_disk_when_the_head_is_written_keeps_the_change_and_the_old_head_whole(app, monkeypatch, caplog):
    import errno
    import json
    import os
    from pathlib import Path

    from lms.audit import anchor

    _three_events()
    head = anchor.head_path()
    before = head.read_bytes()

    def half_then_full(self, data, *args, **kwargs):
        with open(self, "w", encoding="utf-8") as out:
            out.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Path, "write_text", half_then_full)
    audit.record("test.event", actor_label="tester")
    db.session.commit()  # the change is in: the user is not shown an error for it
    monkeypatch.undo()
    assert db.session.scalar(text("SELECT max(seq) FROM audit_event")) == 4
    assert head.read_bytes() == before and json.loads(before)["seq"] == 3
    assert [p.name for p in head.parent.iterdir() if p.name.startswith(head.name + ".") and p.suffix == ".tmp"] == []
    assert "No space left on device" in caplog.text and "audit" in caplog.text
    _three_events()
    assert anchor.read_head()["seq"] == 7  # written again once there is room
