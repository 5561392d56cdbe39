import click
from flask.cli import AppGroup

from lms.exams import attempts as exam_attempts
from lms.numbers import counted

exams_cli = AppGroup("exams", help="Exam attempts.")


@exams_cli.command("finalise-expired")
def finalise_expired_command():
    """Finalise every open attempt past its deadline (plus grace) with what was
    saved. Run it from cron every few minutes; attempts are also finalised when
    they are next opened."""
    count = exam_attempts.finalise_expired()
    click.echo(counted("Finalised %(num)s expired attempt.", "Finalised %(num)s expired attempts.", count))
