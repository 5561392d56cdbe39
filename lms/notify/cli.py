"""``flask notify scan`` and ``flask notify send``, for cron."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from lms.notify import scan as notify_scan
from lms.notify import sending
from lms.notify.kinds import KINDS
from lms.numbers import counted
from lms.punctuation import label, listing

notify_cli = AppGroup("notify", help="Notifications: make the time-driven ones, send what is due.")


@notify_cli.command("scan")
def scan_command():
    """Make the notifications that time brings (a week opened, due in two
    days, overdue, a retake available). Running it again makes nothing twice."""
    result = notify_scan.scan()
    made = counted("Made %(num)s notification", "Made %(num)s notifications", result.total)
    # Each kind by the name an administrator picks it by on the channel settings, never its code.
    detail = listing([f"{KINDS[kind].label if kind in KINDS else kind} ({n})"
                      for kind, n in sorted(result.made.items())])
    click.echo(label(made) + detail if detail else made)


@notify_cli.command("send")
@click.option("--limit", default=500, show_default=True, help="At most this many deliveries in one run.")
def send_command(limit: int):
    """Send every delivery that is due (e-mail, 企业微信, 钉钉), retrying
    failures with back-off; prints what happened. Exit 1 if any failed."""
    summary = sending.send_due(limit=limit)
    click.echo(f"sent {summary.sent}, to retry {summary.retrying}, failed {summary.failed}"
               + (f", withheld {summary.withheld}" if summary.withheld else ""))
    for line in summary.errors:
        click.echo(f"  {line}", err=True)
    if summary.retrying or summary.failed:
        raise SystemExit(1)
