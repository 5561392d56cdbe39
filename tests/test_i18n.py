"""Chinese is the default language: every string the UI shows has a zh_CN
translation, and the compiled catalogues match their sources."""
import re

import pytest
from babel.messages.mofile import read_mo

from lms import i18n
from tests.conftest import sign_in


@pytest.mark.parametrize("domain", i18n.domains())
def test_every_ui_string_has_a_chinese_translation(domain):
    extracted = i18n.extract(domain)
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in extracted if m.id}
    if not ids:
        return
    catalog = i18n.load(domain)
    assert catalog is not None, f"{domain} has strings but no catalogue: run `flask i18n update`"
    translated = {(m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id and i18n._translated(m)}
    missing = sorted(ids - translated)
    assert not missing, f"untranslated in {i18n.catalog_path(domain)}: {missing[:20]}"
    mo_path = i18n.catalog_path(domain).with_suffix(".mo")
    with mo_path.open("rb") as fh:
        compiled = {(m.id if isinstance(m.id, str) else m.id[0]) for m in read_mo(fh) if m.id}
    assert ids <= compiled, f"{mo_path} is stale: run `flask i18n compile`"


def test_chinese_by_default_english_per_user(client, make_user):
    user = make_user(("learner",), locale="zh_CN")
    sign_in(client, user)
    assert "客户经理学院" in client.get("/").text
    client.post("/language", data={"lang": "en"})
    assert "RM Academy" in client.get("/").text
    assert "Sign out" in client.get("/").text


def test_language_before_sign_in(client):
    assert "登录" in client.get("/login").text
    client.post("/language", data={"lang": "en"})
    assert "Sign in" in client.get("/login").text


def test_a_message_means_one_thing_across_domains():
    """The app merges every domain's catalogue into one (Flask-Babel), so a
    message two domains translate differently shows one domain's words on the
    other's pages ("Failed" of a delivery read 未通过). Messages whose meaning
    differs carry a context (pgettext)."""
    from lms import i18n

    seen: dict[tuple, dict[str, str]] = {}
    for domain in i18n.domains():
        catalog = i18n.load(domain)
        for message in catalog or ():
            if message.id and isinstance(message.id, str) and message.string:
                seen.setdefault((message.context, message.id), {})[domain] = message.string
    differing = {key: by_domain for key, by_domain in seen.items() if len(set(by_domain.values())) > 1}
    assert not differing


# Chinese (a Han character, or a closing Chinese quote or bracket) and then ASCII punctuation.
ASCII_AFTER_CHINESE = re.compile(r"[\u3400-\u9fff”」』）][:;,?!(]")
# Where the ASCII sign after Chinese is not punctuation but notation the reader types or reads as such:
# "键: 值" is the syntax of a content file's lines (a trainer must write the ASCII colon); 分:秒 is a duration
# written like a clock (12:05).
NOTATION = {
    "a certification file must be 'key: value' lines (see content/FORMAT.md)",
    "an eligibility rule file must be 'key: value' lines (see content/FORMAT.md)",
    "front matter must be 'key: value' lines",
    "an exam file must be 'key: value' lines (see content/FORMAT.md)",
    "a programme file must be 'key: value' lines (see content/FORMAT.md)",
    "mean time (min:s)",
    "median time (min:s)",
}


def test_chinese_translations_use_chinese_punctuation():
    """得分：80, not 得分: 80 — in every zh msgstr no ASCII colon, semicolon, comma,
    question or exclamation mark or opening bracket straight after Chinese
    (README, Languages)."""
    wrong = []
    for domain in i18n.domains():
        for message in i18n.load(domain) or ():
            msgid = message.id if isinstance(message.id, str) else (message.id or ("",))[0]
            strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
            if msgid and msgid not in NOTATION:
                wrong += [f"{domain}: {msgid!r} → {s!r}" for s in strings if s and ASCII_AFTER_CHINESE.search(s)]
    assert not wrong, "\n".join(wrong)


def test_every_chinese_message_addresses_its_reader_as_您():
    """61 messages said 您 and 56 said 你, on one page too (您已回答全部题目 beside 你的答案). The product is a
    bank's internal system speaking to its employees: 您, in every message (README, Languages)."""
    informal = []
    for domain in i18n.domains():
        for message in i18n.load(domain) or ():
            strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
            informal += [f"{domain}: {s}" for s in strings if s and "你" in s]
    assert not informal, "\n".join(informal)


def test_switching_the_language_says_so_in_the_language_chosen(client, make_user):
    """After choosing English the page said "语言已切换。": the message was made before the switch."""
    client.post("/language", data={"lang": "en"})
    page = client.get("/login").text
    assert "Language changed." in page and "语言已切换" not in page
    client.post("/language", data={"lang": "zh_CN"})
    assert "语言已切换。" in client.get("/login").text
    user = make_user(("learner",), locale="zh_CN")
    sign_in(client, user)
    client.post("/language", data={"lang": "en"})
    assert "Language changed." in client.get("/").text
