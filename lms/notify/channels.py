"""The outbound channels, behind one interface: ``Channel.send(message)``
returns nothing and raises ``ChannelError`` (or an OS error) on failure.

- e-mail over SMTP (``smtplib``; STARTTLS, SSL or plain);
- the 企业微信 (WeCom) group robot: a JSON POST to its webhook, errcode 0;
- the 钉钉 (DingTalk) group robot: the same, signed when a secret is set
  (timestamp in ms + "\\n" + secret, HMAC-SHA256, base64, URL-encoded,
  appended as ``&timestamp=..&sign=..``).

Their secrets come from the environment only (``LMS_SMTP_*``,
``LMS_WECOM_WEBHOOK``, ``LMS_DINGTALK_WEBHOOK``, ``LMS_DINGTALK_SECRET``;
read into the app's config by ``lms.notify.setup``). They are never stored
in the database, shown only masked, and removed from every error message
that is recorded (``scrub``)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import smtplib
import ssl
import time
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr
from urllib.parse import parse_qsl, quote_plus, urlsplit, urlunsplit

from flask_babel import lazy_gettext as _l

SEND_TIMEOUT_SECONDS = 10

# The names an administrator sees; e-mail is personal, the robots post to a group.
EMAIL, WECOM, DINGTALK = "email", "wecom", "dingtalk"
CHANNEL_LABELS = {EMAIL: _l("E-mail"), WECOM: _l("WeCom group robot"), DINGTALK: _l("DingTalk group robot")}
GROUP_CHANNELS = (WECOM, DINGTALK)

# app.config key ← environment variable
ENVIRONMENT = {
    "NOTIFY_SMTP_HOST": "LMS_SMTP_HOST",
    "NOTIFY_SMTP_PORT": "LMS_SMTP_PORT",
    "NOTIFY_SMTP_USER": "LMS_SMTP_USER",
    "NOTIFY_SMTP_PASSWORD": "LMS_SMTP_PASSWORD",
    "NOTIFY_SMTP_FROM": "LMS_SMTP_FROM",
    "NOTIFY_SMTP_SECURITY": "LMS_SMTP_SECURITY",  # starttls (default) | ssl | none
    "NOTIFY_WECOM_WEBHOOK": "LMS_WECOM_WEBHOOK",
    "NOTIFY_DINGTALK_WEBHOOK": "LMS_DINGTALK_WEBHOOK",
    "NOTIFY_DINGTALK_SECRET": "LMS_DINGTALK_SECRET",
}
SECRET_KEYS = ("NOTIFY_SMTP_PASSWORD", "NOTIFY_WECOM_WEBHOOK", "NOTIFY_DINGTALK_WEBHOOK", "NOTIFY_DINGTALK_SECRET")


def read_environment(config: dict) -> None:
    """Fill the app's config from the environment (a value set already, as
    tests do, stays)."""
    for key, variable in ENVIRONMENT.items():
        config.setdefault(key, os.environ.get(variable) or None)


class ChannelError(RuntimeError):
    """A channel refused or failed to take a message (the text holds no secret)."""


@dataclass
class Message:
    subject: str
    text: str
    to: str = ""  # the e-mail address; empty for a group robot


class EmailChannel:
    name = EMAIL

    def __init__(self, host: str, port: int, sender: str, user: str = "", password: str = "",
                 security: str = "starttls", timeout: float = SEND_TIMEOUT_SECONDS):
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password, self.security, self.timeout = user, password, security, timeout

    def send(self, message: Message) -> None:
        if not message.to:
            raise ChannelError("no e-mail address")
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = formataddr((str(_l("RM Academy")), self.sender))
        mail["To"] = message.to
        mail.set_content(message.text)
        if self.security == "ssl":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(mail)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A robot's webhook answers, it never redirects. urllib would follow a 301/302/303 with a GET to
    wherever it points — an address inside the bank's network, named by whoever answers at the
    webhook's host — so a redirect is a failure, recorded without the address (it may carry a key)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise ChannelError(f"the robot's address answered with a redirect (HTTP {code}), which is not followed: "
                           f"check the webhook address")


# http and https only (not file:, ftp: or data:, which urllib's default opener reads too), no redirects.
_OPENER = urllib.request.OpenerDirector()
for _handler in (urllib.request.HTTPHandler, urllib.request.HTTPSHandler, urllib.request.HTTPDefaultErrorHandler,
                 urllib.request.HTTPErrorProcessor, _NoRedirects):
    _OPENER.add_handler(_handler())


def _post_json(url: str, payload: dict, timeout: float) -> dict:
    if urlsplit(url).scheme not in ("http", "https"):
        raise ChannelError("the webhook address is not an http or https address")
    body = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    with _OPENER.open(request, timeout=timeout) as response:  # noqa: S310 (http or https, checked above)
        raw = response.read()
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        raise ChannelError("the robot's answer is not JSON") from None


def _check_errcode(answer: dict) -> None:
    if answer.get("errcode") != 0:
        raise ChannelError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}"[:300])


def _text_payload(message: Message) -> dict:
    return {"msgtype": "text", "text": {"content": f"{message.subject}\n{message.text}"}}


class WeComChannel:
    """企业微信 group robot (群机器人): POST JSON to its webhook."""

    name = WECOM

    def __init__(self, webhook: str, timeout: float = SEND_TIMEOUT_SECONDS):
        self.webhook, self.timeout = webhook, timeout

    def send(self, message: Message) -> None:
        _check_errcode(_post_json(self.webhook, _text_payload(message), self.timeout))


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉's signature: base64 of HMAC-SHA256(secret, "timestamp\\nsecret"), URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


class DingTalkChannel:
    """钉钉 group robot (自定义机器人), signed when a secret is set."""

    name = DINGTALK

    def __init__(self, webhook: str, secret: str = "", timeout: float = SEND_TIMEOUT_SECONDS):
        self.webhook, self.secret, self.timeout = webhook, secret, timeout

    def signed_url(self, timestamp_ms: int | None = None) -> str:
        if not self.secret:
            return self.webhook
        timestamp_ms = timestamp_ms or int(time.time() * 1000)
        joiner = "&" if urlsplit(self.webhook).query else "?"
        return f"{self.webhook}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(self.secret, timestamp_ms)}"

    def send(self, message: Message) -> None:
        _check_errcode(_post_json(self.signed_url(), _text_payload(message), self.timeout))


def configured(config) -> dict[str, object]:
    """The channels whose settings are present in the environment, by name."""
    out: dict[str, object] = {}
    if config.get("NOTIFY_SMTP_HOST") and config.get("NOTIFY_SMTP_FROM"):
        security = (config.get("NOTIFY_SMTP_SECURITY") or "starttls").lower()
        default_port = {"ssl": 465, "none": 25}.get(security, 587)
        out[EMAIL] = EmailChannel(config["NOTIFY_SMTP_HOST"], int(config.get("NOTIFY_SMTP_PORT") or default_port),
                                  config["NOTIFY_SMTP_FROM"], config.get("NOTIFY_SMTP_USER") or "",
                                  config.get("NOTIFY_SMTP_PASSWORD") or "", security)
    if config.get("NOTIFY_WECOM_WEBHOOK"):
        out[WECOM] = WeComChannel(config["NOTIFY_WECOM_WEBHOOK"])
    if config.get("NOTIFY_DINGTALK_WEBHOOK"):
        out[DINGTALK] = DingTalkChannel(config["NOTIFY_DINGTALK_WEBHOOK"], config.get("NOTIFY_DINGTALK_SECRET") or "")
    return out


def mask_url(url: str | None) -> str:
    """A webhook as the settings page shows it: the address without the key
    (every query value and the path's last part starred)."""
    if not url:
        return ""
    parts = urlsplit(url)
    query = "&".join(f"{k}=****" for k, _v in parse_qsl(parts.query, keep_blank_values=True))
    path = parts.path.rsplit("/", 1)[0] + "/****" if not parts.query and parts.path.count("/") > 1 else parts.path
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def masked_settings(config) -> dict[str, list[tuple[object, str]]]:
    """What the settings page shows of each channel's environment: plain
    settings as they are, secrets only as set or not."""
    def secret(key):
        return "••••••" if config.get(key) else ""

    return {
        EMAIL: [("LMS_SMTP_HOST", config.get("NOTIFY_SMTP_HOST") or ""),
                ("LMS_SMTP_PORT", str(config.get("NOTIFY_SMTP_PORT") or "")),
                ("LMS_SMTP_SECURITY", config.get("NOTIFY_SMTP_SECURITY") or "starttls"),
                ("LMS_SMTP_FROM", config.get("NOTIFY_SMTP_FROM") or ""),
                ("LMS_SMTP_USER", config.get("NOTIFY_SMTP_USER") or ""),
                ("LMS_SMTP_PASSWORD", secret("NOTIFY_SMTP_PASSWORD"))],
        WECOM: [("LMS_WECOM_WEBHOOK", mask_url(config.get("NOTIFY_WECOM_WEBHOOK")))],
        DINGTALK: [("LMS_DINGTALK_WEBHOOK", mask_url(config.get("NOTIFY_DINGTALK_WEBHOOK"))),
                   ("LMS_DINGTALK_SECRET", secret("NOTIFY_DINGTALK_SECRET"))],
    }


def scrub(text: str, config) -> str:
    """An error message with every secret of the settings (and the key of
    each webhook) replaced by ****, cut to fit the delivery's record."""
    for key in SECRET_KEYS:
        value = config.get(key)
        if not value:
            continue
        text = text.replace(value, "****")
        if key.endswith("WEBHOOK"):
            for _k, v in parse_qsl(urlsplit(value).query):
                if len(v) >= 6:
                    text = text.replace(v, "****")
    return text[:500]
