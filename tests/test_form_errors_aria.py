"""A field refused by validation says so to a screen reader, not only in red: the field carries
aria-invalid and names its error text in aria-describedby (the error was a <small> beside it, which a
screen reader reached only by reading on past the field)."""
from __future__ import annotations

from html.parser import HTMLParser

from tests.conftest import sign_in


class _Fields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: dict[str, list[str]] = {}  # id -> the text inside
        self.open: list[tuple[str, str]] = []  # (tag, id) of open elements with an id
        self.controls: list[dict] = []
        self.error_blocks: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("input", "select", "textarea", "ul") and (a.get("aria-invalid") or a.get("aria-describedby")):
            self.controls.append(a)
        if "field-errors" in (a.get("class") or "").split():
            self.error_blocks.append(a.get("id") or "")
        if a.get("id") and tag not in ("input", "br", "img"):
            self.ids[a["id"]] = []
            self.open.append((tag, a["id"]))

    def handle_endtag(self, tag):
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                del self.open[i]
                break

    def handle_data(self, data):
        for _tag, element_id in self.open:
            self.ids[element_id].append(data)


def invalid_fields(html: str) -> dict[str, str]:
    """{the refused control's name: the text it is described by}; fails where an error shown beside a
    field is not tied to it, or a control points at a description that is not on the page."""
    page = _Fields()
    page.feed(html)
    described = {}
    for control in page.controls:
        texts = []
        for ref in (control.get("aria-describedby") or "").split():
            assert ref in page.ids, f"{control.get('name')} is described by #{ref}, which is not on the page"
            texts.append("".join(page.ids[ref]).strip())
        if control.get("aria-invalid") == "true":
            described[control.get("name") or control.get("id")] = " ".join(texts)
    for block in page.error_blocks:
        assert any(block in (c.get("aria-describedby") or "").split() for c in page.controls), \
            f"the errors #{block} describe no field"
    return described


def test_a_refused_password_change_names_its_error_on_the_field(client, make_user):
    user = make_user(("learner",), locale="en")
    sign_in(client, user)
    page = client.post("/account/password", data={"current_password": "wrong", "new_password": "short",
                                                  "confirm": "other"}).text
    fields = invalid_fields(page)
    assert "confirm" in fields and fields["confirm"], page
    assert all(text for text in fields.values()), fields


def test_the_certificate_issue_form_ties_its_errors_to_its_fields(client, make_user):
    hr = make_user(("hr",), locale="zh_CN")
    sign_in(client, hr)
    page = client.post("/certificates/issue", data={"employee_no": "", "certification_id": "", "reason": ""}).text
    fields = invalid_fields(page)
    assert {"employee_no", "reason"} <= set(fields), fields
    assert all(text for text in fields.values()), fields


def test_the_pairing_form_ties_its_errors_to_its_fields(client, make_user):
    hr = make_user(("hr",), locale="en")
    sign_in(client, hr)
    page = client.post("/mentoring/admin/pair", data={}).text
    fields = invalid_fields(page)
    assert fields and all(text for text in fields.values()), fields
