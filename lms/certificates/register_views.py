"""HR's certificate register and expiry lists (HR and branch managers, the
latter their branches only), with their CSV/XLSX downloads, and the holders
a corrected answer key re-graded to a fail. The register and the expiry list
both let HR choose certificates to renew at once (``renewal_views``)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import pgettext

from lms import clock, printable
from lms.certificates import expiry, queries, signoff_review
from lms.certificates.blueprint import READERS, bp
from lms.certificates.blueprint import labels as _labels
from lms.certificates.blueprint import scope as _scope
from lms.certificates.blueprint import viewer as _viewer
from lms.certificates.forms import RenewalSelectionForm
from lms.certificates.models import Certificate, CertificateState
from lms.certificates.regraded import regraded_holders
from lms.content.models import Certification
from lms.extensions import db
from lms.ids import DB_INT_MAX, db_int
from lms.org import leavers
from lms.org.branch_filter import branch_choices, chosen_subtree
from lms.org.models import POSITIONS
from lms.query_dates import query_date
from lms.reports import exports
from lms.text_search import search_text
from lms.web import render_page_or_partial, roles_required

WITHIN = (30, 60, 90)


# --- HR: the register -----------------------------------------------------------

def _branch_ids(scope, branch_id: int | None = None) -> list[int] | None:
    """The branch filter (``?branch=``, or ``branch_id``) and its sub-branches; 404 outside ``scope``."""
    return chosen_subtree(branch_id or request.args.get("branch", type=db_int), scope)


def _certification_id(wanted: int | None = None) -> int | None:
    wanted = wanted or request.args.get("certification", type=db_int)
    if wanted and (abs(wanted) > DB_INT_MAX or db.session.get(Certification, wanted) is None):
        abort(404)
    return wanted or None


def _position() -> str:
    position = request.args.get("position", "")
    return position if position in POSITIONS else ""


def _as_on() -> date | None:
    """``?on=YYYY-MM-DD``: the register as on that day (an auditor's "who held a valid certificate on …")."""
    return query_date("on")


def _register_filter(scope) -> queries.RegisterFilter:
    state = request.args.get("state", "")
    return queries.RegisterFilter(q=search_text(), branch_ids=_branch_ids(scope),
                                  certification_id=_certification_id(),
                                  state=state if state in queries.STATE_LABELS else "",
                                  unprintable=request.args.get("name") == "unprintable", on=_as_on())


def _query_args(**extra) -> dict:
    keys = ("q", "branch", "certification", "state", "within", "name", "on", "position")
    return {k: v for k, v in {**{k: request.args.get(k) for k in keys}, **extra}.items() if v}


@bp.get("/")
@roles_required(*READERS)
def register():
    scope = _scope()
    flt = _register_filter(scope)
    page = queries.register(scope, flt, page=request.args.get("page", 1, type=int))
    # HR renews expired certificates from here too: not as on a past day (what was then is not renewed),
    # nor while the filter shows another state.
    may_renew = _viewer().has_role("hr") and flt.on is None and flt.state in ("", CertificateState.EXPIRED)
    return render_page_or_partial(
        "certificates/register.html", "certificates/_register_rows.html", page=page, flt=flt,
        branch_choices=branch_choices(scope), certifications=queries.certifications(include_retired=True),
        query=_query_args(), whole_bank=scope is None, today=clock.today(),
        awaiting=signoff_review.awaiting_decision(scope), will_not_print=_will_not_print(page.rows),
        left=leavers.leaving_dates(c.user_id for c in page.rows), as_of=flt.on, may_renew=may_renew,
        to_renew=queries.count(scope, to_renew(flt)) if may_renew else 0,
        choosable=queries.among(scope, to_renew(flt), [c.id for c in page.rows]) if may_renew else set(),
        renewed_since={} if flt.on else queries.renewed_since(page.rows),
        selection=RenewalSelectionForm(formdata=None), **_labels())


def to_renew(flt: queries.RegisterFilter) -> queries.RegisterFilter:
    """The register's filter narrowed to the certificates a bulk renewal from it takes: the expired ones
    that are their holder's newest (whatever state the filter shows), today."""
    return replace(flt, state="", on=None, to_renew=True)


def register_filter(scope, q: str, branch_id: int | None, certification_id: int | None,
                    unprintable: bool) -> queries.RegisterFilter:
    """The register's filter from a bulk renewal's selection (the values its form sent back)."""
    return queries.RegisterFilter(q=(q or "").strip(), branch_ids=_branch_ids(scope, branch_id),
                                  certification_id=_certification_id(certification_id), unprintable=unprintable)


def _will_not_print(certificates) -> dict[int, str]:
    """{id: which characters print as a box} of the certificates whose printed name will not print."""
    out = {}
    for certificate in certificates:
        if problems := printable.unprintable(certificate.holder_name):
            out[certificate.id] = printable.listed(problems)
    return out


def _download(name: str, title: str, headers: list[str], rows, fmt: str) -> Response:
    """``rows``: a list or a generator (the register's, read as it is written)."""
    stamp = clock.today().isoformat()
    body = exports.csv_blocks(headers, rows) if fmt == "csv" else exports.xlsx_file(title, headers, rows)
    return exports.download(body, fmt, exports.file_name(title, stamp), f"{name}-{stamp}")


def _left_cell(c: Certificate, left: dict):
    """The day the holder left the bank; a word when the day is not recorded; empty while at work."""
    if c.user_id not in left:
        return None
    return left[c.user_id] or _("No longer at the bank")


def _row(c: Certificate, today, left: dict, on: date | None = None) -> list:
    """One certificate as the download has it: the state today (or as ``on`` that day), and every change
    with who and why — issued (by whom, HR's reason), revoked (when, by whom, why), superseded (when)."""
    state = c.state_on(on) if on else c.state(today)
    return [c.serial, c.holder.name, c.holder.employee_no, c.holder.branch.name if c.holder.branch else "",
            c.certification.title, c.issued_on, c.expires_on, str(queries.STATE_LABELS[state]),
            clock.local_date(c.revoked_at) if c.revoked_at else None, c.revoke_reason, c.holder_name,
            printable.listed(problems) if (problems := printable.unprintable(c.holder_name)) else "",
            _left_cell(c, left), _issued_by(c), c.issue_reason, _person(c.revoked_by),
            clock.local_date(c.superseded_at) if c.superseded_at else None]


def _person(user) -> str:
    return f"{user.name} ({user.employee_no})" if user is not None else ""


def _issued_by(c: Certificate) -> str:
    return _person(c.issued_by) if c.issued_by_id else _("automatically (requirements met)")


def _headers(on: date | None = None) -> list[str]:
    state = _("State on %(d)s", d=on.isoformat()) if on else _("State")
    return [_("Serial number"), _("Name"), _("Employee number"), _("Branch"), _("Certification"), _("Issued"),
            _("Expires"), state, _("Revoked on"), _("Revocation reason"), _("Name printed on the certificate"),
            _("Characters that will not print"), _("Left the bank on"), pgettext("person", "Issued by"),
            _("Reason for issuing"), _("Revoked by"), _("Superseded on")]


@bp.get("/export.<fmt>")
@roles_required(*READERS)
def export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    scope = _scope()
    today = clock.today()
    left = leavers.leaving_dates()  # everyone who left: one query, however long the register
    flt = _register_filter(scope)
    rows = (_row(c, today, left, flt.on) for c in queries.register_rows(scope, flt))
    return _download("certificates", _("Certificate register"), _headers(flt.on), rows, fmt)


def _within(within: int | None = None) -> int:
    within = within or request.args.get("within", 90, type=int)
    return within if within in WITHIN else 90


def expiring_rows(scope, within: int | None = None, branch_id: int | None = None,
                  certification_id: int | None = None, position: str | None = None) -> list[Certificate]:
    """The expiry list as its filter (the query string, or the values given: a bulk renewal's
    "every certificate the list shows") reads it, inside ``scope``."""
    branch_ids = _branch_ids(scope, branch_id)
    if branch_ids is None:
        branch_ids = scope
    position = position if position in POSITIONS else _position() if position is None else ""
    return expiry.expiring(_within(within), branch_ids=branch_ids,
                           certification_id=_certification_id(certification_id), position=position or None)


@bp.get("/expiring")
@roles_required(*READERS)
def expiring():
    scope = _scope()
    return render_page_or_partial(
        "certificates/expiring.html", "certificates/_expiring_rows.html", rows=expiring_rows(scope),
        within=_within(), choices=WITHIN, branch_choices=branch_choices(scope),
        certifications=queries.certifications(include_retired=True), query=_query_args(within=_within()),
        whole_bank=scope is None, today=clock.today(), timedelta=timedelta, may_renew=_viewer().has_role("hr"),
        selection=RenewalSelectionForm(formdata=None), **_labels())


@bp.get("/expiring/export.<fmt>")
@roles_required(*READERS)
def expiring_export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    today = clock.today()
    headers = [*_headers()[:7], _("Days left")]
    rows = [[*_row(c, today, {})[:7], (c.expires_on - today).days] for c in expiring_rows(_scope())]
    return _download(f"certificates-expiring-{_within()}", _("Expiring"), headers, rows, fmt)


@bp.get("/regraded")
@roles_required(*READERS)
def regraded():
    """Holders whose qualifying pass a corrected answer key re-graded to a fail
    (lms.certificates.regraded): never revoked automatically, HR decides."""

    return render_template("certificates/regraded.html", rows=regraded_holders(_scope()), **_labels())


