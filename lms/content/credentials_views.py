"""The published certifications and eligibility rules, for every signed-in
user: the rules are public inside the bank (a learner needs to know what a
certificate or a post requires). Each requirement is shown in words
(``lms.content.credentials_text``), linked to the programme, exam or
certification it names where the viewer may open that page.

Retired definitions are listed for trainers and HR only (they still explain
certificates issued under them); anyone else gets 404 on one.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.content.credentials_text import (
    Requirement, Titles, describe_certification_requirements, describe_rule_requirements, describe_validity,
    target_label,
)
from lms.content.models import Certification, EligibilityRule, Exam, Programme
from lms.extensions import db
from lms.org.models import POSITIONS
from lms.programmes.access import exam_access
from lms.programmes.services import get_programme_for

bp = Blueprint("credentials", __name__)

STAFF_ROLES = ("trainer", "hr")  # see retired definitions and the content console's pages


@dataclass(frozen=True)
class Shown:
    """A requirement as a page shows it: the words and, maybe, a link."""
    text: str
    url: str | None
    kind: str


def _staff() -> bool:
    return current_user.has_role(*STAFF_ROLES)


def _programme_url(slug: str) -> str | None:
    user = current_user._get_current_object()
    if user.has_role("trainer"):
        return url_for("content.console_programme", slug=slug)
    programme = db.session.scalar(select(Programme).where(Programme.slug == slug, Programme.retired.is_(False)))
    if programme is None:
        return None
    if user.has_role("hr"):
        return url_for("programme_admin.audience", programme_id=programme.id)

    if get_programme_for(user, programme.id) is not None:
        return url_for("programmes.programme", programme_id=programme.id)
    return None


def _exam_url(slug: str) -> str | None:
    user = current_user._get_current_object()
    if user.has_role("trainer"):
        return url_for("content.console_exam", slug=slug)
    if not user.has_role("learner"):
        return None
    exam = db.session.scalar(select(Exam).where(Exam.slug == slug, Exam.retired.is_(False)))
    if exam is None:
        return None

    return url_for("exams.intro", exam_id=exam.id) if exam_access(user, exam).ok else None


def _shown(requirements: list[Requirement]) -> list[Shown]:
    out = []
    for r in requirements:
        url = None
        if r.kind == "certification":
            url = url_for("credentials.certification", slug=r.ref)
        elif r.kind in ("programme", "weeks_passed"):
            url = _programme_url(r.ref)
        elif r.kind == "exam":
            url = _exam_url(r.ref)
        out.append(Shown(r.text, url, r.kind))
    return out


def _listed(model):
    query = select(model).order_by(model.retired, model.title, model.slug)
    if not _staff():
        query = query.where(model.retired.is_(False))
    return list(db.session.scalars(query))


def _target_rank(target: str) -> int:
    """Rules in the order of the career: intern … manager, then mentor."""
    order = [*POSITIONS, "mentor"]
    return order.index(target) if target in order else len(order)


def _rules_in_order(rules: list[EligibilityRule]) -> list[EligibilityRule]:
    return sorted(rules, key=lambda r: (r.retired, _target_rank(r.target), r.title))


def _certifications_in_order(certifications: list[Certification]) -> list[Certification]:
    """Each certification where the career first needs it (the first rule in
    force that requires it); those no rule requires last."""
    first_needed: dict[str, int] = {}
    for rule in _rules_in_order(_listed(EligibilityRule)):
        if not rule.retired:
            for slug in rule.requirements.get("certifications", []):
                first_needed.setdefault(slug, _target_rank(rule.target))
    return sorted(certifications, key=lambda c: (c.retired, first_needed.get(c.slug, 99), c.title))


def _one(model, slug: str):
    found = db.session.scalar(select(model).where(model.slug == slug))
    if found is None or (found.retired and not _staff()):
        abort(404)
    return found


@bp.get("/certifications")
@login_required
def certifications():
    titles = Titles()
    rows = [(c, describe_certification_requirements(c.requirements, titles)) for c in _certifications_in_order(_listed(Certification))]
    return render_template("content/credentials/certifications.html", rows=rows, describe_validity=describe_validity)


@bp.get("/certifications/<slug>")
@login_required
def certification(slug: str):
    found = _one(Certification, slug)
    titles = Titles()
    rules = [rule for rule in db.session.scalars(
        select(EligibilityRule).where(EligibilityRule.retired.is_(False))
        .order_by(EligibilityRule.title, EligibilityRule.slug))
        if slug in rule.requirements.get("certifications", [])]
    return render_template("content/credentials/certification.html", certification=found,
                           requirements=_shown(describe_certification_requirements(found.requirements, titles)),
                           validity=describe_validity(found.validity_months, found.renewal_window_days),
                           rules=rules, target_label=target_label, staff=_staff())


@bp.get("/eligibility-rules")
@login_required
def rules():
    titles = Titles()
    rows = [(r, describe_rule_requirements(r.requirements, titles)) for r in _rules_in_order(_listed(EligibilityRule))]
    return render_template("content/credentials/rules.html", rows=rows, target_label=target_label)


@bp.get("/eligibility-rules/<slug>")
@login_required
def rule(slug: str):
    found = _one(EligibilityRule, slug)
    return render_template("content/credentials/rule.html", rule=found, target_label=target_label, staff=_staff(),
                           requirements=_shown(describe_rule_requirements(found.requirements, Titles())))
