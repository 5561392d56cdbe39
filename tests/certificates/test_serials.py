"""Serial numbers under concurrency: several threads and several processes
issuing at once get consecutive numbers — no duplicate, no gap — on SQLite
and on PostgreSQL (run with TEST_DATABASE_URL); a rolled-back issue gives
its number back; verification codes are long random strings."""
from __future__ import annotations

import multiprocessing
import threading

import pytest

from lms.certificates import issuing, serials
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.org.models import User

THREADS = 6
PER_THREAD = 3
PROCESSES = 3
PER_PROCESS = 2


def _issue_all(person_ids: list[int], certification_id: int, hr_id: int) -> None:
    from lms.content.models import Certification

    for person_id in person_ids:
        issuing.issue(db.session.get(User, person_id), db.session.get(Certification, certification_id),
                      actor=db.session.get(User, hr_id), reason="并发发证")
        db.session.expunge_all()


def _serial_numbers(certification_id: int) -> list[int]:
    serial_list = db.session.scalars(db.select(Certificate.serial)
                                     .where(Certificate.certification_id == certification_id)).all()
    return sorted(int(s.rsplit("-", 1)[1]) for s in serial_list)


@pytest.fixture
def people(make_user, make_certification):
    hr = make_user(("hr",))
    certification = make_certification(requirements={})
    count = THREADS * PER_THREAD + PROCESSES * PER_PROCESS
    persons = [make_user(("learner",), employee_no=f"C{i:03d}") for i in range(count)]
    return hr, certification, [p.id for p in persons]


def test_threads_issuing_at_once_get_consecutive_serials(app, clock, people, fast_pdf):
    hr, certification, ids = people
    ids, hr_id, certification_id = ids[:THREADS * PER_THREAD], hr.id, certification.id
    db.session.commit()  # the threads must not touch this session's objects (nor its snapshot)
    errors, start = [], threading.Barrier(THREADS)

    def work(chunk):
        try:
            with app.app_context():
                start.wait()
                _issue_all(chunk, certification_id, hr_id)
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(ids[i::THREADS],)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert _serial_numbers(certification_id) == list(range(1, THREADS * PER_THREAD + 1))
    assert db.session.scalar(db.select(db.func.count(db.distinct(Certificate.verify_code)))) == THREADS * PER_THREAD


def _process_main(database_url: str, person_ids: list[int], certification_id: int, hr_id: int, barrier) -> None:
    from lms import clock, create_app
    from lms.certificates import pdf
    from tests.conftest import BASE_CONFIG

    pdf.render_certificate = lambda c: b"%PDF-1.7 " + c.serial.encode()
    from datetime import datetime

    clock.freeze(datetime(2026, 3, 2, 1, 0, 0))
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        barrier.wait()
        _issue_all(person_ids, certification_id, hr_id)


def test_processes_issuing_at_once_get_consecutive_serials(app, clock, people, fast_pdf):
    hr, certification, ids = people
    hr_id, certification_id = hr.id, certification.id
    db.session.commit()
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    chunk = ids[THREADS * PER_THREAD:]
    procs = [context.Process(target=_process_main, args=(url, chunk[i::PROCESSES], certification_id, hr_id, barrier))
             for i in range(PROCESSES)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * PROCESSES
    assert _serial_numbers(certification_id) == list(range(1, PROCESSES * PER_PROCESS + 1))


def test_a_rolled_back_issue_gives_its_number_back(app, clock, people, fast_pdf, monkeypatch):
    hr, certification, ids = people
    first, second = (db.session.get(User, i) for i in ids[:2])
    from lms.audit import services as audit

    real = audit.record

    def failing(action, *args, **kwargs):
        if action == "certificate.issued":
            raise RuntimeError("the disk is full")
        return real(action, *args, **kwargs)

    monkeypatch.setattr(audit, "record", failing)
    with pytest.raises(RuntimeError):
        issuing.issue(first, certification, actor=hr, reason="试一次")
    monkeypatch.setattr(audit, "record", real)
    issued = issuing.issue(second, certification, actor=hr, reason="再试")
    assert issued.serial == "RMQ-2026-000001"
    assert Certificate.query.count() == 1


def test_serials_count_per_prefix_and_year_and_codes_are_unguessable(app):
    from lms.database import transaction

    with transaction():
        assert serials.next_serial("RMQ", 2026) == "RMQ-2026-000001"
        assert serials.next_serial("RMQ", 2026) == "RMQ-2026-000002"
        assert serials.next_serial("MTQ", 2026) == "MTQ-2026-000001"
        assert serials.next_serial("RMQ", 2027) == "RMQ-2027-000001"
    codes = {serials.new_verify_code() for _ in range(1000)}
    assert len(codes) == 1000 and all(len(c) == 32 for c in codes)


def test_two_triggers_at_once_issue_one_certificate(app, clock, make_user, make_certification, fast_pdf):
    """The attempt's 'finalised' and 'graded' signals (or two processes) may
    evaluate the same person at the same moment: one certificate."""
    person_id = make_user(("learner",)).id
    certification_id = make_certification(requirements={}).id
    db.session.commit()
    start, errors = threading.Barrier(4), []

    def work():
        from lms.content.models import Certification

        try:
            with app.app_context():
                start.wait()
                issuing.issue_if_met(db.session.get(User, person_id), db.session.get(Certification, certification_id))
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert db.session.scalar(db.select(db.func.count()).select_from(Certificate)) == 1
