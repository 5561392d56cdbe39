"""Renewing many certificates at once: HR chooses them on the expiry list,
reads what would happen to each, and confirms with one reason.

A bulk renewal is the one-by-one renewal (续期（人工发证） on a
certificate's page: a manual issue, ``issuing.issue`` with HR's reason)
made for each certificate chosen, by the same rules, written once here
(``refusal``; the certificate's page asks it before offering 续期):

- not renewed: a revoked certificate (after a revocation HR issues again by
  hand), one already replaced (superseded, or its holder holds a newer one of
  the certification), one whose holder has left the bank, one of a retired
  certification, HR's own (``lms.own_case``), and one issued today (the
  manual issue's "not twice on one day");
- the requirements are read as the issue form shows them: a holder who does
  not meet every one is renewed only when HR says so, and the unmet ones are
  kept in the new certificate's evidence, as by hand;
- the new certificate's expiry is the manual issue's (``issuing.expiry_of_new``):
  inside the renewal window it runs on from the old expiry, otherwise from today.

Each renewal is its own short transaction (as ``flask certificates
issue-batch``): the certificate is read again under the lock an issue takes,
so one revoked or renewed by a colleague since the confirmation page was
read is not renewed (and is named with the reason) while the others are.
The audit log records each renewal as the one-by-one path does
(``certificate.issued`` with HR's reason, ``certificate.superseded``); the
PDFs are rendered at their first download (``issuing.stored_pdf``), so a
renewal of hundreds does not wait for hundreds of renders."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms import clock
from lms.audit import services as audit
from lms.certificates import issuing
from lms.certificates.models import Certificate
from lms.certificates.requirements import Evaluation, evaluate
from lms.database import transaction
from lms.extensions import db
from lms.org import leavers
from lms.org.models import User
from lms.own_case import own_case

LIMIT = 300  # renewed in one action: one request (37 ms each on SQLite, 69 on PostgreSQL: inside the 60-s timeout)


class RenewalError(ValueError):
    """The whole action is refused (the message says why, for the user)."""


class _NotRenewed(Exception):
    """One certificate is not renewed after all (read again under the lock)."""


# Why a certificate is not renewed, by code: a batch's outcome keeps the code and its values, and its
# result page says it in the reader's language (``Why``).
REASONS = {
    "revoked": _l("Revoked on %(day)s: a revoked certificate is not renewed. Issue a new one by hand once the holder "
                  "qualifies again."),
    "replaced": _l("Already replaced: the holder holds %(serial)s, issued %(day)s."),
    "left": _l("The holder left the bank on %(day)s."),
    "inactive": _l("The holder no longer works at the bank."),
    "retired": _l("The certification is retired."),
    "own": _l("This is your own certificate: another HR colleague renews it."),
    "today": _l("Issued today: it is renewed already."),
    "unmet": _l("Does not meet every requirement, and you chose to renew only those who do."),
}


@dataclass(frozen=True)
class Why:
    """Why one certificate is not renewed: a code of ``REASONS`` and its values, or (``code`` "refused")
    the issue's own message, kept as it was said."""
    code: str
    values: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        values = dict(self.values)
        if self.code not in REASONS:
            return values.get("message", "")
        return str(REASONS[self.code]) % values

    def stored(self) -> list:
        return [self.code, dict(self.values)]

    @classmethod
    def from_stored(cls, value) -> Why:
        code, values = value
        return cls(str(code), tuple(sorted((str(k), str(v)) for k, v in dict(values).items())))


def _why(code: str, **values) -> Why:
    return Why(code, tuple(sorted(values.items())))


def refusal(certificate: Certificate, actor, *, newer: Certificate | None, left_on: date | None,
            today: date) -> Why | None:
    """Why ``certificate`` is not renewed by ``actor`` (None: it may be). ``newer``: the holder's newest
    certificate of the certification when it is not this one; ``left_on``: the day the holder left."""
    if certificate.revoked_at is not None:
        return _why("revoked", day=clock.local_date(certificate.revoked_at).isoformat())
    if newer is not None:
        return _why("replaced", serial=newer.serial, day=newer.issued_on.isoformat())
    if not certificate.holder.active:
        return _why("left", day=left_on.isoformat()) if left_on is not None else _why("inactive")
    if certificate.certification.retired:
        return _why("retired")
    if own_case(actor, certificate.user_id):
        return _why("own")
    if certificate.issued_on == today and certificate.is_valid(today):
        return _why("today")
    return None


def newer_than(certificate: Certificate, among: list[Certificate]) -> Certificate | None:
    """The holder's newest certificate of the same certification, if it is not ``certificate``
    (``among``: the holder's certificates, newest first, as ``issuing.holder_certificates``)."""
    rows = [c for c in among if c.certification_id == certificate.certification_id]
    return rows[0] if rows and rows[0].id != certificate.id else None


def renewable(certificate: Certificate, actor) -> bool:
    """Whether the certificate's page offers 续期 (the rule of a bulk renewal, for one)."""
    left = leavers.leaving_dates([certificate.user_id]) if not certificate.holder.active else {}
    newer = newer_than(certificate, issuing.holder_certificates(certificate.user_id, certificate.certification_id))
    return refusal(certificate, actor, newer=newer, left_on=left.get(certificate.user_id),
                   today=clock.today()) is None


@dataclass
class Item:
    certificate: Certificate
    refusal: Why | None = None
    evaluation: Evaluation | None = None
    expires_on: date | None = None  # the new certificate's
    runs_on: bool = False  # from the old expiry (renewed inside the window)
    days_lost: int = 0  # of the valid one, renewed before its window: the new one runs from today

    @property
    def unmet(self) -> list[str]:
        return [c.text for c in self.evaluation.unmet] if self.evaluation is not None else []


@dataclass
class Plan:
    items: list[Item]
    missing: int = 0  # ids sent that name no certificate the actor may see

    @property
    def ready(self) -> list[Item]:
        return [i for i in self.items if i.refusal is None and not i.unmet]

    @property
    def unmet(self) -> list[Item]:
        return [i for i in self.items if i.refusal is None and i.unmet]

    @property
    def refused(self) -> list[Item]:
        return [i for i in self.items if i.refusal is not None]


def plan(ids: list[int], actor, scope: list[int] | None, today: date | None = None) -> Plan:
    """What renewing the certificates ``ids`` would do, certificate by certificate, soonest expiry first.
    Ids outside the actor's ``scope`` (``lms.org.scope.branch_scope``) or naming nothing are left out
    and only counted: the page says nothing about what they name."""
    today = today or clock.today()
    wanted = sorted(set(ids))
    if len(wanted) > LIMIT:
        raise RenewalError(_("At most %(limit)s certificates are renewed at once; %(n)s were chosen. Narrow the "
                             "list (a branch, a position, a certification) and renew it in parts.",
                             limit=LIMIT, n=len(wanted)))
    query = (select(Certificate).join(User, User.id == Certificate.user_id).where(Certificate.id.in_(wanted))
             .options(joinedload(Certificate.certification), joinedload(Certificate.holder).joinedload(User.branch)))
    if scope is not None:
        query = query.where(User.branch_id.in_(scope))
    found = list(db.session.scalars(query).unique()) if wanted else []
    holders = sorted({c.user_id for c in found})
    theirs: dict[int, list[Certificate]] = {}
    if holders:
        for c in db.session.scalars(select(Certificate).where(Certificate.user_id.in_(holders))
                                    .order_by(Certificate.issued_on.desc(), Certificate.id.desc())):
            theirs.setdefault(c.user_id, []).append(c)
    left = leavers.leaving_dates(holders)
    items = []
    for certificate in sorted(found, key=lambda c: (c.expires_on or date.max, c.serial)):
        item = Item(certificate, refusal(certificate, actor, newer=newer_than(certificate, theirs[certificate.user_id]),
                                         left_on=left.get(certificate.user_id), today=today))
        if item.refusal is None:
            item.evaluation = evaluate(certificate.holder, certificate.certification)
            previous = certificate if certificate.is_valid(today) else None
            item.expires_on = issuing.expiry_of_new(certificate.certification, today, previous)
            opens = issuing.renewal_opens_on(previous) if previous is not None else None
            item.runs_on = opens is not None and today >= opens
            if previous is not None and previous.expires_on is not None and not item.runs_on:
                item.days_lost = (previous.expires_on - today).days  # as the expiry list counts them
        items.append(item)
    return Plan(items, missing=len(wanted) - len(found))


@dataclass(frozen=True)
class Line:
    """A certificate of the result page, as plain values (the session is emptied between renewals)."""
    id: int
    serial: str
    holder_name: str
    employee_no: str
    certification: str

    @classmethod
    def of(cls, certificate: Certificate) -> Line:
        return cls(certificate.id, certificate.serial, certificate.holder.name, certificate.holder.employee_no,
                   certificate.certification.title)


@dataclass(frozen=True)
class Renewed:
    old: Line
    new: Line
    expires_on: date | None
    printed_name: str  # as on the new certificate (a warning when it will not print)


@dataclass
class Done:
    renewed: list[Renewed] = field(default_factory=list)
    not_renewed: list[tuple[Line, Why]] = field(default_factory=list)  # (certificate, why)
    missing: int = 0


def renew(ids: list[int], actor, reason: str, *, include_unmet: bool, scope: list[int] | None) -> Done:
    """Renew each certificate of ``ids`` that ``plan`` finds renewable (those whose holder does not meet
    every requirement only with ``include_unmet``), each in its own transaction, with HR's ``reason``."""
    reason = (reason or "").strip()
    if not actor.has_role(*issuing.MANUAL_ROLES):
        raise RenewalError(_("Only HR renews certificates."))
    if not reason:
        raise RenewalError(_("A reason is required for a manual issue."))
    chosen = plan(ids, actor, scope)  # the requirements are read here, outside any write lock
    done = Done(missing=chosen.missing)
    work = [(Line.of(i.certificate), i.refusal, i.unmet, i.evaluation) for i in chosen.items]
    for line, why, unmet, evaluation in work:
        if why is None and unmet and not include_unmet:
            why = _why("unmet")
        if why is None:
            try:
                new = _renew_one(line.id, actor, reason, evaluation)
            except _NotRenewed as exc:
                why = exc.args[0]
            except issuing.IssueError as exc:
                why = _why("refused", message=str(exc))
            else:
                done.renewed.append(Renewed(line, Line.of(new), new.expires_on, new.holder_name))
        if why is not None:
            done.not_renewed.append((line, why))
        # Hundreds of renewals: each commit would otherwise walk every object read so far.
        db.session.expunge_all()
        db.session.add(actor)  # the signed-in user: the page is still rendered for them
    return done


def _renew_one(certificate_id: int, actor, reason: str, evaluation: Evaluation) -> Certificate:
    with transaction(immediate=True):
        # The audit log's lock first, as an issue and a revocation take it: what is read below is what
        # the last of them committed (a colleague's revocation or renewal since the page was read).
        audit.lock_the_log()
        certificate = db.session.get(Certificate, certificate_id, with_for_update=True, populate_existing=True)
        holder = db.session.get(User, certificate.user_id, populate_existing=True)
        today = clock.today()
        newer = newer_than(certificate, issuing.holder_certificates(holder.id, certificate.certification_id))
        left = leavers.leaving_dates([holder.id]) if not holder.active else {}
        why = refusal(certificate, actor, newer=newer, left_on=left.get(holder.id), today=today)
        if why is not None:
            raise _NotRenewed(why)
        return issuing.issue(holder, certificate.certification, actor=actor, reason=reason, evaluation=evaluation,
                             render_now=False)
