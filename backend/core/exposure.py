"""Whether the app server listens beyond loopback and private networks while trusting X-Forwarded-For."""

from __future__ import annotations

import fcntl
import ipaddress
import socket
import struct
from pathlib import Path

from django.conf import settings

SIOCGIFADDR = 0x8915  # Linux ioctl: an interface's IPv4 address
IF_INET6 = Path("/proc/net/if_inet6")
WILDCARDS = {"", "0.0.0.0", "::", "[::]"}  # noqa: S104 - the addresses we look for, not a bind
APP_PORT_PUBLIC = (
    "NUM_PROXIES > 0 but the app server listens on a public address: a client that reaches it "
    "directly chooses its own X-Forwarded-For. Only the proxy may reach the app port."
)


def interface_addresses() -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """This host's (or container's) interface addresses, IPv4 by ioctl and IPv6 from /proc."""
    found: list = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _, name in socket.if_nameindex():
            try:
                packed = fcntl.ioctl(sock.fileno(), SIOCGIFADDR, struct.pack("256s", name[:15].encode()))
            except OSError:
                continue  # an interface without an IPv4 address
            found.append(ipaddress.IPv4Address(packed[20:24]))
    if IF_INET6.exists():
        for line in IF_INET6.read_text().splitlines():
            found.append(ipaddress.IPv6Address(bytes.fromhex(line.split()[0])))
    return found


def bound_addresses(bind: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The addresses a `host:port` bind listens on (every interface's for a wildcard host)."""
    host = bind.rsplit(":", 1)[0].strip("[]")
    if host in WILDCARDS:
        return interface_addresses()
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        return [ipaddress.ip_address(info[4][0]) for info in socket.getaddrinfo(host, None)]


def exposure_warnings() -> list[str]:
    """Readiness warnings (never failures): the app port is public while X-Forwarded-For is trusted."""
    if not settings.REST_FRAMEWORK.get("NUM_PROXIES"):
        return []
    try:
        public = any(address.is_global for address in bound_addresses(settings.WEB_BIND))
    except OSError:
        return []
    return [APP_PORT_PUBLIC] if public else []
