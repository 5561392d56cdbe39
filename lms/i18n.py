"""Message catalogues, one per domain.

Each domain keeps ``lms/<domain>/translations/zh/LC_MESSAGES/messages.po``
for the strings in ``lms/<domain>/`` and ``templates/<domain>/``; the ``main``
catalogue also takes the shared files (``lms/*.py``, ``templates/*.html``,
``templates/errors``). English is the source language, so only zh_CN needs a
catalogue (for zh_CN). ``flask i18n update`` adds new strings (keeping translations),
``flask i18n compile`` writes the .mo files the app loads.
"""
from __future__ import annotations

from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent
TEMPLATES = BASE_DIR / "templates"
# Babel names the zh_CN locale zh_Hans_CN, which gettext finds under "zh".
LOCALE = "zh"
SHARED_TEMPLATE_DIRS = ("errors",)
# Template folders named after a feature rather than the domain package that owns it.
EXTRA_TEMPLATE_DIRS = {"exams": ("grading", "analysis", "notebook")}


def domains() -> list[str]:
    return sorted(p.name for p in PACKAGE_DIR.iterdir() if p.is_dir() and (p / "__init__.py").exists()
                  or p.is_dir() and any(p.glob("*.py")))


def domain_files(domain: str) -> list[Path]:
    files = sorted((PACKAGE_DIR / domain).rglob("*.py"))
    tdir = TEMPLATES / domain
    if tdir.is_dir():
        files += sorted(tdir.rglob("*.html"))
    for extra in EXTRA_TEMPLATE_DIRS.get(domain, ()):
        files += sorted((TEMPLATES / extra).rglob("*.html"))
    if domain == "main":
        files += sorted(PACKAGE_DIR.glob("*.py"))
        files += sorted(TEMPLATES.glob("*.html"))
        for shared in SHARED_TEMPLATE_DIRS:
            files += sorted((TEMPLATES / shared).rglob("*.html"))
    return files


def catalog_path(domain: str) -> Path:
    return PACKAGE_DIR / domain / "translations" / LOCALE / "LC_MESSAGES" / "messages.po"


_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
             "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3), "lazy_ngettext": (1, 2),
             "plural_forms": (1, 2), "counted": (1, 2),
             "N_": None, "N_plural": (1, 2)}  # lms/form_messages.py: WTForms' messages


def extract(domain: str) -> Catalog:
    catalog = Catalog(locale=LOCALE, project="RM Academy")
    for path in domain_files(domain):
        method = "python" if path.suffix == ".py" else "jinja2"
        options = {"extensions": "jinja2.ext.do"} if method == "jinja2" else {}
        for lineno, message, comments, context in extract_from_file(method, str(path), keywords=_KEYWORDS, options=options):
            catalog.add(message, None, [(str(path.relative_to(BASE_DIR)), lineno)], auto_comments=comments, context=context)
    return catalog


def load(domain: str) -> Catalog | None:
    path = catalog_path(domain)
    if not path.exists():
        return None
    with path.open("rb") as fh:
        return read_po(fh, locale=LOCALE)


def update(domain: str) -> tuple[int, int]:
    """Merge freshly extracted strings into the domain's catalogue; returns
    (messages, untranslated)."""
    template = extract(domain)
    existing = load(domain)
    if not len(template) and existing is None:
        return 0, 0
    if existing is None:
        existing = Catalog(locale=LOCALE, project="RM Academy")
    existing.update(template, no_fuzzy_matching=True)
    existing.obsolete.clear()
    path = catalog_path(domain)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, existing, width=120, sort_by_file=False, omit_header=False)
    untranslated = sum(1 for m in existing if m.id and not _translated(m))
    return len([m for m in existing if m.id]), untranslated


def _translated(message) -> bool:
    if isinstance(message.string, tuple | list):
        return all(message.string)
    return bool(message.string)


def compile_(domain: str) -> bool:
    catalog = load(domain)
    if catalog is None:
        return False
    mo = catalog_path(domain).with_suffix(".mo")
    with mo.open("wb") as fh:
        write_mo(fh, catalog, use_fuzzy=False)
    return True


i18n_cli = AppGroup("i18n", help="Keep the translation catalogues up to date.")


@i18n_cli.command("update")
def update_command():
    """Extract strings of every domain into its zh_CN catalogue."""
    for domain in domains():
        total, missing = update(domain)
        if total:
            click.echo(f"{domain}: {total} messages, {missing} untranslated")


@i18n_cli.command("compile")
def compile_command():
    """Compile every catalogue to the .mo file the app reads."""
    for domain in domains():
        if compile_(domain):
            click.echo(f"{domain}: compiled")
