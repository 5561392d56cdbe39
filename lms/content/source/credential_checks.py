"""Rules across files for certifications and eligibility rules, run by
``lms.content.source.checks.check``:

- a programme, exam or certification a requirement names exists in the bundle
  or is published (and is not retired, nor retired by this publish);
- ``weeks_passed`` names a programme with weeks (not a quarterly one) and
  asks for no more weeks than it has;
- two certifications never share a serial prefix (a retired one, or one
  whose file now gives another prefix, keeps the prefix it was published
  or issued certificates with: serial numbers stay unambiguous);
- two rules in force never gate the same target;
- a published certification or rule that this publish leaves alone must not
  lose what it names (publishing ``exams/`` without an exam a certification
  requires is refused).

With ``db_lookup`` False (``flask content check`` without a database) only
the bundle counts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
import json

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.certificates.models import Certificate, SerialCounter
from lms.content.models import Certification, EligibilityRule, Exam, Programme, ProgrammeItem
from lms.content.schema import ContentBundle, Problem, Source
from lms.extensions import db
from lms.punctuation import listing


@dataclass
class _Pool:
    programmes: dict[str, tuple[str, int]] = field(default_factory=dict)  # slug -> (recurring, number of weeks)
    exams: set[str] = field(default_factory=set)
    certifications: set[str] = field(default_factory=set)
    # Known but retired, or retired by this publish.
    gone: dict[str, set[str]] = field(default_factory=lambda: {"programme": set(), "exam": set(),
                                                               "certification": set()})
    # Published certifications and rules the bundle neither replaces nor retires: (slug, requirements).
    other_certifications: list[tuple[str, dict]] = field(default_factory=list)
    other_rules: list[tuple[str, str, dict]] = field(default_factory=list)  # (slug, target, requirements)
    prefixes: dict[str, tuple[str, bool]] = field(default_factory=dict)  # prefix -> (certification, retired)


def _pool(bundle: ContentBundle, db_lookup: bool) -> _Pool:
    pool = _Pool()
    for p in bundle.programmes:
        pool.programmes[p.id] = (p.recurring, sum(1 for i in p.items if i.kind == "week"))
    pool.exams = {e.id for e in bundle.exams}
    pool.certifications = {c.id for c in bundle.certifications}
    if db_lookup:
        _add_published(pool, bundle)
    return pool


def _add_published(pool: _Pool, bundle: ContentBundle) -> None:
    scope = bundle.scope
    weeks = dict(db.session.execute(
        select(ProgrammeItem.programme_id, func.count()).where(ProgrammeItem.kind == "week",
                                                               ProgrammeItem.retired.is_(False))
        .group_by(ProgrammeItem.programme_id)).all())
    for pid, slug, recurring, retired in db.session.execute(
            select(Programme.id, Programme.slug, Programme.recurring, Programme.retired)):
        if slug in pool.programmes:
            continue
        if retired or scope.all_programmes:
            pool.gone["programme"].add(slug)
        else:
            pool.programmes[slug] = (recurring, weeks.get(pid, 0))
    for slug, retired in db.session.execute(select(Exam.slug, Exam.retired)):
        if slug not in pool.exams:
            (pool.gone["exam"].add if retired or scope.all_exams else pool.exams.add)(slug)
    in_bundle = pool.certifications.copy()
    for slug, prefix, requirements, retired in db.session.execute(
            select(Certification.slug, Certification.serial_prefix, Certification.requirements_json,
                   Certification.retired)):
        # A published prefix stays its certification's, even when the file now gives another one.
        pool.prefixes.setdefault(prefix, (slug, retired))
        if slug in in_bundle:
            continue
        if retired or scope.all_certifications:
            pool.gone["certification"].add(slug)
        else:
            pool.certifications.add(slug)
            pool.other_certifications.append((slug, json.loads(requirements)))
    _add_issued_prefixes(pool)
    rules = {r.id for r in bundle.eligibility_rules}
    for slug, target, requirements, retired in db.session.execute(
            select(EligibilityRule.slug, EligibilityRule.target, EligibilityRule.requirements_json,
                   EligibilityRule.retired)):
        if slug not in rules and not retired and not scope.all_eligibility_rules:
            pool.other_rules.append((slug, target, json.loads(requirements)))


def _add_issued_prefixes(pool: _Pool) -> None:
    """Prefixes on certificates already issued belong to the certification
    they were issued for, whatever its file says now."""
    for prefix in db.session.scalars(select(SerialCounter.prefix).distinct()):
        if prefix in pool.prefixes:
            continue
        found = db.session.execute(
            select(Certification.slug, Certification.retired).join(Certificate,
                                                                   Certificate.certification_id == Certification.id)
            .where(Certificate.serial.like(f"{prefix}-%")).limit(1)).first()
        if found is not None:
            pool.prefixes[prefix] = (found[0], found[1])


def _missing(pool: _Pool, kind: str, slug: str) -> str | None:
    """Why ``slug`` cannot be required (None when it can)."""
    known = {"programme": pool.programmes, "exam": pool.exams, "certification": pool.certifications}[kind]
    if slug in known:
        return None
    labels = {
        "programme": (_("unknown programme '%(id)s'"), _("programme '%(id)s' is retired (or retired by this publish)")),
        "exam": (_("unknown exam '%(id)s'"), _("exam '%(id)s' is retired (or retired by this publish)")),
        "certification": (_("unknown certification '%(id)s'"),
                          _("certification '%(id)s' is retired (or retired by this publish)")),
    }[kind]
    return (labels[1] if slug in pool.gone[kind] else labels[0]) % {"id": slug}


def _weeks_problem(pool: _Pool, weeks_passed: dict) -> str | None:
    found = pool.programmes.get(weeks_passed["programme"])
    if found is None:
        return None  # reported as unknown
    recurring, count = found
    if recurring:
        return _("'weeks_passed' needs a programme with weeks; '%(id)s' is a quarterly requirement",
                 id=weeks_passed["programme"])
    if weeks_passed["min"] > count:
        return _("'weeks_passed' asks for %(min)s passed weeks but programme '%(id)s' has %(count)s",
                 min=weeks_passed["min"], id=weeks_passed["programme"], count=count)
    return None


def _references(requires: dict) -> list[tuple[str, str, tuple]]:
    """(kind, slug, line key) of everything a requirements dict names."""
    refs = [("programme", slug, ("programmes", i)) for i, slug in enumerate(requires.get("programmes", []))]
    refs += [("exam", e["exam"], ("exams", i)) for i, e in enumerate(requires.get("exams", []))]
    refs += [("certification", slug, ("certifications", i))
             for i, slug in enumerate(requires.get("certifications", []))]
    if requires.get("weeks_passed"):
        refs.append(("programme", requires["weeks_passed"]["programme"], ("weeks_passed", 0)))
    return refs


def duplicate_ids(items, message: str, problems: list[Problem], kind: str) -> None:
    """One problem for each id written in more than one place: at its second
    place, naming every other (file:line each). Its fault is (kind, id)."""
    places: dict[str, list[Source]] = {}
    for ident, source in items:
        places.setdefault(ident, []).append(source)
    for ident, sources in places.items():
        if len(sources) > 1:
            others = [sources[0], *sources[2:]]
            problems.append(Problem(sources[1], message % {"id": ident, "place": listing(map(str, others))},
                                    fault=(kind, ident)))


def check_credentials(bundle: ContentBundle, problems: list[Problem], db_lookup: bool = True) -> None:
    """Add the problems of the bundle's certifications and eligibility rules
    (and of published ones this bundle would break)."""
    duplicate_ids(((c.id, c.source) for c in bundle.certifications),
                _("duplicate certification id '%(id)s': also at %(place)s"), problems, "certification")
    duplicate_ids(((r.id, r.source) for r in bundle.eligibility_rules),
                _("duplicate eligibility rule id '%(id)s': also at %(place)s"), problems, "eligibility rule")
    if not (bundle.certifications or bundle.eligibility_rules or db_lookup):
        return
    pool = _pool(bundle, db_lookup)
    for item in [*bundle.certifications, *bundle.eligibility_rules]:
        for kind, slug, key in _references(item.requires):
            message = _missing(pool, kind, slug)
            if message:
                problems.append(Problem(Source(item.source.path, item.lines.get(key, item.source.line)), message))
        weeks = item.requires.get("weeks_passed")
        message = weeks and _weeks_problem(pool, weeks)
        if message:
            problems.append(Problem(Source(item.source.path, item.lines.get(("weeks_passed", 0), 1)), message))
    _prefixes(bundle, pool, problems)
    _targets(bundle, pool, problems)
    _published_left_alone(bundle, pool, problems)


def _prefixes(bundle: ContentBundle, pool: _Pool, problems: list[Problem]) -> None:
    seen: dict[str, object] = {}
    for c in bundle.certifications:
        if not c.serial_prefix:
            continue
        if c.serial_prefix in seen:
            problems.append(Problem(c.source, _("serial prefix %(prefix)s is also used by certification '%(other)s' "
                                                 "(%(place)s)", prefix=c.serial_prefix, other=seen[c.serial_prefix].id,
                                                 place=seen[c.serial_prefix].source)))
            continue
        seen[c.serial_prefix] = c
        owner = pool.prefixes.get(c.serial_prefix)
        if owner is not None and owner[0] != c.id:
            other, retired = owner
            problems.append(Problem(c.source, (
                _("serial prefix %(prefix)s is used by the retired certification '%(other)s': its certificates keep "
                  "their serial numbers, so choose another prefix", prefix=c.serial_prefix, other=other) if retired
                else _("serial prefix %(prefix)s is already used by certification '%(other)s'",
                       prefix=c.serial_prefix, other=other))))


def _targets(bundle: ContentBundle, pool: _Pool, problems: list[Problem]) -> None:
    seen: dict[str, object] = {}
    published = {target: slug for slug, target, _r in pool.other_rules}
    for rule in bundle.eligibility_rules:
        if not rule.target:
            continue
        if rule.target in seen:
            problems.append(Problem(rule.source, _(
                "two rules gate '%(target)s': this one and '%(other)s' (%(place)s); a target has one rule",
                target=rule.target, other=seen[rule.target].id, place=seen[rule.target].source)))
            continue
        seen[rule.target] = rule
        if rule.target in published:
            problems.append(Problem(rule.source, _(
                "two rules gate '%(target)s': this one and the published rule '%(other)s'; a target has one rule",
                target=rule.target, other=published[rule.target])))


def _published_left_alone(bundle: ContentBundle, pool: _Pool, problems: list[Problem]) -> None:
    where = Source(bundle.scope.path or "content")
    for slug, requires in pool.other_certifications:
        for kind, ref, _key in _references(requires):
            message = _missing(pool, kind, ref)
            if message:
                problems.append(Problem(where, _("published certification '%(id)s' would break: %(message)s",
                                                 id=slug, message=message)))
    for slug, _target, requires in pool.other_rules:
        for kind, ref, _key in _references(requires):
            message = _missing(pool, kind, ref)
            if message:
                problems.append(Problem(where, _("published eligibility rule '%(id)s' would break: %(message)s",
                                                 id=slug, message=message)))
