"""The issuing institution printed on every certificate: its name and logo.

The name is a system setting (``certificates.institution_name``) an
administrator changes on ``/system/certificate-issuer``; the logo is the
shipped ``static/certificates/logo.svg`` unless an administrator uploaded a
PNG (kept under the instance folder, checked to be a real PNG of sensible
size; SVG uploads are refused: an SVG is a document that can fetch and script,
a PNG is only pixels). Both changes are audited. A certificate already issued
keeps the PDF it was issued with."""
from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import tempfile
from pathlib import Path

from PIL import Image
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.audit import services as audit
from lms.database import transaction
from lms.extensions import db
from lms.numbers import reading_number
from lms.org.models import SystemSetting, User

NAME_KEY = "certificates.institution_name"
LOGO_KEY = "certificates.institution_logo"  # value: SHA-256 of the uploaded PNG ("" = the shipped logo)
DEFAULT_NAME = _l("Bank of Example · RM Academy")
NAME_MAX = 60
LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_SIDE = 2000
DEFAULT_LOGO = "certificates/logo.svg"  # under static/
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class LogoRefused(ValueError):
    """The upload is not a PNG logo we print."""


def institution_name() -> str:
    row = db.session.get(SystemSetting, NAME_KEY)
    return row.value if row is not None and row.value else str(DEFAULT_NAME)


def logo_path() -> Path:
    """Where the uploaded logo is kept: ``LMS_CERTIFICATE_LOGO_FILE``, else
    ``instance/certificates/logo.png`` (every app process on the machine reads it)."""
    configured = current_app.config.get("CERTIFICATE_LOGO_FILE")
    return Path(configured) if configured else Path(current_app.instance_path) / "certificates" / "logo.png"


def uploaded_logo() -> bytes | None:
    """The administrator's PNG, or None for the shipped logo."""
    row = db.session.get(SystemSetting, LOGO_KEY)
    if row is None or not row.value:
        return None
    try:
        return logo_path().read_bytes()
    except FileNotFoundError:
        return None


def check_png(data: bytes) -> bytes:
    """``data`` if it is a PNG Pillow decodes whole, of at most
    ``LOGO_MAX_BYTES`` and ``LOGO_MAX_SIDE`` pixels a side; else LogoRefused."""
    if len(data) > LOGO_MAX_BYTES:
        raise LogoRefused(_("The logo is larger than %(kb)d KB.", kb=LOGO_MAX_BYTES // 1024))
    if not data.startswith(PNG_SIGNATURE):
        raise LogoRefused(_("The logo must be a PNG image."))
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise LogoRefused(_("The logo must be a PNG image."))
            width, height = image.size
            if max(width, height) > LOGO_MAX_SIDE:
                raise LogoRefused(_("The logo may be at most %(px)s pixels wide and high.",
                                     px=reading_number(LOGO_MAX_SIDE)))
            image.load()  # decodes every pixel: a truncated or corrupt file fails here
    except LogoRefused:
        raise
    except Exception as exc:  # Pillow raises many kinds for a broken file
        raise LogoRefused(_("The logo could not be read as a PNG image.")) from exc
    return data


@transaction(immediate=True)
def set_name(name: str, *, actor: User) -> bool:
    """Change the printed name (administrators: the view checks); True if it changed."""
    name = " ".join(name.split())[:NAME_MAX]
    before = institution_name()
    if not name or name == before:
        return False
    SystemSetting.store(NAME_KEY, name, actor)
    db.session.flush()
    audit.record("certificates.institution_changed", object_type="certificate_issuer", object_id="name", actor=actor,
                 before=before, after=name)
    return True


@transaction(immediate=True)
def set_logo(data: bytes | None, *, actor: User) -> None:
    """Print ``data`` (a checked PNG) as the logo from now on; None: the shipped logo again."""
    path = logo_path()
    if data is None:
        SystemSetting.store(LOGO_KEY, "", actor)
        digest = ""
    else:
        data = check_png(data)
        digest = hashlib.sha256(data).hexdigest()
        _store(path, data)
        SystemSetting.store(LOGO_KEY, digest, actor)
    db.session.flush()
    audit.record("certificates.logo_changed", object_type="certificate_issuer", object_id="logo", actor=actor,
                 logo=digest or "default")


def _store(path: Path, data: bytes) -> None:
    """The logo replaced whole: written to a new file of its own (never through
    a link or a stale temporary file) and moved over the old one. A full disk
    leaves the old logo in place (LogoRefused says why)."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".logo-", suffix=".tmp")
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.chmod(tmp, 0o644)  # a logo, printed on every certificate: nothing private
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise LogoRefused(_("The logo could not be saved: the server's disk is full. Nothing changed; ask "
                                "the administrator of the server to free space.")) from exc
        raise LogoRefused(_("The logo could not be saved on the server (%(why)s). Nothing changed.",
                            why=exc.strerror or exc)) from exc
