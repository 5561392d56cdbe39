"""``flask certificates scan`` (cron, daily) and ``flask certificates issue-batch``."""
from __future__ import annotations

import time

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from lms.certificates import triggers
from lms.content.models import Certification
from lms.extensions import db
from lms.numbers import counted

certificates_cli = AppGroup("certificates", help="Certificates: the daily scan, batch issues.")


@certificates_cli.command("scan")
def scan_command():
    """Issue the certificates that tenure now allows and send the expiry
    notices (90/60/30 days). Running it again issues and sends nothing twice."""
    result = triggers.scan()
    click.echo(_("%(issued)s; expiry notices: %(holders)s, %(managers)s.",
                 issued=counted("Issued %(num)s certificate", "Issued %(num)s certificates", result.issued),
                 holders=counted("%(num)s to a holder", "%(num)s to holders", result.notices.holders),
                 managers=counted("%(num)s to a branch manager", "%(num)s to branch managers",
                                  result.notices.managers)))
    click.echo(_("Expired and not renewed: %(holders)s, %(managers)s.",
                 holders=counted("%(num)s to a holder", "%(num)s to holders", result.notices.expired_holders),
                 managers=counted("%(num)s to a branch manager", "%(num)s to branch managers",
                                  result.notices.expired_managers)))


@certificates_cli.command("issue-batch")
@click.option("--certification", "slug", required=True, help="The certification's slug (e.g. rm-qualification).")
@click.option("--programme", default=None, help="Only the members of this programme (its slug).")
def issue_batch_command(slug: str, programme: str | None):
    """Issue the certification to everyone (or every member of the programme)
    who meets its requirements and holds no valid one (or is in the renewal
    window). Each certificate in its own short transaction."""
    certification = db.session.scalar(select(Certification).where(Certification.slug == slug))
    if certification is None or certification.retired:
        raise click.ClickException(f"no published certification {slug!r}")
    try:
        people = triggers.batch_candidates(certification, programme)
    except LookupError:
        raise click.ClickException(f"no programme {programme!r}") from None
    started = time.perf_counter()
    with click.progressbar(length=len(people), label=f"{slug}: {len(people)} people") as bar:
        result = triggers.issue_batch(certification, people, progress=lambda: bar.update(1))
    click.echo(f"issued {result.issued}; requirements not met {result.not_met}; already held {result.not_due}; "
               f"{time.perf_counter() - started:.1f} s")
