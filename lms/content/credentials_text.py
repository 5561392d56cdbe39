"""Certification and eligibility-rule requirements in words, in the reader's
language: "客户经理准入考试 ≥ 80 分", "在柜员岗位满 12 个月", "师傅出师评价",
"完成 客户经理基础培训", "持有效的客户经理上岗资格".

The API, for the definition pages and for whoever lists what a person still
misses (certificates, eligibility):

    describe_certification_requirements(requires, titles=None) -> [Requirement]
    describe_rule_requirements(requires, titles=None) -> [Requirement]
    describe_tenure({"positions": [...], "months": n}) -> str
    describe_weeks_passed({"programme": slug, "last": n, "min": m}, titles=None) -> str
    describe_validity(validity_months, renewal_window_days) -> str
    target_label("rm_junior" | "mentor") -> str

``requires`` is the stored dict (``Certification.requirements`` /
``EligibilityRule.requirements``, content/FORMAT.md). Each ``Requirement``
has ``kind`` (programme, exam, signoff, tenure, certification, weeks_passed),
``text``, ``ref`` (the slug of the programme, exam or certification it
names, else None) and ``index`` (its place in its list, e.g. ``exams[1]``, so
a caller can pair it with its own evidence), in this order: programmes,
exams, sign-off, tenure (certifications); certifications, tenure, sign-off,
weeks passed (rules). Titles of programmes,
exams and certifications are read in one query per kind; pass one
``Titles()`` to several calls to share the reads.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import select

from lms.content.models import Certification, Exam, Programme
from lms.extensions import db
from lms.numbers import counted
from lms.org.models import POSITIONS


@dataclass(frozen=True)
class Requirement:
    kind: str  # programme | exam | signoff | tenure | certification | weeks_passed
    text: str
    ref: str | None = None  # the slug it names, if any
    index: int = 0  # its place in its list (exams[index], tenure[index], ...)


@dataclass
class Titles:
    """Titles by slug, read on first use (one query per kind); the slug when
    nothing by that name is published."""
    _cache: dict[str, dict[str, str]] = field(default_factory=dict)

    def _load(self, kind: str) -> dict[str, str]:
        if kind not in self._cache:
            model = {"programme": Programme, "exam": Exam, "certification": Certification}[kind]
            self._cache[kind] = dict(db.session.execute(select(model.slug, model.title)).all())
        return self._cache[kind]

    def __call__(self, kind: str, slug: str) -> str:
        return self._load(kind).get(slug, slug)


def target_label(target: str) -> str:
    """A rule's target in words: a position's label, or the mentor role."""
    if target == "mentor":
        return pgettext("eligibility target", "Mentor")
    return str(POSITIONS.get(target, target))


def _positions(codes: list[str]) -> str:
    return pgettext("list separator", ", ").join(str(POSITIONS.get(code, code)) for code in codes)


def describe_tenure(entry: dict) -> str:
    """"在柜员岗位满 12 个月"; several positions: months summed across them."""
    positions = entry.get("positions", [])
    if len(positions) == 1:
        return counted("%(num)s month as %(position)s", "%(num)s months as %(position)s", entry["months"],
                       position=_positions(positions))
    return counted("%(num)s month in total as %(positions)s", "%(num)s months in total as %(positions)s",
                   entry["months"], positions=_positions(positions))


def _score(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def describe_certification_requirements(requires: dict, titles: Titles | None = None) -> list[Requirement]:
    titles = titles or Titles()
    out = [Requirement("programme", _("Complete %(programme)s", programme=titles("programme", slug)), slug, i)
           for i, slug in enumerate(requires.get("programmes", []))]
    # min_score is a percent of the exam's points (its pass mark's scale), not points.
    out += [Requirement("exam", _("%(exam)s ≥ %(score)s%%", exam=titles("exam", e["exam"]),
                                  score=_score(e["min_score"])), e["exam"], i)
            for i, e in enumerate(requires.get("exams", []))]
    if requires.get("signoff"):
        out.append(Requirement("signoff", _("A mentor's sign-off")))
    out += [Requirement("tenure", describe_tenure(t), None, i) for i, t in enumerate(requires.get("tenure", []))]
    return out


def describe_weeks_passed(weeks: dict, titles: Titles | None = None) -> str:
    programme = (titles or Titles())("programme", weeks["programme"])
    if weeks["min"] >= weeks["last"]:
        return _("Every one of the last %(last)s due weeks of %(programme)s passed", last=weeks["last"],
                 programme=programme)
    return _("At least %(min)s of the last %(last)s due weeks of %(programme)s passed", min=weeks["min"],
             last=weeks["last"], programme=programme)


def describe_rule_requirements(requires: dict, titles: Titles | None = None) -> list[Requirement]:
    titles = titles or Titles()
    out = [Requirement("certification", _("A valid %(certification)s", certification=titles("certification", slug)),
                       slug, i) for i, slug in enumerate(requires.get("certifications", []))]
    out += [Requirement("tenure", describe_tenure(t), None, i) for i, t in enumerate(requires.get("tenure", []))]
    if requires.get("signoff"):
        out.append(Requirement("signoff", _("A mentor's sign-off")))
    if requires.get("weeks_passed"):
        weeks = requires["weeks_passed"]
        out.append(Requirement("weeks_passed", describe_weeks_passed(weeks, titles), weeks["programme"]))
    return out


def describe_validity(validity_months: int | None, renewal_window_days: int) -> str:
    """"有效期 24 个月，到期前 90 天可续期" / "长期有效"."""
    if validity_months is None:
        return _("Never expires")
    return _("Valid for %(months)s months; renewal opens %(days)s days before expiry", months=validity_months,
             days=renewal_window_days)
