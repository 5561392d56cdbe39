import click
from flask.cli import AppGroup

from lms.audit.services import adopt_legacy, verify

audit_cli = AppGroup("audit", help="The audit log.")


def _parse_head(value: str | None):
    if not value:
        return None
    seq, _sep, hash_ = value.partition(":")
    if not seq.isdigit() or len(hash_) != 64:
        raise click.BadParameter("expected SEQ:HASH as printed by `flask audit verify`", param_hint="--expect")
    return int(seq), hash_.lower()


@audit_cli.command("verify")
@click.option("--expect", metavar="SEQ:HASH", help="A head recorded earlier (printed by this command): it must still be there.")
def verify_command(expect):
    """Check the keyed hash chain and the head recorded outside the database;
    exit 1 at the first tampered, missing or unkeyed event or a cut tail."""
    result = verify(_parse_head(expect))
    if result.ok:
        click.echo(f"OK: {result.checked} events, chain intact.")
        if result.head:
            click.echo(f"Head: {result.head[0]}:{result.head[1]}  (record it; check later with --expect)")
        return
    click.echo(f"TAMPERED: {result.problem} (after {result.checked} good events)", err=True)
    raise SystemExit(1)


@audit_cli.command("adopt-legacy")
def adopt_legacy_command():
    """Once, after upgrading: accept the events written before the audit key
    (plain SHA-256) as they are now, and record where they end."""
    result = adopt_legacy()
    if not result.ok:
        click.echo(f"REFUSED: {result.problem}", err=True)
        raise SystemExit(1)
    if result.head is None:
        click.echo("Nothing to adopt: the log has no unkeyed events.")
        return
    click.echo(f"Adopted {result.checked} unkeyed events; they end at {result.head[0]}:{result.head[1]}.")
