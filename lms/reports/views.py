"""The roster, branch totals, overdue list, rankings and their downloads, for
trainers, HR and administrators (the whole bank) and branch managers (their
branch tree, ``lms.org.scope``). Views read the filter from the query string,
check it against the viewer's scope (a branch or person outside it: 404) and
hand it to the report modules; nothing here changes anything."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms import clock
from lms.extensions import db
from lms.org import scope as org_scope
from lms.org.branch_filter import branch_choices, chosen_subtree
from lms.org.models import POSITIONS, User
from lms.programmes import services as programme_services
from lms.query_dates import query_date
from lms.reports import chart, exports, labels, quarters as quarter_rules, rankings as ranking_rules, tables
from lms.reports import roster as reports
from lms.reports.cells import STATES, roster_weeks
from lms.reports.members import roster_members
from lms.reports.overdue_page import overdue_page
from lms.text_search import search_text
from lms.web import render_page_or_partial, roles_required

bp = Blueprint("reports", __name__, url_prefix="/reports")
VIEWERS = ("trainer", "hr", "branch_manager")


def _scope():
    return org_scope.branch_scope(current_user._get_current_object())


def _programme(programmes):
    """The programme asked for (404 if unknown), or the first one."""
    wanted = request.args.get("programme", type=int)
    if wanted is None:
        return programmes[0] if programmes else None
    found = next((p for p in programmes if p.id == wanted), None)
    if found is None:
        abort(404)
    return found


def _filter(programme, scope) -> reports.RosterFilter:
    args = request.args
    branch_ids = chosen_subtree(args.get("branch", type=int), scope)
    weeks = {w.id for w in roster_weeks(programme)} if programme else set()
    week_id = args.get("week", type=int)
    quarter = args.get("quarter", "")
    return reports.RosterFilter(
        q=search_text(), branch_ids=branch_ids,
        position=args.get("position", "") if args.get("position", "") in POSITIONS else "",
        week_id=week_id if week_id in weeks else None,
        state=args.get("state", "") if args.get("state", "") in STATES else "",
        quarter=quarter if quarter in {q.id for q in _quarters(programme)} else "")


def _quarters(programme) -> list:
    """A quarterly requirement's quarters (the roster's columns), for the quarter filter."""
    if programme is None or programme.recurring != programme_services.QUARTERLY:
        return []
    return quarter_rules.quarters(programme, clock.today())


def _query(programme, flt: reports.RosterFilter, **extra) -> dict:
    """The query string that reproduces the page (pager, downloads)."""
    q = {"programme": programme.id if programme else "", "q": flt.q, "branch": request.args.get("branch", type=int),
         "position": flt.position, "week": flt.week_id, "quarter": flt.quarter,
         "state": flt.state, **extra}
    return {k: v for k, v in q.items() if v}


def _context(page: str):
    scope = _scope()
    programmes = reports.programmes()
    programme = _programme(programmes)
    flt = _filter(programme, scope)
    return scope, programmes, programme, flt, {
        "page_name": page, "programmes": programmes, "programme": programme, "flt": flt,
        "branch_choices": branch_choices(scope), "states": labels.STATE_LABELS, "state_codes": STATES,
        "weeks": roster_weeks(programme) if programme else [], "quarters": _quarters(programme),
        "quarterly": programme is not None and programme.recurring == programme_services.QUARTERLY, "query": _query(programme, flt),
        "cell_text": labels.cell_text, "cell_class": labels.cell_class, "whole_bank": scope is None,
        "xlsx_cells": 0, "xlsx_max": exports.XLSX_MAX_CELLS}


@bp.get("/roster")
@roles_required(*VIEWERS)
def roster():
    scope, _p, programme, flt, ctx = _context("roster")
    result = reports.build(programme, scope, flt, page=request.args.get("page", 1, type=int)) if programme else None
    if result is not None:
        ctx["xlsx_cells"] = _roster_cells(result)
    return render_page_or_partial("reports/roster.html", "reports/_roster_rows.html", roster=result, **ctx)


@bp.get("/totals")
@roles_required(*VIEWERS)
def totals():
    scope, _p, programme, flt, ctx = _context("totals")
    result = reports.totals(programme, scope, flt) if programme else None
    return render_page_or_partial("reports/totals.html", "reports/_totals_table.html", totals=result, **ctx)


@bp.get("/overdue")
@roles_required(*VIEWERS)
def overdue():
    scope, _p, programme, flt, ctx = _context("overdue")
    listing = overdue_page(programme, scope, flt, page=request.args.get("page", 1, type=int)) if programme else None
    ctx["xlsx_cells"] = listing.total * OVERDUE_COLUMNS if listing else 0
    return render_page_or_partial("reports/overdue.html", "reports/_overdue_rows.html", listing=listing, **ctx)


def _rankings_args(programme, scope):
    args = request.args
    period = args.get("period", "programme")
    period = period if period in ranking_rules.PERIODS else "programme"
    start, end = query_date("from"), query_date("to")
    first_day, last_day = ranking_rules.period_dates(period, programme, clock.today(), start, end)
    top_arg = args.get("top", "10")
    top = None if top_arg == "all" else (int(top_arg) if top_arg in ("10", "20", "50") else 10)
    return period, first_day, last_day, top


@bp.get("/rankings")
@roles_required(*VIEWERS)
def rankings():
    scope, _p, programme, flt, ctx = _context("rankings")
    result = completion = None
    period, first_day, last_day, top = "programme", None, None, 10
    if programme is not None:
        period, first_day, last_day, top = _rankings_args(programme, scope)
        members = roster_members(programme, scope)  # once for both: the audience of 5,000 people is not free
        result = ranking_rules.rankings(programme, scope, first_day, last_day, flt.branch_ids, top, members)
        weekly = reports.totals(programme, scope, reports.RosterFilter(branch_ids=flt.branch_ids), members=members,
                                passes_only=True)  # the chart shows completion alone
        completion = {"totals": weekly, "chart": chart.completion_chart(weekly)}
    ctx["query"] = {k: v for k, v in {"programme": programme.id if programme else "", "branch": ctx["query"].get(
        "branch"), "period": period, "from": first_day, "to": last_day, "top": "all" if top is None else top}.items()
        if v}
    return render_template("reports/rankings.html", result=result, completion=completion, period=period,
                           top=top, periods=ranking_rules.PERIODS, **ctx)


@bp.get("/people/<int:user_id>")
@roles_required(*VIEWERS)
def person(user_id: int):
    """One learner's weeks in every programme they are in (the learner's own
    words: ``lms.programmes.services``); 404 outside the viewer's branches."""
    person = db.session.get(User, user_id)
    if person is None or not org_scope.may_see_person(current_user._get_current_object(), person):
        abort(404)
    overview = [(p, programme_services.programme_weeks(person, p)) for p in programme_services.programmes_for(person)]
    return render_template("reports/person.html", person=person, overview=overview, today=clock.today())


EXPORTS = ("roster", "totals", "overdue", "rankings-learners", "rankings-branches")
OVERDUE_COLUMNS = 8  # 工号, name, branch, position, week, due, days, status (``tables.overdue_table``)


def _roster_cells(result) -> int:
    """The cells of the roster's download: every row (not one page) × 工号, name, branch, position and the weeks."""
    return result.total * (4 + len(result.weeks))


def _too_large(table: str, programme, flt, cells: int):
    """An XLSX a worker could not finish (``exports.XLSX_MAX_CELLS``): back to the page, which
    says so next to the link (a link typed or kept from before the data grew)."""
    shown = f"{cells:,}"
    flash(_("Too large for XLSX (about %(cells)s cells): download CSV, or choose a branch or a week first.",
            cells=shown), "error")
    return redirect(url_for(f"reports.{table}", **_query(programme, flt)))


@bp.get("/export/<table>.<fmt>")
@roles_required(*VIEWERS)
def export(table: str, fmt: str):
    """A table as XLSX or CSV, with the page's filters and scope, every row."""
    if table not in EXPORTS or fmt not in ("xlsx", "csv"):
        abort(404)
    scope, _p, programme, flt, _ctx = _context(table)
    if programme is None:
        abort(404)
    if table == "roster":
        result = reports.build(programme, scope, flt, page=None)
        if fmt == "xlsx" and _roster_cells(result) > exports.XLSX_MAX_CELLS:
            return _too_large(table, programme, flt, _roster_cells(result))
        headers, rows = tables.roster_table(result)
        title = _("Roster")
    elif table == "totals":
        headers, rows = tables.totals_table(reports.totals(programme, scope, flt))
        title = _("Branch totals")
    elif table == "overdue":
        lines = reports.overdue_lines(programme, scope, flt)
        if fmt == "xlsx" and len(lines) * OVERDUE_COLUMNS > exports.XLSX_MAX_CELLS:
            return _too_large(table, programme, flt, len(lines) * OVERDUE_COLUMNS)
        headers, rows = tables.overdue_table(lines, quarterly=programme.recurring == programme_services.QUARTERLY)
        title = _("Overdue")
    else:
        _period, first_day, last_day, top = _rankings_args(programme, scope)
        result = ranking_rules.rankings(programme, scope, first_day, last_day, flt.branch_ids, top)
        make = tables.learner_rankings_table if table == "rankings-learners" else tables.branch_rankings_table
        headers, rows = make(result)
        title = _("Rankings")
    stamp = clock.today().isoformat()
    # CSV: sent a block of rows at a time as they are made; XLSX: written row by row into a temporary
    # file (the roster's rows are made as they are written).
    body = exports.csv_blocks(headers, rows) if fmt == "csv" else exports.xlsx_file(title, headers, rows)
    return exports.download(body, fmt, exports.file_name(title, programme.title, stamp),
                            f"{table}-{programme.slug}-{stamp}")
