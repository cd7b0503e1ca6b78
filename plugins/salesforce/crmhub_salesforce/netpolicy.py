"""Which base URLs a connection may talk to.

Salesforce is HTTPS only. A user-configured URL must not point the connector (and its token) at
loopback, private or link-local addresses unless the connection says ``sandbox: true``: that is the
one explicit opt-in for a local sandbox (``crmhub sandbox salesforce`` listens on 127.0.0.1).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from hub.errors import ConfigError

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def url_problem(name: str, url: str, *, sandbox: bool) -> str | None:
    """Why ``url`` is not acceptable as a Salesforce base URL, or ``None``. Does no DNS lookup."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        return f"{name} must be an https:// URL (Salesforce and the sandbox speak HTTPS only)"
    if not parts.hostname:
        return f"{name} has no host"
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return f"{name} must be a bare origin such as https://example.my.salesforce.com"
    if not sandbox and _is_local_literal(parts.hostname):
        return f"{name} points at a local or private address; set sandbox: true to use a local sandbox"
    return None


def check_resolved(url: str, *, sandbox: bool) -> None:
    """Refuse a host that resolves to a private, loopback or link-local address (unless ``sandbox``)."""
    if sandbox:
        return
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, 443, proto=socket.IPPROTO_TCP)
    except OSError:
        return  # unresolvable: the connection attempt will fail with a clear network error
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if _private(address):
            raise ConfigError(f"{host} resolves to a private or local address; refusing to send credentials there "
                              "(set sandbox: true for a local sandbox)")


def _is_local_literal(host: str) -> bool:
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        return _private(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return False


def _private(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return (address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
            or address.is_unspecified or address.is_multicast)
