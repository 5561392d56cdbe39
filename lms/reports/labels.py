"""The words of a roster cell, for the pages and the downloads alike (the
same words as the learner's own week page)."""
from __future__ import annotations

from flask import g, has_request_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.scores import score

STATE_LABELS = {
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "grading": _l("Waiting for grading"),
    "failed": _l("Failed"),
    "passed": _l("Passed"),
    "overdue": _l("Overdue"),
    "catch_up": _l("Catch-up"),
    "not_open": _l("Not open yet"),
}


def cell_text(cell) -> str:
    """One cell as a line of text: 已通过 85%（2 次）, 未通过 ×2, 逾期 · 未开始 …
    (A roster repeats few distinct cells: each is worded once per request.)
    A quarter's cell (``lms.reports.quarters``): 已完成 2026-09-12, 逾期未完成 · 未开始,
    2026-12-31 前完成, 未到期."""
    if getattr(cell, "quarter", False):
        return quarter_text(cell)
    key = (cell.status, cell.overdue, cell.catch_up, cell.finished, cell.percent)
    memo = g.setdefault("lms_cell_texts", {}) if has_request_context() else {}
    if key not in memo:
        memo[key] = _cell_text(cell)
    return memo[key]


def cell_texts():
    """``cell_text`` for the million cells of a download: the words of each distinct cell made
    once, in a dictionary of this download's own (``cell_text`` asks the request's ``g`` each
    time, a quarter of the roster download's CPU)."""
    memo: dict = {}

    def text(cell) -> str:
        if getattr(cell, "quarter", False):
            return quarter_text(cell)
        key = (cell.status, cell.overdue, cell.catch_up, cell.finished, cell.percent)
        found = memo.get(key)
        if found is None:
            found = memo[key] = _cell_text(cell)
        return found

    return text


def _cell_text(cell) -> str:
    if cell.status == "passed":
        text = _("Passed %(p)s%% (%(n)d attempts)", p=score(cell.percent), n=cell.finished) if cell.finished != 1 \
            else _("Passed %(p)s%%", p=score(cell.percent))
    elif cell.status == "failed":
        text = _("Failed ×%(n)d", n=cell.finished)
    else:
        text = str(STATE_LABELS.get(cell.status, cell.status))
    if cell.overdue:
        return _("Overdue · %(s)s", s=text)
    if cell.catch_up:
        return _("Catch-up · %(s)s", s=text)
    return text


def quarter_text(cell) -> str:
    """A quarter of a quarterly requirement, as a compliance officer reads it."""
    if cell.state == "done":
        return _("Done %(date)s", date=cell.on.isoformat())
    if cell.state == "not_due":
        return _("Not yet due")
    if cell.state == "not_required":
        return _("Not required (joined later)")
    if cell.status == "failed":
        status = _("Failed ×%(n)d", n=cell.finished)
    else:
        status = str(STATE_LABELS.get(cell.status, cell.status))
    if cell.state == "missed":
        return _("Missed · %(s)s", s=status)
    if cell.status == "not_started":
        return _("Due by %(date)s", date=cell.on.isoformat())
    return _("Due by %(date)s · %(s)s", date=cell.on.isoformat(), s=status)


def cell_class(cell) -> str:
    """The CSS class of a cell: ok, bad, warn or none."""
    if getattr(cell, "quarter", False):
        return {"done": "ok", "missed": "bad", "due": "warn" if cell.status != "not_started" else ""}.get(
            cell.state, "")
    if cell.status == "passed":
        return "ok"
    if cell.overdue or cell.status == "failed":
        return "bad"
    if cell.status in ("in_progress", "grading") or cell.catch_up:
        return "warn"
    return ""
