"""A question import publishes what its preview showed. The confirmation
carries the fingerprint of the plan the trainer read; when the bank file, the
course or the published content changed since (or the staged file was
replaced under the same token), nothing is published and the preview of now
is shown with the reason, as the course publish does. A confirmation without
the fingerprint publishes nothing and says it was not reviewed."""
import pytest
from sqlalchemy import func, select

from lms.content.importers.services import STAGINGS
from lms.content.models import ContentRelease, Question, QuestionVersion
from lms.extensions import db
from lms.staging import UPLOAD
from tests.content.console_samples import BANK_MD, content_dir, import_confirm_data, trainer  # noqa: F401
from tests.content.test_import_views import BANK, GIFT, upload

CONFIRM = "/console/import/confirm"


@pytest.fixture
def english(client):
    client.post("/language", data={"lang": "en"})


def _releases() -> int:
    return db.session.scalar(select(func.count()).select_from(ContentRelease))


def _versions(slug: str) -> int:
    return db.session.scalar(select(func.count()).select_from(QuestionVersion).join(Question)
                             .where(Question.slug == slug))


@pytest.mark.parametrize("sent", [{}, {"reviewed_plan": ""}, {"reviewed_plan": "not-a-plan"}])
def test_a_confirmation_without_the_reviewed_plan_publishes_nothing(client, content_dir, trainer, english, sent):
    preview = import_confirm_data(upload(client, GIFT, "rm-banking.gift.txt").text)
    before = _releases()
    page = client.post(CONFIRM, data={"token": preview["token"], **sent})
    assert page.status_code == 409
    assert "did not carry the changes you reviewed" in page.text and "Nothing was published" in page.text
    assert "gift-dep-001" in page.text and 'class="correct"' in page.text  # the preview of now, keys and all
    assert not (content_dir / BANK).exists() and _releases() == before
    # What the page shows now is what a second confirmation publishes.
    again = import_confirm_data(page.text)
    assert again == preview
    assert client.post(CONFIRM, data=again).status_code == 302
    assert "## gift-dep-001" in (content_dir / BANK).read_text(encoding="utf-8")


def test_a_question_edited_between_preview_and_confirm_publishes_nothing(client, content_dir, trainer, english):
    preview = import_confirm_data(upload(client, GIFT, "rm-banking.gift.txt").text)
    other = content_dir / "courses/products/questions/deposits.md"
    other.write_text(BANK_MD.replace("最低起存金额是多少？", "最低起存金额是多少（人民币）？"), encoding="utf-8")
    page = client.post(CONFIRM, data=preview)
    assert page.status_code == 409
    assert "no longer what the preview showed" in page.text and "Nothing was published" in page.text
    plan = page.text.split('id="import-preview"')[1]
    assert "dep-001" in plan  # the edited question, now part of what importing publishes
    assert not (content_dir / BANK).exists() and _versions("dep-001") == 1
    again = import_confirm_data(page.text)
    assert again["token"] == preview["token"] and again["reviewed_plan"] != preview["reviewed_plan"]
    assert client.post(CONFIRM, data=again).status_code == 302
    assert _versions("dep-001") == 2 and (content_dir / BANK).exists()


def test_a_staged_file_replaced_under_the_same_token_publishes_nothing(client, content_dir, trainer, english):
    preview = import_confirm_data(upload(client, GIFT, "rm-banking.gift.txt").text)
    (STAGINGS.folder(preview["token"]) / UPLOAD).write_bytes("::gift-new-001::存款保险最高偿付限额（万元）？{#50}\n".encode())
    page = client.post(CONFIRM, data=preview)
    assert page.status_code == 409
    assert "no longer what the preview showed" in page.text
    assert "gift-new-001" in page.text and "gift-dep-001" not in page.text.split('id="import-preview"')[1]
    assert not (content_dir / BANK).exists()
    assert db.session.scalar(select(Question.id).where(Question.slug.like("gift-%"))) is None


def test_a_bank_file_changed_between_preview_and_confirm_shows_the_preview_of_now(client, content_dir, trainer,
                                                                                  english):
    preview = import_confirm_data(upload(client, GIFT, "rm-banking.gift.txt").text)
    (content_dir / BANK).write_text("## other-001\ntype: truefalse\nanswer: true\n\n别人刚写的题。\n", encoding="utf-8")
    page = client.post(CONFIRM, data=preview)
    assert page.status_code == 409
    assert f"{BANK} was changed by someone else since the preview" in page.text
    assert "replaces the existing bank" in page.text
    assert "别人刚写的题" in (content_dir / BANK).read_text(encoding="utf-8")
    # Confirmed again, having seen that it replaces the bank as it is now.
    assert client.post(CONFIRM, data=import_confirm_data(page.text)).status_code == 302
    assert "## gift-dep-001" in (content_dir / BANK).read_text(encoding="utf-8")


def test_a_confirmation_without_a_token_says_so(client, content_dir, trainer, english):
    page = client.post(CONFIRM, data={"reviewed_plan": "0" * 64})
    assert page.status_code == 400
    assert "This import has expired or was already published" in page.text


def test_a_reason_longer_than_allowed_is_said_beside_the_preview(client, content_dir, trainer, english):
    from lms.exams.regrade import MAX_REASON

    preview = import_confirm_data(upload(client, GIFT, "rm-banking.gift.txt").text)
    page = client.post(CONFIRM, data={**preview, "regrade": "keep", "regrade_reason": "理" * (MAX_REASON + 1)})
    assert page.status_code == 422
    assert f"{MAX_REASON}" in page.text.split('id="import-result"')[1]  # the limit, named
    assert import_confirm_data(page.text) == preview
    assert not (content_dir / BANK).exists()
