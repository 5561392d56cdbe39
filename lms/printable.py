"""Whether a person's name prints on a certificate: every character must be
one a font of the certificate can draw, or the PDF shows a box (tofu) in
the holder's name.

The fonts are the ones the PDF uses: the ``font-family`` list of the
certificate's statement in ``static/certificates/certificate.css``, resolved
by fontconfig exactly as WeasyPrint's text layout (Pango) does it — the
sorted fallback list of ``fc-match -s`` for those families, and the union
of their character sets. Worked out once per process (``coverage``), never
per request.

Some characters print in no font whatever is installed: unassigned code
points, private-use ones (a legacy system's 造字), control and format
characters, a combining mark with no letter before it.

The rule (README, *Certificates*): a legal name is kept as HR enters it —
HR is told, when a person is created or edited (form and import) and when a
certificate is issued or renewed, which character at which position will
not print, so it never shows as a box unnoticed."""
from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask_babel import gettext as _

CSS = Path(__file__).resolve().parent.parent / "static" / "certificates" / "certificate.css"
_STATEMENT_FONTS = re.compile(r"\.statement\s*\{[^}]*?font-family:\s*([^;]+);", re.S)
COMBINING = {"Mn", "Mc", "Me"}


@dataclass(frozen=True)
class Unprintable:
    position: int  # 1-based, in characters
    char: str
    why: str

    @property
    def code(self) -> str:
        return f"U+{ord(self.char):04X}"


def certificate_families() -> list[str]:
    """The font families of the certificate's statement (where the name is), in order."""
    found = _STATEMENT_FONTS.search(CSS.read_text(encoding="utf-8"))
    if found is None:
        return ["serif"]
    return [f.strip().strip('"').strip("'") for f in found.group(1).split(",") if f.strip()]


def _parse_charset(text: str) -> set[int]:
    points: set[int] = set()
    for part in text.split():
        low, _sep, high = part.partition("-")
        points.update(range(int(low, 16), int(high or low, 16) + 1))
    return points


@cache
def coverage() -> frozenset[int] | None:
    """Every code point some font of the certificate can draw (fontconfig's
    fallback list for its families); None when fontconfig is not installed
    (then only the characters no font has are reported)."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    pattern = ",".join(certificate_families())
    try:
        out = subprocess.run([fc_match, "-s", "--format", "%{charset}\n", pattern], capture_output=True, text=True,
                             timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    points: set[int] = set()
    for line in out.splitlines():
        points |= _parse_charset(line)
    return frozenset(points)


def unprintable(text: str) -> list[Unprintable]:
    """The characters of ``text`` a certificate cannot print, with why."""
    covered = coverage()
    found = []
    previous = " "
    for n, char in enumerate(text or "", 1):
        category = unicodedata.category(char)
        if category == "Cn":
            why = _("it is not a character Unicode assigns")
        elif category == "Co":
            why = _("it is a private-use character (a legacy system's own character)")
        elif category in ("Cc", "Cf", "Cs"):
            why = _("it is an invisible control or format character")
        elif category in COMBINING and (previous.isspace() or unicodedata.category(previous) in ("Cc", "Cf")):
            why = _("it is a combining mark with no character before it")
        elif covered is not None and ord(char) not in covered and not char.isspace():
            why = _("no font of the certificate has it")
        else:
            previous = char
            continue
        found.append(Unprintable(n, char, why))
        previous = char
    return found


def _shown(char: str) -> str:
    """The character itself after its code, unless it is invisible."""
    return "" if unicodedata.category(char).startswith("C") else " “" + char + "”"


def listed(problems: list[Unprintable]) -> str:
    """Each character with its position and why, for a sentence of HR's."""
    return "; ".join(_("character %(n)d (%(code)s%(shown)s): %(why)s", n=p.position, code=p.code,
                       shown=_shown(p.char), why=p.why) for p in problems)


def describe(problems: list[Unprintable]) -> str:
    """One sentence for HR, naming each character and its position."""
    return _("The name will not print as written on a certificate — %(problems)s. A box would show there; "
             "the name is kept as entered.", problems=listed(problems))


def warning_for(name: str) -> str | None:
    """``describe`` for ``name``, or None when it prints."""
    problems = unprintable(name)
    return describe(problems) if problems else None
