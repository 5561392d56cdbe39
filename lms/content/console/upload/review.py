"""Confirming an uploaded course: the staged course (``staging``), checked
again against the content folder as it is now, is copied into it (replacing
that course's folder) and published, but only if publishing does what the
trainer reviewed; otherwise the plan of now is shown and nothing changes."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from flask_babel import gettext as _

from lms.content.console import editor, unwritable
from lms.content.console.upload.staging import STAGINGS, StagedUpload, folder_digest, relative_to_course
from lms.content.publishing.publish import ContentProblems, PlanChanged, plan, publish
from lms.content.source.parser import parse_folder
from lms.database import transaction


class ChangedSinceReview(Exception):
    """What confirming would publish is not what the trainer was shown (the
    published content changed since the upload was checked): nothing was
    published; ``staged`` holds the plan of now, which a second confirmation
    publishes."""

    def __init__(self, staged: StagedUpload, reviewed: bool = True, reason: str | None = None):
        super().__init__("the plan changed since the upload was checked" if reviewed else "the plan was not reviewed")
        self.staged = staged
        self.reviewed = reviewed  # False: the staging carried no reviewed plan (staged before the fingerprint)
        self.reason = reason  # why the trainer sees a new review, when it is not the plan alone


@transaction(immediate=True)
def confirm(token: str, actor, decision=None) -> object:
    """Copy a staged, problem-free course into the content folder (replacing
    that course's folder) and publish it. Returns (the course id, the engine's Plan)."""

    staged = STAGINGS.open(token)
    if staged is None:
        raise editor.EditRefused(_("This upload has expired or was already published. Upload the zip again."))
    staging, meta = staged.folder, staged.meta
    if meta.get("actor_id") != actor.id or not meta.get("ok"):
        raise editor.EditRefused(_("This upload has expired or was already published. Upload the zip again."))
    folder = meta["folder"]
    root = editor.content_root()
    real = root / folder
    new = staging / "root" / folder
    with editor.folder_lock():
        # Check again against the folder as it is now (another course may have
        # claimed the id or the folder name since).
        bundle = parse_folder(staging / "root", Path(folder))
        problems = editor.check_bundle(bundle)
        if folder_digest(real) != meta.get("replaces", ""):
            raise editor.EditRefused(_("%(folder)s changed in the content folder since this upload was checked. "
                                       "Upload the zip again to see the changes it makes now.", folder=folder))
        claimed = editor.course_folders(root).get(meta["course_id"])
        if claimed not in (None, folder):
            # Another upload of the course, zipped under another top folder name, was published
            # since: this one now replaces that folder, as it would if uploaded now. Shown first.
            raise ChangedSinceReview(_moved(token, meta, claimed), reason=_(
                "Nothing was published: since this upload was checked, the course %(course)s was published "
                "in %(now)s (from an upload whose top folder had another name), so this upload now replaces "
                "%(now)s instead of creating %(was)s. Check the changes below, then publish again.",
                course=meta["course_id"], now=claimed, was=folder))
        if problems:
            raise editor.EditRefused(_("Nothing was published: fix the problems first."),
                                     relative_to_course(problems, folder))
        if not meta.get("plan"):
            # Nothing publishes unseen: the plan of now is shown, and a second confirmation publishes it.
            now = plan(bundle)
            STAGINGS.rewrite_meta(token, {**meta, "plan": now.fingerprint})
            raise ChangedSinceReview(_staged_with(token, meta, now), reviewed=False)
        backup = staging / "previous"
        if real.exists():
            os.replace(real, backup)
        try:
            shutil.copytree(new, real)
            result = publish(parse_folder(root, Path(folder)), actor, f"upload:{meta['archive_name']}",
                             decision=decision, reviewed=meta.get("plan") or None)
        except BaseException as exc:
            shutil.rmtree(real, ignore_errors=True)
            if backup.exists():
                os.replace(backup, real)
            if isinstance(exc, PlanChanged):
                # Shown instead, and what a second confirmation publishes.
                STAGINGS.rewrite_meta(token, {**meta, "plan": exc.plan.fingerprint})
                raise ChangedSinceReview(_staged_with(token, meta, exc.plan)) from None
            if isinstance(exc, ContentProblems):
                raise editor.EditRefused(_("Nothing was published: fix the problems first."),
                                         relative_to_course(exc.problems, folder)) from None
            if isinstance(exc, OSError):  # a full disk: the folder as it was is back
                raise editor.EditRefused(unwritable.message(exc, folder)) from None
            raise
    shutil.rmtree(staging, ignore_errors=True)
    return meta["course_id"], result


def _moved(token: str, meta: dict, claimed: str) -> StagedUpload:
    """The staged course moved to the folder the course has now, checked and planned there again."""
    staging = STAGINGS.folder(token) / "root"
    os.replace(staging / meta["folder"], staging / claimed)
    bundle = parse_folder(staging, Path(claimed))
    problems = editor.check_bundle(bundle)
    now = None if problems else plan(bundle)
    meta = {**meta, "folder": claimed, "replaces": folder_digest(editor.content_root() / claimed),
            "ok": not problems, "plan": now.fingerprint if now is not None else ""}
    STAGINGS.rewrite_meta(token, meta)
    staged = _staged_with(token, meta, now)
    staged.problems = relative_to_course(problems, claimed)
    return staged


def _staged_with(token: str, meta: dict, now) -> StagedUpload:
    return StagedUpload(token=token, archive_name=meta["archive_name"], course_id=meta["course_id"],
                        folder=meta["folder"], replaces=bool(meta.get("replaces")), plan=now,
                        files=meta.get("files", 0))


def discard(token: str) -> None:
    STAGINGS.discard(token)
