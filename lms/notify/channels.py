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
import http.client
import json
import logging
import os
import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr
from urllib.parse import parse_qsl, quote_plus, urlsplit, urlunsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.notify import webhook_address

SEND_TIMEOUT_SECONDS = 10
log = logging.getLogger(__name__)

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
    "NOTIFY_WEBHOOK_ALLOW_NETWORKS": webhook_address.ALLOW_VARIABLE,  # private networks a webhook may reach
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


# What is read of a robot's answer at most (its JSON is a few dozen bytes).
ANSWER_LIMIT = 64 * 1024


class _CheckedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address checked for the host (``webhook_address``), not to the name again."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.checked_address = address

    def connect(self):
        self.sock = webhook_address.open_socket(self.checked_address, self.port, self.timeout)


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS; the certificate is checked against the host's name."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.checked_address = address

    def connect(self):
        sock = webhook_address.open_socket(self.checked_address, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _post_json(url: str, payload: dict, timeout: float, allow_networks: str | None = None) -> dict:
    """POST ``payload`` to a robot's webhook: http or https only (not file:, ftp: or data:), to an
    address ``webhook_address`` allows, resolved once and connected to as checked, and no redirect
    followed. A robot's webhook answers, it never redirects: a redirect would send the post (or a
    GET) to wherever it points, an address inside the bank's network named by whoever answers at
    the webhook's host; so it is a failure, recorded without the address (it may carry a key). A
    refused address is recorded in the delivery log and logged, never raised to a user."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ChannelError("the webhook address is not an http or https address")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = webhook_address.checked_address(parts.hostname, port,
                                                  webhook_address.allowed_networks(allow_networks))
    except (webhook_address.AddressRefused, webhook_address.BadAllowList) as refused:
        log.warning("webhook not sent: %s", refused)
        raise ChannelError(str(refused)) from None
    except ValueError:  # a port that is not a number, or out of range
        raise ChannelError("the webhook address has a port that is not a number from 1 to 65535") from None
    body = json.dumps(payload, ensure_ascii=False).encode()
    kind = _CheckedHTTPSConnection if parts.scheme == "https" else _CheckedHTTPConnection
    connection = kind(parts.hostname, port, address, timeout)
    try:
        connection.request("POST", urlunsplit(("", "", parts.path or "/", parts.query, "")), body=body,
                           headers={"Content-Type": "application/json; charset=utf-8"})
        response = connection.getresponse()
        if 300 <= response.status < 400:
            raise ChannelError(f"the robot's address answered with a redirect (HTTP {response.status}), which is "
                               f"not followed: check the webhook address")
        if response.status >= 400:
            raise ChannelError(f"the robot answered HTTP {response.status} {response.reason}"[:200])
        raw = response.read(ANSWER_LIMIT)
    finally:
        connection.close()
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

    def __init__(self, webhook: str, timeout: float = SEND_TIMEOUT_SECONDS, allow_networks: str | None = None):
        self.webhook, self.timeout, self.allow_networks = webhook, timeout, allow_networks

    def send(self, message: Message) -> None:
        _check_errcode(_post_json(self.webhook, _text_payload(message), self.timeout, self.allow_networks))


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉's signature: base64 of HMAC-SHA256(secret, "timestamp\\nsecret"), URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


class DingTalkChannel:
    """钉钉 group robot (自定义机器人), signed when a secret is set."""

    name = DINGTALK

    def __init__(self, webhook: str, secret: str = "", timeout: float = SEND_TIMEOUT_SECONDS,
                 allow_networks: str | None = None):
        self.webhook, self.secret, self.timeout, self.allow_networks = webhook, secret, timeout, allow_networks

    def signed_url(self, timestamp_ms: int | None = None) -> str:
        if not self.secret:
            return self.webhook
        timestamp_ms = timestamp_ms or int(time.time() * 1000)
        joiner = "&" if urlsplit(self.webhook).query else "?"
        return f"{self.webhook}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(self.secret, timestamp_ms)}"

    def send(self, message: Message) -> None:
        _check_errcode(_post_json(self.signed_url(), _text_payload(message), self.timeout, self.allow_networks))


def configured(config) -> dict[str, object]:
    """The channels whose settings are present in the environment, by name."""
    out: dict[str, object] = {}
    if config.get("NOTIFY_SMTP_HOST") and config.get("NOTIFY_SMTP_FROM"):
        security = (config.get("NOTIFY_SMTP_SECURITY") or "starttls").lower()
        default_port = {"ssl": 465, "none": 25}.get(security, 587)
        out[EMAIL] = EmailChannel(config["NOTIFY_SMTP_HOST"], int(config.get("NOTIFY_SMTP_PORT") or default_port),
                                  config["NOTIFY_SMTP_FROM"], config.get("NOTIFY_SMTP_USER") or "",
                                  config.get("NOTIFY_SMTP_PASSWORD") or "", security)
    allow = config.get("NOTIFY_WEBHOOK_ALLOW_NETWORKS")
    if config.get("NOTIFY_WECOM_WEBHOOK"):
        out[WECOM] = WeComChannel(config["NOTIFY_WECOM_WEBHOOK"], allow_networks=allow)
    if config.get("NOTIFY_DINGTALK_WEBHOOK"):
        out[DINGTALK] = DingTalkChannel(config["NOTIFY_DINGTALK_WEBHOOK"], config.get("NOTIFY_DINGTALK_SECRET") or "",
                                        allow_networks=allow)
    return out


WEBHOOK_SETTINGS = {WECOM: "NOTIFY_WECOM_WEBHOOK", DINGTALK: "NOTIFY_DINGTALK_WEBHOOK"}


def webhook_problem(channel: str, config) -> str | None:
    """Why the group robot ``channel``'s webhook will never be posted to (its scheme, or the address
    its host resolves to, refused by ``webhook_address``), naming the environment variable; None when
    it may be (or is not set, or its name does not resolve now: sending records that)."""
    key = WEBHOOK_SETTINGS.get(channel)
    url = config.get(key) if key else None
    if not url:
        return None
    variable = ENVIRONMENT[key]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("%(variable)s is not an http or https address.", variable=variable)
    try:
        webhook_address.checked_address(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                                        webhook_address.allowed_networks(config.get("NOTIFY_WEBHOOK_ALLOW_NETWORKS")))
    except webhook_address.AddressRefused as refused:
        return _("%(variable)s points at %(address)s, %(kind)s: webhooks are not sent there. Set the robot's own "
                 "address; a gateway inside the bank is allowed once its network is listed in "
                 "LMS_WEBHOOK_ALLOW_NETWORKS.", variable=variable, address=refused.address,
                 kind=webhook_address.KIND_LABELS[refused.kind])
    except webhook_address.BadAllowList as bad:
        return _("LMS_WEBHOOK_ALLOW_NETWORKS holds “%(entry)s”, which is not a network: write CIDRs such as "
                 "10.8.0.0/16, separated by commas.", entry=bad.entry)
    except ValueError:
        return _("%(variable)s has a port that is not a number from 1 to 65535.", variable=variable)
    except OSError:
        return None
    return None


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
