"""What a trainer is told when the server cannot write the content folder.

A publish that meets a full disk or a folder the app may not write restores
what was there (``editor.publish_edit``, ``upload.confirm``) and says so,
naming the file or folder, instead of an error page."""
from __future__ import annotations

import errno

from flask_babel import gettext as _

DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


def message(exc: OSError, place: str) -> str:
    if exc.errno in DISK_FULL:
        return _("%(place)s could not be written: the disk is full. Nothing was published; ask the administrator "
                 "to free space on the server, then publish again.", place=place)
    return _("%(place)s could not be written (%(why)s). Nothing was published; ask the administrator to let the "
             "academy write to the content folder, then publish again.", place=place,
             why=exc.strerror or type(exc).__name__)
