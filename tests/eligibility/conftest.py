"""Rules, certifications, certificates and sign-offs written as their owners
(content publish, the certificates engine, the mentoring sign-off) leave
them, for the eligibility tests. The tests' clock is 2026-03-02."""
from __future__ import annotations

import json
import secrets
from datetime import date, datetime
from types import SimpleNamespace

import pytest

from lms.certificates.models import Certificate
from lms.content.models import Certification, EligibilityRule
from lms.extensions import db
from lms.mentoring.models import Pairing, PairingState, SignOff


@pytest.fixture
def chinese(app):
    """Services called directly speak the default language, as on the web (zh_CN)."""
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("zh_CN"):
        yield


@pytest.fixture
def english(app):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture
def make_certification(app):
    def make(slug="rm-qualification", title="客户经理上岗资格", prefix="RMQ", months=24):
        certification = Certification(slug=slug, title=title, serial_prefix=prefix, validity_months=months,
                                      requirements_json="{}")
        db.session.add(certification)
        db.session.commit()
        return certification

    return make


@pytest.fixture
def make_rule(app):
    def make(slug="rm-junior-entry", target="rm_junior", title="初级客户经理准入", **requirements):
        rule = EligibilityRule(slug=slug, title=title, target=target,
                               requirements_json=json.dumps(requirements, ensure_ascii=False))
        db.session.add(rule)
        db.session.commit()
        return rule

    return make


@pytest.fixture
def give_certificate(app):
    counter = {"n": 0}

    def give(user, certification, issued_on=date(2025, 3, 1), expires_on=date(2027, 3, 1), revoked_at=None):
        counter["n"] += 1
        certificate = Certificate(certification_id=certification.id, user_id=user.id,
                                  serial=f"{certification.serial_prefix}-2025-{counter['n']:06d}",
                                  verify_code=secrets.token_urlsafe(16), issued_on=issued_on, expires_on=expires_on,
                                  holder_name=user.name, holder_employee_no=user.employee_no, revoked_at=revoked_at,
                                  revoke_reason="违规" if revoked_at else "")
        db.session.add(certificate)
        db.session.commit()
        return certificate

    return give


@pytest.fixture
def give_signoff(app):
    def give(apprentice, mentor, signed_on=date(2026, 2, 20), withdrawn=False):
        pairing = Pairing(mentor_id=mentor.id, apprentice_id=apprentice.id, state=PairingState.SIGNED_OFF,
                          start_date=date(2025, 6, 1))
        db.session.add(pairing)
        db.session.flush()
        signoff = SignOff(pairing_id=pairing.id, apprentice_id=apprentice.id, mentor_id=mentor.id,
                          signed_on=signed_on, recommendation="ready",
                          withdrawn_at=datetime(2026, 2, 25) if withdrawn else None)
        db.session.add(signoff)
        db.session.commit()
        return signoff

    return give


@pytest.fixture
def world(app, clock, make_branch, make_user, make_certification, make_rule):
    """A branch tree, HR, a branch manager of one sub-branch, the RM
    qualification and the rm_junior entry rule (certificate, 12 months as
    teller, a sign-off), and a teller who wants to move up."""
    city = make_branch("ZZ01", "株洲分行")
    tianyuan = make_branch("ZZ0101", "天元支行", parent=city)
    lusong = make_branch("ZZ0102", "芦淞支行", parent=city)
    hr = make_user(("hr",), employee_no="hr01", name="周人事", branch=city)
    manager = make_user(("branch_manager",), employee_no="bm01", name="赵行长", branch=tianyuan)
    mentor = make_user(("mentor", "learner"), employee_no="m01", name="王师傅", branch=tianyuan,
                       position="rm_principal", position_start=date(2018, 1, 1))
    teller = make_user(("learner",), employee_no="t01", name="李学员", branch=tianyuan, position="teller",
                       position_start=date(2025, 5, 20))
    rmq = make_certification()
    rule = make_rule(certifications=["rm-qualification"], tenure=[{"positions": ["teller"], "months": 12}],
                     signoff=True)
    return SimpleNamespace(city=city, tianyuan=tianyuan, lusong=lusong, hr=hr, manager=manager, mentor=mentor,
                           teller=teller, rmq=rmq, rule=rule)
