"""A renewal and a revocation of the same certificate at the same moment.

Both read the certificate before either writes. The revocation must wait for
the renewal (or the renewal for the revocation), so the old certificate ends
either superseded (and the revocation is refused, naming the newer one) or
revoked (and the automatic renewal issues nothing: never after HR revoked):
never both revoked and superseded, and never a database error. On
PostgreSQL the revocation locked the certificate's row before the audit
log's lock while the renewal took them the other way round: a deadlock, one
of the two ended by the database. SQLite's BEGIN IMMEDIATE serialises them."""
from __future__ import annotations

import threading
from datetime import date, datetime

from lms.certificates import issuing, revoking
from lms.certificates.models import Certificate, CertificateState
from lms.extensions import db
from lms.org.models import User

RMQ = {"exams": [{"exam": "exam-rm-entry", "min_score": 80}], "signoff": True}


def test_a_renewal_and_a_revocation_at_the_same_moment_leave_one_clear_outcome(
        app, clock, make_user, make_certification, entry_exam, take_exam, sign_off, fast_pdf, monkeypatch):
    hr = make_user(("hr",))
    learner = make_user(("learner",))
    certification = make_certification(requirements=RMQ, validity_months=12, renewal_window_days=60)
    sign_off(learner)
    take_exam(learner, entry_exam, right=2)
    [old] = Certificate.query.filter_by(user_id=learner.id).all()
    clock.freeze(datetime(2027, 1, 5, 9, 0))  # in the renewal window of the certificate expiring 2027-03-02
    ids = {"old": old.id, "hr": hr.id, "learner": learner.id, "certification": certification.id}
    db.session.commit()  # this test's own reads end: it reads what the threads committed

    both_read = threading.Barrier(2, timeout=0.5)

    def then_wait_for_the_other(found):
        try:
            both_read.wait()
        except threading.BrokenBarrierError:
            pass  # the other waits for this one's lock: as it should
        return found

    read_valid = issuing.valid_certificate
    monkeypatch.setattr(issuing, "valid_certificate", lambda *a, **k: then_wait_for_the_other(read_valid(*a, **k)))
    read_own_case = revoking.own_case  # called just after the revocation has read the certificate
    monkeypatch.setattr(revoking, "own_case", lambda *a: then_wait_for_the_other(read_own_case(*a)))

    outcomes, errors = {}, []

    def renew():
        with app.app_context():
            try:
                from lms.certificates.models import Certification

                person = db.session.get(User, ids["learner"])
                outcomes["renewal"] = issuing.issue_if_met(person, db.session.get(Certification, ids["certification"]))
                outcomes["renewal"] = outcomes["renewal"] and outcomes["renewal"].id
            except Exception as exc:  # noqa: BLE001 - the test reports any
                errors.append(("renewal", repr(exc)))
            finally:
                db.session.remove()

    def revoke():
        with app.app_context():
            try:
                revoking.revoke(ids["old"], db.session.get(User, ids["hr"]), "冒用他人账号参加考试",
                                seen_state=CertificateState.VALID.value)
                outcomes["revocation"] = "revoked"
            except revoking.RevokeError as exc:
                outcomes["revocation"] = str(exc)
            except Exception as exc:  # noqa: BLE001 - the test reports any
                errors.append(("revocation", repr(exc)))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=renew), threading.Thread(target=revoke)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    db.session.expire_all()
    old = db.session.get(Certificate, ids["old"])
    assert not (old.revoked_at is not None and old.superseded_by_id is not None)
    if old.revoked_at is not None:  # the revocation went first: nothing is issued again automatically
        assert outcomes == {"revocation": "revoked", "renewal": None}
        assert old.state() == CertificateState.REVOKED
        assert Certificate.query.filter_by(user_id=ids["learner"]).count() == 1
    else:  # the renewal went first: HR is told the certificate was replaced, and by which
        new = db.session.get(Certificate, outcomes["renewal"])
        assert new.state() == CertificateState.VALID and new.issued_on == date(2027, 1, 5)
        assert old.superseded_by_id == new.id and old.state() == CertificateState.SUPERSEDED
        assert new.serial in outcomes["revocation"]
