import click
from flask.cli import AppGroup

from lms.audit.services import verify

audit_cli = AppGroup("audit", help="The audit log.")


@audit_cli.command("verify")
def verify_command():
    """Check the hash chain; exit 1 at the first tampered or missing event."""
    result = verify()
    if result.ok:
        click.echo(f"OK: {result.checked} events, chain intact.")
        return
    click.echo(f"TAMPERED: {result.problem} (after {result.checked} good events)", err=True)
    raise SystemExit(1)
