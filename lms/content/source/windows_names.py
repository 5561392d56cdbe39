"""Names a content folder cannot hold if it is to be checked out on Windows.

The content folder is a git repository the trainers also open on their
Windows PCs. A file or folder named like a device (``con.md``, ``aux.png``,
``lpt1``: the extension does not matter) cannot be made there, and a checkout
of the whole folder fails; ``a.md.`` or ``a.md `` become ``a.md`` (two files
here, one there), and ``< > : " | ? *`` are not allowed in a name at all
(``a.md:x`` writes a hidden stream). The zip upload and the editor's new file
refuse them."""
from __future__ import annotations

import re

_DEVICE = re.compile(r"(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])(\.[^/]*)?", re.I)
_NOT_ON_WINDOWS = re.compile(r'[<>:"|?*]')


def device_name(part: str) -> bool:
    """``part`` (one file or folder name) names a Windows device, whatever its extension."""
    return _DEVICE.fullmatch(part.rstrip(" .")) is not None


def not_writable_on_windows(part: str) -> bool:
    """``part`` holds a character Windows refuses in a name, or ends in a dot or a space."""
    return bool(_NOT_ON_WINDOWS.search(part)) or part.endswith((".", " "))
