"""A local group-robot server (企业微信 and 钉钉 posts, with 钉钉's signature
checked) and a local SMTP sink, both on 127.0.0.1 in a thread. A webhook is
never posted to 127.0.0.1 (``lms.notify.webhook_address``): the robot is named
``robot.bank.example``, which the resolver stub (``webhook_dns``) resolves to
an address inside an allowed network, and the stub's connections reach the
local port instead (no DNS, no network)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest

DINGTALK_SECRET = "SECdingtalk-test-secret-0123456789"
ROBOT_KEY = "wecom-key-7f3a9c"


class _RobotHandler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        server = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        post = SimpleNamespace(path=parts.path, query=query, json=json.loads(body.decode("utf-8")),
                               content_type=self.headers.get("Content-Type", ""), sign_ok=None)
        if "sign" in query:
            expected = base64.b64encode(hmac.new(DINGTALK_SECRET.encode(), f"{query['timestamp']}\n{DINGTALK_SECRET}"
                                                 .encode(), hashlib.sha256).digest()).decode()
            post.sign_ok = hmac.compare_digest(query["sign"], expected)
        server.posts.append(post)
        status, answer, *headers = server.answers.pop(0) if server.answers else (200, {"errcode": 0, "errmsg": "ok"})
        if post.sign_ok is False:
            status, answer = 200, {"errcode": 310000, "errmsg": "sign not match"}
        raw = json.dumps(answer).encode()
        self.send_response(status)
        for name, value in (headers[0] if headers else {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self):  # noqa: N802 (http.server's name): a robot is only posted to; a GET is recorded
        self.server.gets.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


ROBOT_HOST, ROBOT_ADDRESS, GATEWAY_NETWORK = "robot.bank.example", "10.20.30.40", "10.20.0.0/16"


def _literal_only(host, port):
    try:
        ipaddress.ip_address(host)
        return [host]
    except ValueError:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch):
    """No test here asks the machine's DNS: a name resolves only through ``webhook_dns``."""
    from lms.notify import webhook_address

    monkeypatch.setattr(webhook_address, "resolve", _literal_only)


@pytest.fixture
def webhook_dns(app, monkeypatch):
    """The resolver stub: ``webhook_dns.names[host]`` the addresses a name resolves to (or a list of
    such lists: one answer per lookup, as a rebinding DNS gives; an address literal resolves to
    itself; any other name does not resolve). Every connection made goes to the
    same port on 127.0.0.1, and ``webhook_dns.connected`` records the (address, port) asked for.
    The robot's network is allowed (``LMS_WEBHOOK_ALLOW_NETWORKS``)."""
    from lms.notify import webhook_address

    stub = SimpleNamespace(names={ROBOT_HOST: [ROBOT_ADDRESS]}, connected=[], resolved=[])

    def resolve(host, port):
        stub.resolved.append(host)
        if host in stub.names:
            names = stub.names[host]
            return list(names.pop(0) if names and isinstance(names[0], list) else names)
        return _literal_only(host, port)

    def open_socket(address, port, timeout):
        stub.connected.append((address, port))
        return socket.create_connection(("127.0.0.1", port), timeout=timeout)

    monkeypatch.setattr(webhook_address, "resolve", resolve)
    monkeypatch.setattr(webhook_address, "open_socket", open_socket)
    app.config["NOTIFY_WEBHOOK_ALLOW_NETWORKS"] = GATEWAY_NETWORK
    return stub


@pytest.fixture
def robot(webhook_dns):
    """A robot server: ``robot.url(path)``; ``robot.posts`` what arrived (``robot.gets``: GETs);
    ``robot.answers`` (status, json[, headers]) to give next, else errcode 0."""
    server = HTTPServer(("127.0.0.1", 0), _RobotHandler)
    server.posts, server.answers, server.gets = [], [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = lambda path: f"http://{ROBOT_HOST}:{server.server_port}{path}"
    yield server
    server.shutdown()
    server.server_close()


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: EHLO, MAIL, RCPT, DATA, QUIT."""

    def handle(self):
        self.wfile.write(b"220 sink ESMTP\r\n")
        mail = SimpleNamespace(sender="", recipients=[], data=b"")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("ascii", "replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.wfile.write(b"250-sink\r\n250 8BITMIME\r\n")
            elif command.startswith("MAIL FROM"):
                mail.sender = line.decode().split(":", 1)[1].strip()
                self.wfile.write(b"250 OK\r\n")
            elif command.startswith("RCPT TO"):
                mail.recipients.append(line.decode().split(":", 1)[1].strip().strip("<>"))
                self.wfile.write(b"250 OK\r\n")
            elif command == "DATA":
                self.wfile.write(b"354 go ahead\r\n")
                chunks = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    chunks.append(chunk)
                mail.data = b"".join(chunks)
                self.server.messages.append(mail)
                mail = SimpleNamespace(sender="", recipients=[], data=b"")
                self.wfile.write(b"250 queued\r\n")
            elif command == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 OK\r\n")


@pytest.fixture
def smtp_sink():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.daemon_threads = True
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port():
    """A port on 127.0.0.1 where nothing listens (the connection is refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def enable_channel(app):
    """enable_channel(name, kinds) as an administrator would."""
    from lms.notify import settings
    from lms.org.models import User

    def enable(name, kinds, actor=None):
        actor = actor or User.query.first()
        settings.save_channel(name, True, kinds, actor=actor)

    return enable
