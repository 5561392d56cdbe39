"""Where a group robot's webhook may connect (a guard against server-side request forgery).

A webhook address comes from the server's environment, set by whoever runs it, and the name in
it is resolved by DNS, which someone else may answer. Pointed at 127.0.0.1, ::1, 0.0.0.0 or
169.254.169.254 (a cloud's metadata service, which hands out credentials), every notification
would post from inside the bank's network to a service that trusts it. So:

- loopback, link-local, unspecified, multicast and reserved addresses are refused, always (also
  written inside an IPv6 address: ``::ffff:127.0.0.1``, 6to4);
- private addresses (10/8, 172.16/12, 192.168/16, fc00::/7 and the other ranges that are not
  globally routed) are where a bank's internal gateway lives: allowed only inside a network listed
  in ``LMS_WEBHOOK_ALLOW_NETWORKS`` (CIDRs, separated by commas or spaces);
- every other (public) address is allowed.

The name is resolved once (``resolve``), every address it gives is checked, and the connection is
made to that checked address (``open_socket``), never by name again: DNS that answers a public
address to the check and 127.0.0.1 to the connection (rebinding) cannot switch it. Tests replace
``resolve`` and ``open_socket`` (no network)."""
from __future__ import annotations

import ipaddress
import re
import socket

from flask_babel import lazy_gettext as _l

ALLOW_VARIABLE = "LMS_WEBHOOK_ALLOW_NETWORKS"
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

LOOPBACK, LINK_LOCAL, UNSPECIFIED, MULTICAST, RESERVED, PRIVATE = (
    "loopback", "link-local", "unspecified", "multicast", "reserved", "private")
# What the delivery log records (in English, as every channel error there) ...
KIND_TEXTS = {
    LOOPBACK: "a loopback address (this server itself)",
    LINK_LOCAL: "a link-local address (such as a cloud's metadata service)",
    UNSPECIFIED: "an unspecified address",
    MULTICAST: "a multicast address",
    RESERVED: "a reserved address",
    PRIVATE: f"a private address outside the networks listed in {ALLOW_VARIABLE}",
}
# ... and what the administrator's page says.
KIND_LABELS = {
    LOOPBACK: _l("a loopback address (this server itself)"),
    LINK_LOCAL: _l("a link-local address (such as a cloud's metadata service)"),
    UNSPECIFIED: _l("an unspecified address"),
    MULTICAST: _l("a multicast address"),
    RESERVED: _l("a reserved address"),
    PRIVATE: _l("a private address outside the networks listed in LMS_WEBHOOK_ALLOW_NETWORKS"),
}


class AddressRefused(ValueError):
    """A webhook that may not be connected to: ``address`` (as resolved) is of ``kind``."""

    def __init__(self, host: str, address: str, kind: str):
        super().__init__(f"the webhook's host {host} is {address}, {KIND_TEXTS[kind]}: refused, nothing was sent")
        self.host, self.address, self.kind = host, address, kind


class BadAllowList(ValueError):
    """``LMS_WEBHOOK_ALLOW_NETWORKS`` holds an entry that is not a network."""

    def __init__(self, entry: str):
        super().__init__(f"{ALLOW_VARIABLE}: “{entry}” is not a network (write a CIDR such as 10.8.0.0/16)")
        self.entry = entry


def allowed_networks(text: str | None) -> tuple[Network, ...]:
    """The networks of ``LMS_WEBHOOK_ALLOW_NETWORKS``; ``BadAllowList`` names an entry that is not one."""
    networks = []
    for entry in re.split(r"[\s,]+", text or ""):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise BadAllowList(entry) from None
    return tuple(networks)


def _embedded(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one carries (``::ffff:127.0.0.1``, 6to4 ``2002:7f00:1::``), else itself."""
    if isinstance(address, ipaddress.IPv6Address):
        return address.ipv4_mapped or address.sixtofour or address
    return address


def refused_kind(address: IPAddress, allowed: tuple[Network, ...]) -> str | None:
    """Why ``address`` may not be connected to (one of the kinds), or None when it may."""
    address = _embedded(address)
    for kind, refused in ((LOOPBACK, address.is_loopback), (LINK_LOCAL, address.is_link_local),
                          (UNSPECIFIED, address.is_unspecified), (MULTICAST, address.is_multicast),
                          (RESERVED, address.is_reserved)):
        if refused:
            return kind
    if address.is_global or any(address.version == n.version and address in n for n in allowed):
        return None
    return PRIVATE


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, once (an address literal: itself)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def open_socket(address: str, port: int, timeout: float) -> socket.socket:
    """A connection to the checked ``address`` itself."""
    return socket.create_connection((address, port), timeout=timeout)


def checked_address(host: str, port: int, allowed: tuple[Network, ...]) -> str:
    """The address to connect to for ``host``: resolved once; ``AddressRefused`` if any address it
    resolves to may not be connected to (a name that also points inside is not trusted at all)."""
    addresses = resolve(host, port)
    if not addresses:
        raise OSError(f"the webhook's host {host} resolves to no address")
    for text in addresses:
        kind = refused_kind(ipaddress.ip_address(text.split("%", 1)[0]), allowed)
        if kind is not None:
            raise AddressRefused(host, text, kind)
    return addresses[0]
