"""The eligibility engine (准入): for a person and a rule, eligible or not, and
each condition met or unmet with its evidence in words.

A rule (``EligibilityRule.requirements``) lists conditions, all of which must
hold:

- ``certifications``: a valid certificate of each (not revoked, not
  superseded, not expired today);
- ``tenure``: whole months served, summed across the listed positions;
- ``signoff``: a mentor's sign-off (出师评价) in force (not withdrawn);
- ``weeks_passed``: of the programme's last N weeks whose due date has
  passed, at least M passed (the week's exam, by its deciding result).

Nothing is stored: eligibility is read from certificates, positions,
sign-offs and attempts each time, so a revoked certificate makes its holder
ineligible at once. Many people are evaluated from one ``facts.load`` (a
fixed number of statements, whatever their number)."""
from __future__ import annotations

from datetime import date
from operator import itemgetter
from typing import NamedTuple

from flask_babel import gettext as _
from flask_babel import pgettext

from lms import clock
from lms.content.models import EligibilityRule
from lms.eligibility import facts as facts_mod
from lms.eligibility.facts import Facts
from lms.numbers import plural_forms
from lms.org import tenure
from lms.org.models import POSITIONS, whole_months
from lms.org.tenure import Stint

CERTIFICATION, TENURE, SIGNOFF, WEEKS = "certification", "tenure", "signoff", "weeks_passed"


class Condition(NamedTuple):  # a tuple: 50,000 of them make an export
    kind: str
    label: str  # what the rule asks, in words
    met: bool
    evidence: str  # what the records show, in words

    def __str__(self) -> str:
        # "有效的客户经理上岗资格：无客户经理上岗资格" (a Chinese colon in Chinese).
        return _("%(condition)s: %(evidence)s", condition=self.label, evidence=self.evidence)


class Verdict:
    """A rule's answer for one person: every condition, and whether all are met."""

    __slots__ = ("rule", "conditions", "eligible")

    def __init__(self, rule: EligibilityRule, conditions: tuple[Condition, ...]):
        self.rule, self.conditions = rule, conditions
        self.eligible = all(map(_MET, conditions))

    @property
    def unmet(self) -> list[Condition]:
        return [c for c in self.conditions if not c.met]

    @property
    def state(self) -> str:
        return "eligible" if self.eligible else "not_eligible"


STATES = ("eligible", "not_eligible")
_MET = itemgetter(2)  # Condition.met, read in C (50,000 verdicts make an export)


class Words:
    """The sentences of conditions and evidence, translated once per
    evaluation and filled in with ``%``: a gettext call per condition would
    cost more than the rest of the engine (10,000 people × 5 rules)."""

    def __init__(self):
        self.valid = _("Valid %(certification)s")
        self.valid_no_expiry = _("%(certification)s valid, no expiry")
        self.valid_until = _("%(certification)s valid until %(day)s")
        self.none = _("no %(certification)s")
        self.revoked = _("%(certification)s revoked %(day)s")
        self.superseded = _("%(certification)s superseded")
        self.expired = _("%(certification)s expired %(day)s")
        self.tenure = plural_forms("%(months)d month as %(positions)s", "%(months)d months as %(positions)s")
        self.served = tenure.served_words()
        self.reached_on = tenure.reached_words()
        self.signoff = _("A mentor sign-off (出师评价) in force")
        self.no_signoff_paired = _("no mentor sign-off (mentor %(mentor)s, paired since %(day)s)")
        self.no_signoff_withdrawn = _("no mentor sign-off (the one by %(mentor)s of %(day)s was withdrawn on "
                                      "%(withdrawn)s)")
        self.no_signoff_unpaired = _("no mentor sign-off (no mentor paired)")
        self.signed = _("Signed off by %(mentor)s on %(day)s")
        self.weeks = _("%(min)d of the last %(last)d weeks of %(programme)s passed")
        self.weeks_passed = plural_forms("%(passed)d of the last %(n)d week passed",
                                         "%(passed)d of the last %(n)d weeks passed")
        # Unmet: what is needed too (the register's cell shows the evidence alone), as tenure says "(needs 12)".
        self.weeks_short = plural_forms("%(passed)d of the last %(n)d week passed (needs %(min)d of the last %(last)d)",
                                        "%(passed)d of the last %(n)d weeks passed (needs %(min)d of the last %(last)d)")
        self.weeks_due = plural_forms("only %(n)d week due so far", "only %(n)d weeks due so far")
        self.week_failed = _("week %(n)d exam not passed")
        self.either = _("%(some)s or %(last)s")
        self.comma = pgettext("list", ", ")
        self.semicolon = pgettext("between statements", "; ")  # "；" in Chinese
        self.position = {code: str(label) for code, label in POSITIONS.items()}
        self._positions: dict[tuple, str] = {}
        self.certifications: dict[str, tuple] = {}  # slug → (id, title, label, "no …"), per evaluation
        self.labels: dict[tuple, str] = {}
        self.due: dict[tuple, list] = {}  # (facts, programme, last, day) → the weeks due: the same for everyone

    def positions(self, codes) -> str:
        """"Teller", "Senior RM or Manager", "Senior RM, Principal RM or Manager"."""
        key = tuple(codes)
        if key not in self._positions:
            names = [self.position.get(code, code) for code in codes]
            self._positions[key] = "".join(names) if len(names) < 2 else \
                self.either % {"some": self.comma.join(names[:-1]), "last": names[-1]}
        return self._positions[key]


def months_served(stints: list[Stint], positions, on: date) -> int:
    """Whole months in ``positions`` up to ``on``, summed over stints (as
    ``PositionRecord.months``)."""
    total = 0
    for s in stints:
        if s.position not in positions or s.start > on:
            continue
        total += whole_months(s.start, min(s.end or on, on))
    return total


def certificate_condition(slug: str, user_id: int, facts: Facts, today: date, words: Words | None = None
                          ) -> Condition:
    """A valid certificate of ``slug``; the evidence names the best one held,
    else the latest and why it is no longer valid."""
    w = words or Words()
    known = w.certifications.get(slug)
    if known is None:
        certification = facts.certifications.get(slug)
        title = {"certification": certification.title if certification is not None else slug}
        known = w.certifications[slug] = (certification.id if certification is not None else None, title,
                                          w.valid % title, w.none % title)
    certification_id, title, label, nothing = known
    rows = facts.certificates.get((user_id, certification_id)) if certification_id is not None else None
    if not rows:
        return Condition(CERTIFICATION, label, False, nothing)
    best = None
    for r in rows:
        if r.revoked_at is None and r.superseded_by_id is None and (r.expires_on is None or r.expires_on >= today):
            if best is None or (r.expires_on is None, r.expires_on or date.max, r.id) > \
                    (best.expires_on is None, best.expires_on or date.max, best.id):
                best = r
    if best is not None:
        if best.expires_on is None:
            return Condition(CERTIFICATION, label, True, w.valid_no_expiry % title)
        return Condition(CERTIFICATION, label, True, w.valid_until % {**title, "day": best.expires_on.isoformat()})
    latest = rows[-1]
    if latest.revoked_at is not None:
        evidence = w.revoked % {**title, "day": clock.local_date(latest.revoked_at).isoformat()}
    elif latest.superseded_by_id is not None:
        evidence = w.superseded % title
    else:
        evidence = w.expired % {**title, "day": latest.expires_on.isoformat()}
    return Condition(CERTIFICATION, label, False, evidence)


def _tenure(entry: dict, user_id: int, facts: Facts, today: date, w: Words) -> Condition:
    positions, needed = entry.get("positions") or [], int(entry.get("months") or 0)
    words = w.positions(positions)
    stints = facts.stints.get(user_id, ())
    served = months_served(stints, positions, today)
    label = w.labels.get((words, needed))
    if label is None:
        label = w.labels[(words, needed)] = w.tenure[needed != 1] % {"months": needed, "positions": words}
    values = {"served": served, "months": needed, "positions": words}
    reached = tenure.reached_on(stints, positions, needed, served, today) if served < needed else None
    if reached is not None:
        return Condition(TENURE, label, False, w.reached_on % {**values, "day": reached.isoformat()})
    return Condition(TENURE, label, served >= needed, w.served % values)


def _signoff(user_id: int, facts: Facts, w: Words) -> Condition:
    found = facts.signoffs.get(user_id)
    if found is None:
        why = facts.no_signoff.get(user_id)
        if why is None:
            return Condition(SIGNOFF, w.signoff, False, w.no_signoff_unpaired)
        if why.withdrawn_at is None:
            return Condition(SIGNOFF, w.signoff, False,
                             w.no_signoff_paired % {"mentor": why.mentor_name, "day": why.since.isoformat()})
        return Condition(SIGNOFF, w.signoff, False, w.no_signoff_withdrawn % {
            "mentor": why.mentor_name, "day": why.since.isoformat(),
            "withdrawn": clock.local_date(why.withdrawn_at).isoformat()})
    return Condition(SIGNOFF, w.signoff, True, w.signed % {"mentor": found.mentor_name,
                                                           "day": found.signed_on.isoformat()})


def _weeks_passed(spec: dict, user_id: int, facts: Facts, today: date, w: Words) -> Condition:
    slug, last, needed = spec.get("programme", ""), int(spec.get("last") or 0), int(spec.get("min") or 0)
    known = w.due.get((id(facts), slug, last, needed, today))
    if known is None:
        due = [week for week in facts.weeks.get(slug, []) if week.due_on < today][-last:] if last else []
        title = facts.programme_titles.get(slug, slug)
        known = w.due[(id(facts), slug, last, needed, today)] = (
            w.weeks % {"min": needed, "last": last, "programme": title}, due, facts)  # facts kept: its id stays its own
    label, due, _facts = known
    failed = [week for week in due if (user_id, week.exam_id) not in facts.passed]
    passed = len(due) - len(failed)
    met = passed >= needed
    values = {"passed": passed, "n": len(due), "min": needed, "last": last}
    parts = [(w.weeks_passed if met else w.weeks_short)[len(due) != 1] % values]
    if len(due) < last:
        parts.append(w.weeks_due[len(due) != 1] % {"n": len(due)})
    parts += [w.week_failed % {"n": week.number} for week in failed]
    return Condition(WEEKS, label, met, w.semicolon.join(parts))


def evaluate(user_id: int, rule: EligibilityRule, facts: Facts, today: date | None = None,
             words: Words | None = None, requirements: dict | None = None, seen: dict | None = None) -> Verdict:
    """The verdict of ``rule`` for one person, from facts already read.
    ``seen`` keeps the person's conditions already worked out for another
    rule (most rules ask for the same certificate)."""
    today = today or clock.today()
    w = words or Words()
    req = requirements if requirements is not None else rule.requirements
    seen = {} if seen is None else seen
    conditions = []
    for slug in req.get("certifications") or []:
        key = (CERTIFICATION, slug)
        if key not in seen:
            seen[key] = certificate_condition(slug, user_id, facts, today, w)
        conditions.append(seen[key])
    for entry in req.get("tenure") or []:
        key = (TENURE, tuple(entry.get("positions") or ()), entry.get("months"))
        if key not in seen:
            seen[key] = _tenure(entry, user_id, facts, today, w)
        conditions.append(seen[key])
    if req.get("signoff"):
        conditions.append(_signoff(user_id, facts, w))
    if req.get("weeks_passed"):
        conditions.append(_weeks_passed(req["weeks_passed"], user_id, facts, today, w))
    return Verdict(rule, tuple(conditions))


def evaluate_people(user_ids: list[int] | None, rules: list[EligibilityRule], today: date | None = None
                    ) -> tuple[Facts, dict[int, list[Verdict]]]:
    """Every rule for every person (None: everybody with a position), in a
    fixed number of statements."""
    today = today or clock.today()
    facts = facts_mod.load(user_ids, rules, today)
    ids = user_ids if user_ids is not None else sorted(facts.stints)
    words = Words()
    parsed = [(rule, rule.requirements) for rule in rules]
    out = {}
    for uid in ids:
        seen: dict = {}
        out[uid] = [evaluate(uid, rule, facts, today, words, req, seen) for rule, req in parsed]
    return facts, out


def explain(user, rule: EligibilityRule, today: date | None = None) -> Verdict:
    """One person, one rule (e.g. ``eligibility.explain(user, rule)``)."""
    today = today or clock.today()
    return evaluate(user.id, rule, facts_mod.load([user.id], [rule], today), today)


def verdicts_for(user, today: date | None = None) -> list[Verdict]:
    """Every rule in force, for one person."""
    rules = facts_mod.active_rules()
    return evaluate_people([user.id], rules, today)[1][user.id] if rules else []


def gate(user, position: str) -> list[tuple[str, list[str]]]:
    """The position gate (``lms.org.position_gates``): for each rule in force
    whose target is ``position``, its title and the unmet conditions with
    evidence (empty: eligible). ``user`` None is a person not yet created (an
    import row): no records. Decided as of today, when HR records the move."""
    rules = facts_mod.active_rules(position)
    if not rules:
        return []
    today = clock.today()
    user_id = user.id if user is not None else 0  # no person has id 0: nothing is found
    loaded = facts_mod.load([user_id], rules, today)
    out = []
    for rule in rules:
        verdict = evaluate(user_id, rule, loaded, today)
        out.append((rule.title, [str(c) for c in verdict.unmet]))
    return out


def gate_for(people, positions: set[str]):
    """The position gate for many moves at once (the people import): the
    rules guarding ``positions`` and the facts about ``people`` read once, in
    a fixed number of statements, then each move answered as ``gate`` would
    (the same words). Anyone else, or another position, is asked one by one."""
    rules = [rule for rule in facts_mod.active_rules() if rule.target in positions]
    if not rules:
        return lambda user, position: [] if position in positions else gate(user, position)
    today = clock.today()
    ids = {person.id for person in people}
    # Someone not yet created (id 0, nothing found) is read too: the certifications' titles come with the facts.
    loaded = facts_mod.load(sorted(ids) or [0], rules, today)
    words = Words()
    guarding: dict[str, list] = {}
    for rule in rules:
        guarding.setdefault(rule.target, []).append((rule, rule.requirements))

    def prepared(user, position: str) -> list[tuple[str, list[str]]]:
        if position not in positions or (user is not None and user.id not in ids):
            return gate(user, position)
        user_id = user.id if user is not None else 0
        return [(rule.title, [str(c) for c in evaluate(user_id, rule, loaded, today, words, req).unmet])
                for rule, req in guarding.get(position, ())]

    return prepared
