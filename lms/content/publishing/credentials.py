"""Planning and applying certifications and eligibility rules, the part of
``planning.plan`` / ``publish._apply`` for ``certifications/`` and
``eligibility/``. Same rules as the other kinds: compared by
``content_hash``, never deleted (what the scope covers and the bundle lacks is
retired; a retired one that comes back is restored), and for a changed one
the file's fields before and after, for the publish preview's diff.
"""
from __future__ import annotations

import json

import yaml
from sqlalchemy import select, update

from lms.content.models import Certification, EligibilityRule
from lms.content.schema import ContentBundle, ParsedCertification, ParsedEligibilityRule
from lms.extensions import db


def certification_fields(c: ParsedCertification) -> dict:
    return {"title": c.title, "summary": c.summary, "serial_prefix": c.serial_prefix,
            "validity_months": c.validity_months, "renewal_window_days": c.renewal_window_days,
            "requires": c.requires}


def rule_fields(r: ParsedEligibilityRule) -> dict:
    return {"title": r.title, "summary": r.summary, "target": r.target, "requires": r.requires}


def fields_text(fields: dict) -> str:
    """The fields as YAML, as a trainer wrote them (for diffs)."""
    return yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, default_flow_style=False)


def _stored_certification(row) -> dict:
    return {"title": row.title, "summary": row.summary, "serial_prefix": row.serial_prefix,
            "validity_months": row.validity_months, "renewal_window_days": row.renewal_window_days,
            "requires": json.loads(row.requirements_json)}


def _stored_rule(row) -> dict:
    return {"title": row.title, "summary": row.summary, "target": row.target,
            "requires": json.loads(row.requirements_json)}


_KINDS = (
    # kind, model, the bundle's list, fields, stored fields, the scope's flag
    ("certification", Certification, "certifications", certification_fields, _stored_certification,
     "all_certifications"),
    ("eligibility_rule", EligibilityRule, "eligibility_rules", rule_fields, _stored_rule, "all_eligibility_rules"),
)


def plan_credentials(bundle: ContentBundle, result, content_hash, classify) -> None:
    """Fill ``result`` (a ``planning.Plan``) for both kinds."""
    for kind, model, attr, fields_of, stored, flag in _KINDS:
        changes = result.kinds[kind]
        existing = {row.slug: row for row in db.session.scalars(select(model))}
        work = result._work.setdefault(kind, [])
        for item in getattr(bundle, attr):
            fields = fields_of(item)
            h = content_hash(fields)
            row = existing.get(item.id)
            state = classify(changes, item.id, row and (row.content_hash, row.retired), h)
            work.append((state, item, h, row and row.id))
            if state == "changed" and row.content_hash != h:
                result.texts[(kind, item.id)] = (fields_text(stored(row)), fields_text(fields))
        slugs = {item.id for item in getattr(bundle, attr)}
        retire = sorted((slug, row.id) for slug, row in existing.items()
                        if not row.retired and slug not in slugs and getattr(bundle.scope, flag))
        result._work[f"retire_{kind}"] = [rid for _slug, rid in retire]
        changes.retired = [slug for slug, _rid in retire]


def _certification_row(c: ParsedCertification, h: str) -> dict:
    return {"title": c.title, "summary": c.summary, "serial_prefix": c.serial_prefix,
            "validity_months": c.validity_months, "renewal_window_days": c.renewal_window_days,
            "requirements_json": json.dumps(c.requires, ensure_ascii=False, sort_keys=True), "content_hash": h,
            "retired": False}


def _rule_row(r: ParsedEligibilityRule, h: str) -> dict:
    return {"title": r.title, "summary": r.summary, "target": r.target,
            "requirements_json": json.dumps(r.requires, ensure_ascii=False, sort_keys=True), "content_hash": h,
            "retired": False}


def apply_credentials(work: dict, progress) -> None:
    """Write what ``plan_credentials`` planned (inside publish's transaction)."""
    for kind, model, _attr, _fields, _stored, _flag in _KINDS:
        make_row = _certification_row if kind == "certification" else _rule_row
        added = [{**make_row(item, h), "slug": item.id} for state, item, h, _id in work.get(kind, [])
                 if state == "added"]
        changed = [{**make_row(item, h), "id": rid} for state, item, h, rid in work.get(kind, [])
                   if state == "changed"]
        if added:
            db.session.execute(model.__table__.insert(), added)
        if changed:
            db.session.execute(update(model), changed)
        progress.step(len(added) + len(changed))
        retire = work.get(f"retire_{kind}", [])
        if retire:
            db.session.execute(update(model), [{"id": rid, "retired": True} for rid in retire])
            progress.step(len(retire))
