"""The flask commands of every domain."""
from lms.audit.cli import audit_cli
from lms.content.cli import content_cli
from lms.content.importers import cli as _content_import_cli  # noqa: F401  (import-gift, import-xlsx, export-xlsx)
from lms.exams.cli import exams_cli
from lms.i18n import i18n_cli
from lms.org.cli import create_admin, demo, people_cli

COMMANDS = [audit_cli, content_cli, exams_cli, create_admin, demo, i18n_cli, people_cli]
