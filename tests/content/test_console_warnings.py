"""Content warnings (a photo straight from a phone, an exam that shows the
answers of another's questions …) in the web console, as the command line
prints them: shown with the check's result, apart from the problems, and they
never stop a publish."""
from __future__ import annotations

import re

import pytest

from tests.content.console_samples import DEPOSITS_MD, PNG, content_dir, trainer  # noqa: F401  (fixtures)
from tests.content.test_console_edit import LESSON, _form
from tests.content.test_console_upload import _course_files, _upload, _zip

PHOTO = PNG + b"\x00" * (2 * 1024 * 1024 + 300 * 1024)  # 2.3 MB, as a phone takes it
WITH_PHOTO = DEPOSITS_MD + "\n![柜台](../images/counter/photo.png)\n"
WARNING = "这张图片有 2.3 MB：学员每次在手机上打开这一课都要下载整张图片"


@pytest.fixture(autouse=True)
def _own_instance_dir(app, tmp_path):
    app.instance_path = str(tmp_path / "instance")


def test_an_upload_shows_its_warnings_apart_from_problems_and_can_be_published(client, content_dir, trainer):
    files = _course_files(**{"products/lessons/01-deposits.md": WITH_PHOTO,
                             "products/images/counter/photo.png": PHOTO})
    page = _upload(client, _zip(files))
    assert page.status_code == 200
    warnings = re.search(r'<div class="notice warnings" role="status" id="content-warnings">(.*?)</div>', page.text,
                         re.S)
    assert warnings, page.text
    assert "1 个提醒（不影响发布）：" in warnings.group(1)
    assert "images/counter/photo.png" in warnings.group(1) and WARNING in warnings.group(1)
    assert 'class="errors problems"' not in page.text
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page.text).group(1)
    assert client.post("/console/upload/confirm", data={"token": token}).status_code == 302
    assert (content_dir / "courses/products/images/counter/photo.png").stat().st_size == len(PHOTO)


def test_an_upload_with_problems_still_lists_its_warnings_below_them(client, content_dir, trainer):
    files = _course_files(**{"products/lessons/01-deposits.md": WITH_PHOTO.replace("minutes: 20", "minutes: 二十"),
                             "products/images/counter/photo.png": PHOTO})
    page = _upload(client, _zip(files))
    assert page.status_code == 422
    assert 'class="errors problems"' in page.text and "lessons/01-deposits.md:3" in page.text
    assert page.text.index('class="errors problems"') < page.text.index('id="content-warnings"')
    assert WARNING in page.text


def test_the_editors_review_shows_the_warnings_and_offers_publish(client, content_dir, trainer):
    (content_dir / "courses/products/images/counter").mkdir()
    (content_dir / "courses/products/images/counter/photo.png").write_bytes(PHOTO)
    page = client.post("/console/review", data=_form(content_dir, LESSON, WITH_PHOTO))
    assert page.status_code == 200
    assert 'id="content-warnings"' in page.text and WARNING in page.text
    assert "courses/products/images/counter/photo.png" in page.text
    assert 'formaction="/console/publish"' in page.text


def test_a_clean_upload_shows_no_warnings(client, content_dir, trainer):
    page = _upload(client, _zip(_course_files()))
    assert page.status_code == 200 and 'id="content-warnings"' not in page.text
