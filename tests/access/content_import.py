"""Importing questions (GIFT, Excel) and exporting banks: trainers and admins."""
import io
import tempfile
from pathlib import Path

from flask import current_app

from tests.access import Row, only
from tests.content.console_samples import publish_folder, write_sample_content

GIFT = "::acc-001::存款保险限额（万元）？{#50}\n".encode()


def setup(world):
    # The content rows (tests/access/content.py) set up a published sample
    # folder first; reuse it, or make one when run alone.
    if not hasattr(world, "content_root"):
        root = write_sample_content(Path(tempfile.mkdtemp(prefix="lms-access-import-")))
        current_app.config["CONTENT_DIR"] = str(root)
        publish_folder(root)
        world.content_root = root


ROWS = {
    ("content_import.page", "GET"): Row(lambda w: "/console/import/", only("trainer")),
    ("content_import.preview", "POST"): Row(
        lambda w: "/console/import/", only("trainer"),
        data=lambda w: {"course": "products", "bank": "access", "upload": (io.BytesIO(GIFT), "access.gift.txt")}),
    # A token nobody staged: the page says the import expired, nothing changes.
    ("content_import.confirm", "POST"): Row(lambda w: "/console/import/confirm", only("trainer"),
                                            data=lambda w: {"token": "A" * 32}),
    ("content_import.template", "GET"): Row(lambda w: "/console/import/template.xlsx", only("trainer")),
    ("content_import.example_xlsx", "GET"): Row(lambda w: "/console/import/example.xlsx", only("trainer")),
    ("content_import.example_gift", "GET"): Row(lambda w: "/console/import/example.gift.txt", only("trainer")),
    ("content_import.export", "GET"): Row(lambda w: "/console/import/export/products.xlsx", only("trainer")),
}
