"""Uploading a course: a zip of a course folder, checked before anything changes,
in three steps, one module each:

- ``archive``: reading the zip (unpacked defensively: names, sizes, kinds of file);
- ``staging``: the unpacked course staged as the content folder would hold it, parsed,
  checked exactly as ``flask content check`` would, and planned against what is published;
- ``review``: when the trainer confirms, checked again, copied into the content folder
  (replacing that course's folder) and published, only as reviewed.

On any problem nothing changes.
"""
from lms.content.console.upload.review import ChangedSinceReview, confirm, discard
from lms.content.console.upload.staging import STAGINGS, StagedUpload, stage

__all__ = ["STAGINGS", "ChangedSinceReview", "StagedUpload", "confirm", "discard", "stage"]
