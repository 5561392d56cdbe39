"""Every page as every kind of user, in Chinese and in English.

The demo organisation is loaded once for the module. For each role (learner,
mentor, trainer, HR, branch manager, administrator, a person with several
roles) and each language, a crawler starts at the home page and follows every
link and ``hx-get`` the pages show, opening each endpoint once (its first
URL), and checks what a new user would notice:

- no error: every link a page shows answers (after redirects) 200 — no 404
  from a link the page itself offers, no 403, no 500;
- every HTML page has a title of its own and a heading, inside the layout
  (the brand link home and the menu: a way back);
- no raw codes in the visible text (None, True/False, [], {}, ISO timestamps
  with a T or microseconds, snake_case codes, dotted event names);
- the language: on an English page no Chinese interface text (headings,
  labels, buttons, table headers, hints, placeholders — except what is
  content: titles of courses, people, branches …, listed in CONTENT_TAGS by
  class/id); on a Chinese page no English interface sentence;
- punctuation of the page's language (README, Languages): on a Chinese page no
  ASCII colon, semicolon, comma, ? or ! after Chinese, no ASCII brackets
  around Chinese and no full-width ones around a bare number or cell (练习全部错题
  (3), not （3）); on an English page no Chinese ：；，、（ between English words
  and no plural left to the reader ("1 problem(s)").

At the end, every GET route of the app must have been opened by some role or
be listed in NOT_A_PAGE (downloads, fragments, assets) — a new page nobody
links to fails here. Someone who must change their password is sent to the
password page from every page.
"""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from lms import clock as lms_clock
from lms import create_app
from lms.extensions import db
from tests.conftest import BASE_CONFIG, CSRFClient, leave_database_empty, load_demo_copy, sign_in
from tests.test_labels import visible_text
from tests.walk import empty_tables, walk

ROLES = ["learner", "mentor", "trainer", "hr", "manager", "admin", "several"]
LANGS = ["zh_CN", "en"]
# Routes that are not pages: downloads, fragments polled by htmx, assets, and the
# password page (its own test below). Each is still fetched when a page links it.
NOT_A_PAGE = {
    "static", "main.favicon", "main.health", "content.asset", "notify.bell", "mentoring.desk_poll",
    "certificates.pdf", "certificates.export", "certificates.expiring_export", "eligibility.export",
    "eligibility.monitor_export", "mentoring_admin.export", "mentoring_admin.import_template",
    "reports.export", "org.import_template", "org.import_problems", "mentoring_admin.import_problems", "content_import.example_gift", "content_import.example_xlsx",
    "content_import.export", "content_import.template", "certificate_pdf.sample",
}
# GET routes no page links to in the demo (each opened here by the role named); more from the demo's
# rows in _seed() (attempts, sign-offs, files).
SEEDS = {
    "anonymous": ["/login", "/verify/", "/verify/no-such-code"],
    "learner": ["/programmes/", "/mentoring/my-signoff"],
}


def _seed() -> None:
    from lms.content.models import Course, Lesson, Programme
    from lms.exams.models import Attempt
    from lms.mentoring.models import SignOff

    learner = _user("learner")
    attempt = db.session.scalar(select(Attempt).where(Attempt.user_id == learner.id).order_by(Attempt.id.desc()))
    if attempt is not None:
        SEEDS["learner"] += [f"/attempts/{attempt.id}", f"/attempts/{attempt.id}/result",
                             f"/attempts/{attempt.id}/review"]
    lesson = db.session.scalar(select(Lesson).order_by(Lesson.id))
    course = db.session.get(Course, lesson.course_id)
    SEEDS["learner"].append(f"/courses/{course.slug}/lessons/{lesson.slug}")
    programme = db.session.scalar(select(Programme).order_by(Programme.id))
    SEEDS["trainer"] = [f"/console/courses/{course.slug}/new?kind=bank&name=walk",
                        f"/console/schedule/files/programme/{programme.slug}"]
    signoff = db.session.scalar(select(SignOff).where(SignOff.withdrawn_at.is_(None)).order_by(SignOff.id))
    if signoff is not None:
        SEEDS["hr"] = [f"/mentoring/signoffs/{signoff.id}", f"/mentoring/signoffs/{signoff.id}/withdraw"]
    _seed_renewal_batch()


def _seed_renewal_batch() -> None:
    """A bulk renewal's result page (reached by the redirect after its POST): of the demo's revoked
    certificates, which it names as not renewed and changes nothing."""
    from lms.certificates import renewal_batches
    from lms.certificates.models import Certificate

    revoked = list(db.session.scalars(select(Certificate.id).where(Certificate.revoked_at.is_not(None))
                                      .order_by(Certificate.id)))
    token = renewal_batches.new_token()
    renewal_batches.run(token, revoked, _user("hr"), "walk", include_unmet=False, scope=None)
    SEEDS.setdefault("hr", []).append(f"/certificates/renew/{token}")
# On an English page "None" and "True"/"False" are words ("None chosen", "True or false"): checked on Chinese pages.
RAW_ON_CHINESE = [(r"\bNone\b", "None"), (r"\bTrue\b|\bFalse\b", "a Python boolean")]
RAW = [
    (r"\[\]|\{\}", "an empty list or dict"),
    (r"\b\d{4}-\d\d-\d\dT\d\d:\d\d", "an ISO timestamp with T"), (r"\d\d:\d\d:\d\d\.\d{3,}", "microseconds"),
    (r"(?<![\w./-])[a-z]+_[a-z_]+\b(?![./(-])", "a snake_case code"),
]
# On an English page: a date written the Chinese way, or a count of one with a plural noun ("1 / 1 points" is
# a score out of its maximum). A Chinese weekday in the interface is caught as Chinese in the chrome.
RAW_ON_ENGLISH = [(r"\d{4}年\d{1,2}月|\d{1,2}月\d{1,2}日", "a date in Chinese form"),
                  # Any plural noun after a count of one, not a list of nouns that grew one fault at a time.
                  (r"(?<![\d.,:/-])(?<!/ )(?<!Q)\b1 (?:people|(?!(?:is|was|has|does|as|its|this|plus|less|status|access|"
                   r"process|address|business|analysis|focus|bonus|class|pass|passes|miss|cross|loss|across|gross|"
                   r"always|news|series|yes|us|thus)\b)[a-z]+s)\b", "a plural after 1"),
                  (r"[a-z]\(s\)", "a plural left to the reader (“problem(s)”)")]
# snake_case words a page may show: ids the trainer writes in files (shown as code) are allowed in <code>.
HAN = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_SENTENCE = re.compile(r"\b[A-Za-z][a-z]{2,}(?: [a-z]{2,}){2,}")
CHROME = {"title", "h1", "h2", "h3", "th", "label", "button", "legend", "dt", "caption", "summary"}
CHROME_ATTRS = ("placeholder", "aria-label")
# Elements whose text is content (lesson and question bodies, answer options), whatever the page's language.
CONTENT_CLASSES = {"prose", "q-body", "q-options", "editor-preview"}


class Page(HTMLParser):
    """The links of a page and its interface text (tag, text), skipping content
    (user text, titles from the curriculum) inside elements marked as such."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.chrome: list[tuple[str, str]] = []
        self.stack: list[str] = []
        self.code = 0
        self.content: list[str] = []  # the open elements that hold content (prose, answer options)
        self.has_title = self.has_h1 = self.has_home = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in ("br", "input", "img", "meta", "link", "hr", "col", "wbr", "source"):
            self.stack.append(tag)
        if tag in ("code", "pre", "kbd"):
            self.code += 1
        if self.content or CONTENT_CLASSES & set((a.get("class") or "").split()):
            self.content.append(tag)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
            if "brand" in (a.get("class") or ""):
                self.has_home = True
        if a.get("hx-get"):
            self.links.append(a["hx-get"])
        self.has_h1 = self.has_h1 or tag == "h1"
        for key in CHROME_ATTRS:
            if a.get(key):
                self.chrome.append(("@" + key, a[key]))

    def handle_endtag(self, tag):
        if tag in ("code", "pre", "kbd") and self.code:
            self.code -= 1
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass
        if self.content and tag in self.content:
            while self.content and self.content.pop() != tag:
                pass

    def handle_data(self, data):
        text = data.strip()
        if not text or not self.stack:
            return
        if self.stack[-1] == "title":
            self.has_title = bool(text)
        if self.stack[-1] in CHROME and not self.code and not self.content:
            self.chrome.append((self.stack[-1], text))


def _user(employee_no):
    from lms.org.models import User

    return db.session.scalar(select(User).where(User.employee_no == employee_no))


@pytest.fixture(scope="module")
def demo_app(_migrated):
    """The demo organisation, loaded once for the module (pages are only read)."""

    from lms.org.models import UserRole

    app = create_app(dict(BASE_CONFIG))
    app.test_client_class = CSRFClient
    lms_clock.freeze(datetime(2026, 3, 2, 1, 0, 0))
    with app.app_context():
        load_demo_copy("demo-pass-2024")
        several = _user("E1010")  # a learner who is also a mentor and a trainer
        several.role_rows.extend([UserRole(role="mentor"), UserRole(role="trainer")])
        db.session.commit()
        _seed()
        yield app
        leave_database_empty()
    lms_clock.reset()


ACCOUNTS = {"several": "E1010"}
OPENED: dict[str, set[str]] = defaultdict(set)  # endpoint → roles that opened it


def _problems(html: str, lang: str) -> tuple[list[str], Page]:
    page = Page()
    page.feed(html)
    problems = []
    if "<html" not in html:
        return problems, page  # a fragment (htmx): checked for codes and language only
    if not page.has_title:
        problems.append("no <title>")
    if not page.has_h1:
        problems.append("no <h1>")
    if not page.has_home:
        problems.append("no way back (the brand link home)")
    text = visible_text(re.sub(r"<(code|pre|kbd)\b.*?</\1>", " ", html, flags=re.S))
    for pattern, what in RAW + (RAW_ON_CHINESE if lang == "zh_CN" else RAW_ON_ENGLISH):
        found = re.search(pattern, text)
        if found:
            problems.append(f"{what}: …{text[max(0, found.start() - 40):found.end() + 40]}…")
    if lang == "zh_CN":
        problems.extend(f"English punctuation after Chinese: …{where}…" for where in ascii_punctuation_after_chinese(html))
        problems.extend(f"full-width brackets around a number or cell: …{where}…" for where in bracketed_number(html))
        problems.extend(f"a space after Chinese punctuation: …{where}…" for where in space_after_chinese_punctuation(html))
    else:
        problems.extend(f"Chinese punctuation in English: …{where}…" for where in chinese_punctuation_in_english(html))
        problems.extend(f"Chinese in the English text: {line[:100]}" for line in chinese_in_english_text(html))
    for tag, words in page.chrome:
        if lang == "en" and HAN.search(words) and not _content(words):
            problems.append(f"Chinese on the English page <{tag}>: {words[:80]}")
        if lang == "zh_CN" and ENGLISH_SENTENCE.search(words):
            problems.append(f"English on the Chinese page <{tag}>: {words[:80]}")
    return problems, page


# Chinese text, then an ASCII colon, semicolon, comma, question or exclamation mark ("得分: 80", "下载:"), or an
# ASCII bracket holding Chinese ("评分标准 (第 1 部分)"). Half-width brackets around a number or code stay
# ("李学员 (E1001)", "未作答 (3)"); times (10:30) and URLs have no Chinese before their colon.
CJK = r"\u3400-\u9fff\u3001-\u3003\u300b\u300d\u300f\u3011\uff09"
ASCII_AFTER_CJK = re.compile(rf"[{CJK}]\s*[:;,?!]|[{CJK}]\(|\((?=[^()]*[\u3400-\u9fff])[^()]*\)")
NOT_TEXT = {"code", "pre", "kbd", "script", "style", "textarea", "samp"}


# A number, a code, a date or a cell reference in brackets is written as in English after a space, on a
# Chinese page too (README, Languages: 未作答 (3), 李学员 (E1001), 第 7 行 答案 列 (I7), 空白模板 (XLSX));
# a blank of a fill-in stem （1） stands apart.
BRACKETED_NUMBER = re.compile(r"(?<=[\u3400-\u9fff])（(?=[^）]*\d)[^（）\u3400-\u9fff\u3000-\u303f\uff01-\uff5e“”]+）")


def bracketed_number(html: str) -> list[str]:
    text = _interface_text(html)
    return [text[max(0, m.start() - 30):m.end() + 30] for m in BRACKETED_NUMBER.finditer(text)]


def ascii_punctuation_after_chinese(html: str) -> list[str]:
    """The places in a page's interface text where ASCII punctuation follows Chinese."""
    text = _interface_text(html)
    return [text[max(0, m.start() - 30):m.end() + 30] for m in ASCII_AFTER_CJK.finditer(text)]


# A Chinese full stop, comma or colon with a space after it inside one line of text ("计划已保存。 第 2 周…",
# "得分： 80"): Chinese writes the next word straight after its punctuation. Elements that start a line of
# their own (a paragraph, a cell, a list item) end the line before them.
SPACE_AFTER_CHINESE = re.compile(r"[。，：；！？][ \u3000]+(?=\S)")
BLOCKS = {"p", "div", "li", "td", "th", "tr", "table", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4",
          "h5", "h6", "section", "article", "header", "footer", "nav", "main", "form", "fieldset", "legend",
          "details", "summary", "option", "select", "br", "hr", "label", "caption", "figure", "figcaption",
          "blockquote", "aside", "tbody", "thead", "button", "input", "textarea", "title", "body", "html"}


def space_after_chinese_punctuation(html: str) -> list[str]:
    text = _interface_text(html, lines=True)
    return [text[max(0, m.start() - 30):m.end() + 30].replace("\n", " | ")
            for m in SPACE_AFTER_CHINESE.finditer(text)]


def _interface_text(html: str, lines: bool = False) -> str:
    """A page's text, not code, not content a trainer wrote; tags between two
    characters do not separate them. With ``lines``, an element that starts a
    line of its own (BLOCKS) ends the line of text before it."""

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts, self.skip, self.apart = [], [], []

        def handle_starttag(self, tag, attrs):
            if lines and "button" in (dict(attrs).get("class") or "").split():
                self.apart.append(tag)  # a link drawn as a button stands apart, as a <button> does
            if lines and (tag in BLOCKS or self.apart and self.apart[-1] == tag):
                self.parts.append("\0")
            if tag in ("br", "input", "img", "meta", "link", "hr", "col", "wbr", "source"):
                return
            classes = set((dict(attrs).get("class") or "").split())
            if self.skip or tag in NOT_TEXT or CONTENT_CLASSES & classes:
                self.skip.append(tag)
                self.parts.append(" ")

        def handle_endtag(self, tag):
            if lines and (tag in BLOCKS or self.apart and self.apart[-1] == tag):
                self.parts.append("\0")
                if self.apart and self.apart[-1] == tag:
                    self.apart.pop()
            if self.skip and tag in self.skip:
                while self.skip and self.skip.pop() != tag:
                    pass

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data)

    parser = Text()
    parser.feed(html)
    if lines:
        return "\n".join(re.sub(r"\s+", " ", line).strip() for line in "".join(parser.parts).split("\0"))
    # 分:秒 names the notation of a duration (12:05) in the item analysis' headers: not punctuation.
    return re.sub(r"\s+", " ", "".join(parser.parts)).replace("分:秒", "")


# On an English page: a Chinese colon, semicolon, comma or enumeration comma, or an opening bracket, between
# English words ("Intern、Teller", "Feedback：Good"). Chinese content (a title "现金流预测、DSCR 与回收期") has
# Chinese on one side.
CHINESE_IN_ENGLISH = re.compile(r"[A-Za-z]{2}[：；，、（] ?[A-Za-z]")


def chinese_punctuation_in_english(html: str) -> list[str]:
    text = _interface_text(html)
    return [text[max(0, m.start() - 30):m.end() + 30] for m in CHINESE_IN_ENGLISH.finditer(text)]


def chinese_in_english_text(html: str) -> list[str]:
    """The lines of an English page's text (not only its headings and labels: a message, a cell, a hint)
    that are one of the app's own Chinese translations: a message made in Chinese whatever the reader's
    language ("语言已切换。" flashed on the English page after switching to English). Content (stems,
    titles, reasons HR typed), Chinese in the demo, is not a translation of the app."""
    messages = _interface_messages()
    return [line for line in _interface_text(html, lines=True).split("\n")
            if HAN.search(line) and line.strip() in messages]


_MESSAGES: set[str] = set()


def _interface_messages() -> set[str]:
    """The zh translations without a value in them, less those that are also content in the demo."""
    if not _MESSAGES:
        from lms import i18n

        for domain in i18n.domains():
            for message in i18n.load(domain) or ():
                strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
                _MESSAGES.update(s.strip() for s in strings if s and "%(" not in s and HAN.search(s))
        _MESSAGES.difference_update(_CONTENT_NAMES)
    return _MESSAGES


# Interface elements that carry content (names of people, branches, courses, exams,
# certifications — all Chinese in the demo) rather than interface words.
_CONTENT_NAMES: set[str] = set()


_GLOSS = re.compile(r"[(（][^()（）]*[\u4e00-\u9fff][^()（）]*[)）]")


def _content(words: str) -> bool:
    """Whether the Chinese in ``words`` is content or a deliberate gloss: the names
    of the demo's people, branches and curriculum, a bank term glossed in
    brackets ("Certified to work (持证上岗)"), the language switch (中文)."""
    rest = words
    for name in sorted(_CONTENT_NAMES, key=len, reverse=True):
        rest = rest.replace(name, "")
    return not HAN.search(_GLOSS.sub("", rest).replace("中文", ""))


def _load_content_names():
    from lms.content.models import Certification, Course, EligibilityRule, Exam, Lesson, Programme, ProgrammeItem
    from lms.mentoring.models import CheckInAction, SignOffDimension
    from lms.org.models import Branch, User

    names = set()
    for model, column in ((Course, "title"), (Exam, "title"), (Lesson, "title"), (Programme, "title"),
                          (Certification, "title"), (EligibilityRule, "title"), (Branch, "name"), (User, "name"),
                          (ProgrammeItem, "title"), (CheckInAction, "text")):
        names.update(n for n in db.session.scalars(select(getattr(model, column))) if n)
    names.update(d.label_zh for d in db.session.scalars(select(SignOffDimension)))
    return names


def _walk(app, role: str, lang: str) -> list[str]:
    from lms.org.models import User

    if not _CONTENT_NAMES:
        _CONTENT_NAMES.update(_load_content_names())
    client = app.test_client()
    if role != "anonymous":
        user = _user(ACCOUNTS.get(role, role))
        db.session.execute(db.update(User).where(User.id == user.id).values(locale=lang))
        db.session.commit()
        db.session.expire_all()  # the session version as stored now
        sign_in(client, _user(ACCOUNTS.get(role, role)))
    else:
        client.post("/language", data={"lang": lang})
    def check(html):
        problems, page = _problems(html, lang)
        return problems + empty_tables(html), page.links

    walked = walk(app, client, starts=["/", *SEEDS.get(role, [])], check=check,
                  expected_status=lambda url: 404 if url.startswith("/verify/no-such-code") else 200)
    for endpoint in walked.opened:
        OPENED[endpoint].add(role)
    return walked.errors


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_every_page_of_every_role_reads_well(demo_app, role, lang):
    errors = _walk(demo_app, role, lang)
    assert not errors, f"{role} / {lang}:\n" + "\n".join(errors)


def test_every_get_route_was_opened(demo_app):
    """Runs after the walks (pytest keeps the file's order). With the suite
    spread over workers, the walks of some roles ran in another process: those
    roles are walked here once more (their pages are judged by their own test)."""
    walked = {role for roles in OPENED.values() for role in roles}
    for role in ["anonymous", *ROLES]:
        if role not in walked:
            _walk(demo_app, role, LANGS[0])
    routes = {rule.endpoint for rule in demo_app.url_map.iter_rules() if "GET" in rule.methods}
    missing = sorted(routes - set(OPENED) - NOT_A_PAGE)
    assert not missing, f"GET routes no page of any role links to: {missing}"


def test_who_must_change_their_password_is_sent_there_from_every_page(demo_app):
    """Signed in with a password HR reset: every page leads to the password page,
    which reads well in both languages."""
    from lms.org.models import User

    client = demo_app.test_client()
    user = _user("E1012")
    for lang in LANGS:
        db.session.execute(db.update(User).where(User.id == user.id).values(must_change_password=True, locale=lang))
        db.session.commit()
        signed = client.post("/login", data={"employee_no": "E1012", "password": "demo-pass-2024"})
        assert signed.status_code == 302 and "/account/password" in signed.headers["Location"]
        for path in ("/", "/courses", "/programmes/", "/notebook/", "/me", "/certificates/mine", "/mentoring/me"):
            response = client.get(path)
            assert response.status_code == 302 and "/account/password" in response.headers["Location"], path
        page = client.get("/account/password")
        assert page.status_code == 200
        problems, _page = _problems(page.text, lang)
        assert not problems, problems
        client.post("/logout")
    db.session.execute(db.update(User).where(User.id == user.id).values(must_change_password=False, locale="zh_CN"))
    db.session.commit()
