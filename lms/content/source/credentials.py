"""Reading ``certifications/<slug>.yaml`` and ``eligibility/<slug>.yaml``
(content/FORMAT.md) into ``ParsedCertification`` / ``ParsedEligibilityRule``.

Like the other parsers, nothing here raises on bad content: every unknown key,
wrong type, missing field or unknown position is a problem with its file and
line. References to programmes, exams and certifications (which may live in
other files, or only in the database) are checked by
``lms.content.source.credential_checks``; the lines they were written on are
kept in ``lines`` for that.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _

from lms.content.schema import ParsedCertification, ParsedEligibilityRule, Problem, Source
from lms.content.source.fields import ID_RE, Collector, id_value, text_value, too_large, unknown_keys
from lms.content.source.yaml_lines import load_yaml

POSITIONS = ("intern", "teller", "rm_junior", "rm_intermediate", "rm_senior", "rm_principal", "manager")
MENTOR_TARGET = "mentor"  # a rule for the mentor role rather than a position
SERIAL_PREFIX_RE = re.compile(r"^[A-Z]{2,8}$")

CERTIFICATION_KEYS = {"id", "title", "summary", "serial_prefix", "validity_months", "renewal_window_days", "requires"}
CERTIFICATION_REQUIRES = {"programmes", "exams", "signoff", "tenure"}
RULE_KEYS = {"id", "title", "summary", "target", "requires"}
RULE_REQUIRES = {"certifications", "tenure", "signoff", "weeks_passed"}
EXAM_KEYS = {"exam", "min_score"}
TENURE_KEYS = {"positions", "months"}
WEEKS_PASSED_KEYS = {"programme", "last", "min"}
DEFAULT_RENEWAL_WINDOW_DAYS = 90
# A certificate's expiry is reckoned from these (issue day + months, expiry − days): a hundred
# years of validity and a ten-year window are past any certification a bank gives.
VALIDITY_MAX_MONTHS = 1200
WINDOW_MAX_DAYS = 3660


def _title(c: Collector, data: dict) -> str:
    return text_value(c, data, "title", "title", required=True)  # at most TITLE_MAX, checked there


def _whole(value, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _slugs(c: Collector, raw: dict, key: str, lines: dict) -> list[str]:
    """A list of ids (programmes, certifications), each with its line."""
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or any(isinstance(v, (dict, list)) or v is None for v in value):
        c.add(_("'%(key)s' must be a list of ids, like [rm-foundation]", key=key), "requires", key)
        return []
    found = []
    for index, item in enumerate(value):
        slug = str(item).strip()
        if not ID_RE.match(slug):
            c.add(_("invalid id '%(value)s': use lower-case letters, digits and '-' (at most 80)", value=slug),
                  "requires", key, index)
            continue
        if slug in found:
            c.add(_("'%(id)s' is listed twice in '%(key)s'", id=slug, key=key), "requires", key, index)
            continue
        lines[(key, len(found))] = c.line("requires", key, index)
        found.append(slug)
    return found


def _signoff(c: Collector, raw: dict) -> bool:
    value = raw.get("signoff", False)
    if not isinstance(value, bool):
        c.add(_("'%(key)s' must be true or false (got '%(value)s')", key="signoff", value=value), "requires", "signoff")
        return False
    return value


def _tenure(c: Collector, raw: dict) -> list[dict]:
    """[{positions: [code], months: n}]: whole months summed across the positions."""
    value = raw.get("tenure")
    if value is None:
        return []
    if not isinstance(value, list):
        c.add(_("'tenure' must be a list like [{positions: [teller], months: 12}]"), "requires", "tenure")
        return []
    entries = []
    for index, entry in enumerate(value):
        where = ("requires", "tenure", index)
        if not isinstance(entry, dict):
            c.add(_("tenure %(n)s must be a mapping like {positions: [teller], months: 12}", n=index + 1), *where)
            continue
        unknown_keys(c, entry, TENURE_KEYS, *where)
        positions = entry.get("positions")
        if isinstance(positions, str):
            positions = [positions]
        if not isinstance(positions, list) or not positions or any(not isinstance(p, str) for p in positions):
            c.add(_("tenure %(n)s: 'positions' must list one or more positions (one of: %(choices)s)", n=index + 1,
                    choices=", ".join(POSITIONS)), *where, "positions")
            positions = []
        for position in positions:
            if position not in POSITIONS:
                c.add(_("unknown position '%(value)s' (expected one of: %(choices)s)", value=position,
                        choices=", ".join(POSITIONS)), *where, "positions")
        months = entry.get("months")
        if months is None:
            c.add(_("tenure %(n)s: 'months' is missing", n=index + 1), *where)
        elif not _whole(months, 1):
            c.add(_("tenure %(n)s: 'months' must be a whole number of at least 1 (got '%(value)s')", n=index + 1,
                    value=months), *where, "months")
        elif too_large(c, months, "months", *where):
            months = None
        if positions and _whole(months, 1) and all(p in POSITIONS for p in positions):
            entries.append({"positions": list(dict.fromkeys(positions)), "months": months})
    return entries


def _exams(c: Collector, raw: dict, lines: dict) -> list[dict]:
    value = raw.get("exams")
    if value is None:
        return []
    if not isinstance(value, list):
        c.add(_("'exams' must be a list like [{exam: exam-rm-entry, min_score: 80}]"), "requires", "exams")
        return []
    entries = []
    for index, entry in enumerate(value):
        where = ("requires", "exams", index)
        if not isinstance(entry, dict):
            c.add(_("exam %(n)s must be a mapping like {exam: exam-rm-entry, min_score: 80}", n=index + 1), *where)
            continue
        unknown_keys(c, entry, EXAM_KEYS, *where)
        exam = entry.get("exam")
        if exam is None or exam == "":
            c.add(_("exam %(n)s: 'exam' is missing", n=index + 1), *where)
            continue
        exam = str(exam).strip()
        if not ID_RE.match(exam):
            c.add(_("invalid id '%(value)s': use lower-case letters, digits and '-' (at most 80)", value=exam),
                  *where, "exam")
            continue
        score = entry.get("min_score")
        if score is None:
            c.add(_("exam %(n)s: 'min_score' is missing (a score from 0 to 100)", n=index + 1), *where)
            continue
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 100:
            c.add(_("exam %(n)s: 'min_score' must be a score from 0 to 100 (got '%(value)s')", n=index + 1,
                    value=score), *where, "min_score")
            continue
        if any(e["exam"] == exam for e in entries):
            c.add(_("'%(id)s' is listed twice in '%(key)s'", id=exam, key="exams"), *where)
            continue
        lines[("exams", len(entries))] = c.line(*where)
        entries.append({"exam": exam, "min_score": int(score) if float(score).is_integer() else float(score)})
    return entries


def _weeks_passed(c: Collector, raw: dict, lines: dict) -> dict | None:
    value = raw.get("weeks_passed")
    if value is None:
        return None
    where = ("requires", "weeks_passed")
    if not isinstance(value, dict):
        c.add(_("'weeks_passed' must be a mapping like {programme: rm-foundation, last: 8, min: 8}"), *where)
        return None
    unknown_keys(c, value, WEEKS_PASSED_KEYS, *where)
    programme = text_value(c, value, "programme", *where, required=True)
    if programme and not ID_RE.match(programme):
        c.add(_("invalid id '%(value)s': use lower-case letters, digits and '-' (at most 80)", value=programme),
              *where, "programme")
        programme = ""
    numbers = {}
    for key in ("last", "min"):
        number = value.get(key)
        if number is None:
            c.add(_("'%(key)s' is missing", key=key), *where)
        elif not _whole(number, 1):
            c.add(_("'%(key)s' must be a whole number of at least %(minimum)s (got '%(value)s')", key=key, minimum=1,
                    value=number), *where, key)
        elif not too_large(c, number, key, *where):
            numbers[key] = number
    if len(numbers) == 2 and numbers["min"] > numbers["last"]:
        c.add(_("'min' (%(min)s) cannot be more than 'last' (%(last)s): of the last %(last)s weeks at most %(last)s "
                "can be passed", min=numbers["min"], last=numbers["last"]), *where, "min")
        return None
    if not programme or len(numbers) != 2:
        return None
    lines[("weeks_passed", 0)] = c.line(*where, "programme")
    return {"programme": programme, "last": numbers["last"], "min": numbers["min"]}


def _load(text: str, path: str, what: str):
    data, lines, problems = load_yaml(text, path)
    if data is None and problems:
        return None, None, problems
    c = Collector(path, problems, lines)
    if not isinstance(data, dict):
        c.add(_("a certification file must be 'key: value' lines (see content/FORMAT.md)") if what == "certification"
              else _("an eligibility rule file must be 'key: value' lines (see content/FORMAT.md)"))
        return None, c, problems
    return data, c, problems


def _requires(c: Collector, data: dict, allowed: set[str]) -> dict | None:
    raw = data.get("requires")
    if raw is None:
        c.add(_("'requires' is missing: list what a person needs (%(choices)s)", choices=", ".join(sorted(allowed))))
        return None
    if not isinstance(raw, dict):
        c.add(_("'requires' must be a mapping with %(choices)s", choices=", ".join(sorted(allowed))), "requires")
        return None
    unknown_keys(c, raw, allowed, "requires")
    return raw


def parse_certification(text: str, path: str) -> tuple[ParsedCertification | None, list[Problem]]:
    """One certification file; None (with problems) when it has no usable id."""
    data, c, problems = _load(text, path, "certification")
    if data is None:
        return None, problems
    unknown_keys(c, data, CERTIFICATION_KEYS)
    ident = id_value(c, data.get("id"), "id")
    title = _title(c, data)
    prefix = data.get("serial_prefix")
    if prefix is None:
        c.add(_("'serial_prefix' is missing: 2 to 8 capital letters, e.g. RMQ (serial numbers are RMQ-2026-000001)"))
        prefix = ""
    elif not isinstance(prefix, str) or not SERIAL_PREFIX_RE.match(prefix):
        c.add(_("'serial_prefix' must be 2 to 8 capital letters A–Z (got '%(value)s')", value=prefix),
              "serial_prefix")
        prefix = ""
    if "validity_months" not in data:
        c.add(_("'validity_months' is missing: the months a certificate is valid, or 'none' if it never expires"))
        validity = None
    else:
        validity = data["validity_months"]
        if validity is None or (isinstance(validity, str) and validity.strip().lower() == "none"):
            validity = None
        elif not _whole(validity, 1):
            c.add(_("'validity_months' must be a whole number of at least 1, or 'none' (got '%(value)s')",
                    value=validity), "validity_months")
            validity = None
        elif too_large(c, validity, "validity_months", maximum=VALIDITY_MAX_MONTHS):
            validity = None
    window = data.get("renewal_window_days", DEFAULT_RENEWAL_WINDOW_DAYS)
    if not _whole(window, 0):
        c.add(_("'renewal_window_days' must be a whole number of at least 0 (got '%(value)s')", value=window),
              "renewal_window_days")
        window = DEFAULT_RENEWAL_WINDOW_DAYS
    elif too_large(c, window, "renewal_window_days", maximum=WINDOW_MAX_DAYS):
        window = DEFAULT_RENEWAL_WINDOW_DAYS
    lines: dict = {}
    requires: dict = {}
    raw = _requires(c, data, CERTIFICATION_REQUIRES)
    if raw is not None:
        programmes = _slugs(c, raw, "programmes", lines)
        exams = _exams(c, raw, lines)
        tenure = _tenure(c, raw)
        requires = {**({"programmes": programmes} if programmes else {}), **({"exams": exams} if exams else {}),
                    **({"signoff": True} if _signoff(c, raw) else {}), **({"tenure": tenure} if tenure else {})}
        if not requires and not any(p.source.path == path for p in problems):
            c.add(_("'requires' lists no requirement: a certification with none would go to everyone"), "requires")
    if ident is None:
        return None, problems
    return ParsedCertification(id=ident, title=title, summary=text_value(c, data, "summary", "summary"),
                               serial_prefix=prefix, validity_months=validity, renewal_window_days=window,
                               requires=requires, source=Source(path, 1), lines=lines), problems


def parse_eligibility_rule(text: str, path: str) -> tuple[ParsedEligibilityRule | None, list[Problem]]:
    """One eligibility rule file; None (with problems) when it has no usable id."""
    data, c, problems = _load(text, path, "eligibility rule")
    if data is None:
        return None, problems
    unknown_keys(c, data, RULE_KEYS)
    ident = id_value(c, data.get("id"), "id")
    title = _title(c, data)
    targets = POSITIONS + (MENTOR_TARGET,)
    target = data.get("target")
    if target is None or target == "":
        c.add(_("'target' is missing: the position it gates (one of: %(choices)s)", choices=", ".join(targets)))
        target = ""
    elif target not in targets:
        c.add(_("unknown target '%(value)s' (expected one of: %(choices)s)", value=target, choices=", ".join(targets)),
              "target")
        target = ""
    lines: dict = {}
    requires: dict = {}
    raw = _requires(c, data, RULE_REQUIRES)
    if raw is not None:
        certifications = _slugs(c, raw, "certifications", lines)
        tenure = _tenure(c, raw)
        weeks = _weeks_passed(c, raw, lines)
        requires = {**({"certifications": certifications} if certifications else {}),
                    **({"tenure": tenure} if tenure else {}), **({"signoff": True} if _signoff(c, raw) else {}),
                    **({"weeks_passed": weeks} if weeks else {})}
        if not requires and not any(p.source.path == path for p in problems):
            c.add(_("'requires' lists no requirement: the rule would let everyone in"), "requires")
    if ident is None:
        return None, problems
    return ParsedEligibilityRule(id=ident, title=title, summary=text_value(c, data, "summary", "summary"),
                                 target=str(target), requires=requires, source=Source(path, 1),
                                 lines=lines), problems
