#!/usr/bin/env python3
"""Back RM Academy up, and restore a backup into a new database and folders.

    python3 scripts/backup.py backup DIR
    python3 scripts/backup.py restore DIR --database-url URL --content-dir PATH --instance-dir PATH

Reads DATABASE_URL, LMS_CONTENT_DIR, LMS_INSTANCE_DIR and LMS_AUDIT_HEAD_FILE as the
app does (the environment file). A backup is one new folder holding:

- the database: ``database.sqlite3`` (SQLite's online backup) or ``database.pgdump``
  (``pg_dump --format=custom``): people, attempts, the audit log, certificates
  with their stored PDFs, notifications;
- ``content.tar.gz``: the curriculum folder, as the trainers' editor leaves it;
- ``instance.tar.gz``: the uploaded certificate logo and the audit chain's head
  (copied *before* the database, so the restored log reaches at least that head);
- ``MANIFEST.txt``: what, when, and each file's SHA-256.

Never in it: SECRET_KEY and LMS_AUDIT_KEY (keep the environment file apart, in
the bank's secret store: a backup that held the audit key could rewrite the log),
and the staged uploads under instance/ (previews that expire within hours).

``restore`` refuses a database that has tables, and folders that are not empty,
so it never mixes two academies; afterwards run ``flask db upgrade`` (a backup
of an older release) and ``flask audit verify``. Exit status 1 with the reason
on any problem.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import sqlite3
import subprocess
import sys
import tarfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Refused(Exception):
    """Said to the operator as it is; nothing further is done."""


def _settings() -> tuple[str, Path, Path, Path]:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        raise Refused("DATABASE_URL is not set: load the environment file first (set -a; . /etc/rm-academy/env)")
    instance = Path(os.environ.get("LMS_INSTANCE_DIR") or ROOT / "instance")
    content = Path(os.environ.get("LMS_CONTENT_DIR") or ROOT / "content")
    head = Path(os.environ.get("LMS_AUDIT_HEAD_FILE") or instance / "audit_head.json")
    return url, content, instance, head


def _sqlite_path(url: str) -> Path | None:
    return Path(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else None


def _libpq_url(url: str) -> str:
    """pg_dump's spelling of a SQLAlchemy address."""
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix):]
    return url


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(target: Path) -> None:
    url, content, instance, head = _settings()
    if target.exists():
        raise Refused(f"{target} exists already: a backup goes into a new folder")
    target.mkdir(parents=True)
    os.chmod(target, 0o700)  # the database holds everyone's records
    with tarfile.open(target / "instance.tar.gz", "w:gz") as tar:
        if head.is_file():
            tar.add(head, arcname="audit_head.json")
        logo = instance / "certificates"
        if logo.is_dir():
            tar.add(logo, arcname="certificates")
    sqlite_file = _sqlite_path(url)
    if sqlite_file is not None:
        if not sqlite_file.is_file():
            raise Refused(f"DATABASE_URL names {sqlite_file}, which does not exist")
        source, copy = sqlite3.connect(sqlite_file), sqlite3.connect(target / "database.sqlite3")
        with copy:
            source.backup(copy)  # consistent while the app writes
        source.close()
        copy.close()
    else:
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                        f"--file={target / 'database.pgdump'}", _libpq_url(url)], check=True)
    if not content.is_dir():
        raise Refused(f"the content folder {content} does not exist (LMS_CONTENT_DIR)")
    with tarfile.open(target / "content.tar.gz", "w:gz") as tar:
        tar.add(content, arcname="content")
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    lines = [f"RM Academy backup, {made}", f"database: {'SQLite' if sqlite_file else 'PostgreSQL'}"]
    lines += [f"{_sha256(p)}  {p.name}" for p in sorted(target.iterdir())]
    (target / "MANIFEST.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"Backed up to {target}: " + ", ".join(sorted(p.name for p in target.iterdir())))


def _check_manifest(source: Path) -> None:
    manifest = source / "MANIFEST.txt"
    if not manifest.is_file():
        raise Refused(f"{source} has no MANIFEST.txt: not a backup made by this script")
    for line in manifest.read_text(encoding="utf-8").splitlines()[2:]:
        digest, name = line.split("  ", 1)
        if not (source / name).is_file() or _sha256(source / name) != digest:
            raise Refused(f"{source / name} is missing or changed since the backup (SHA-256 differs)")


def _empty_dir(path: Path, option: str) -> None:
    if path.exists() and any(path.iterdir()):
        raise Refused(f"{path} ({option}) is not empty: restore into an empty folder")
    path.mkdir(parents=True, exist_ok=True)


def _extract(archive: Path, into: Path) -> None:
    """Plain files and folders inside ``into`` only (Debian 12's Python 3.11.2
    has no tarfile filter): a changed archive cannot write elsewhere."""
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
        for member in members:
            parts = Path(member.name).parts
            if member.name.startswith("/") or ".." in parts or not (member.isfile() or member.isdir()):
                raise Refused(f"{archive}: {member.name!r} is not a plain file or folder inside the archive")
        tar.extractall(into, members=members)


def restore(source: Path, url: str, content: Path, instance: Path) -> None:
    _check_manifest(source)
    _empty_dir(content, "--content-dir")
    _empty_dir(instance, "--instance-dir")
    sqlite_file = _sqlite_path(url)
    if sqlite_file is not None:
        if not (source / "database.sqlite3").is_file():
            raise Refused(f"{source} holds a PostgreSQL dump: restore it into a PostgreSQL database")
        if sqlite_file.exists():
            raise Refused(f"{sqlite_file} exists already: restore into a new database")
        copy, target = sqlite3.connect(source / "database.sqlite3"), sqlite3.connect(sqlite_file)
        with target:
            copy.backup(target)
        copy.close()
        target.close()
    else:
        if not (source / "database.pgdump").is_file():
            raise Refused(f"{source} holds a SQLite database: restore it into SQLite")
        tables = subprocess.run(["psql", "-Atc", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
                                 _libpq_url(url)], check=True, capture_output=True, text=True).stdout.strip()
        if tables != "0":
            raise Refused(f"the database of {url.split('@')[-1]} has {tables} tables: restore into a new, empty one")
        subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                        f"--dbname={_libpq_url(url)}", str(source / "database.pgdump")], check=True)
    staging = content.parent / f".{content.name}.restoring"
    _extract(source / "content.tar.gz", staging)
    content.rmdir()  # empty (checked above): the folder from the archive takes its place
    (staging / "content").rename(content)
    staging.rmdir()
    _extract(source / "instance.tar.gz", instance)
    print(f"Restored {source} into {url.split('@')[-1]}, {content} and {instance}. "
          f"Next: flask db upgrade, then flask audit verify.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("backup", help="make a backup in a new folder").add_argument("dir", type=Path)
    again = commands.add_parser("restore", help="restore a backup into an empty database and folders")
    again.add_argument("dir", type=Path)
    again.add_argument("--database-url", required=True)
    again.add_argument("--content-dir", type=Path, required=True)
    again.add_argument("--instance-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        if args.command == "backup":
            backup(args.dir)
        else:
            restore(args.dir, args.database_url, args.content_dir, args.instance_dir)
    except (Refused, subprocess.CalledProcessError, OSError, tarfile.TarError, sqlite3.Error) as problem:
        print(f"{args.command}: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
