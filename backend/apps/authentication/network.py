"""What the request says about the client: its IP as seen through the trusted proxies, and its device."""

import ipaddress
import re

from rest_framework.throttling import BaseThrottle

# (pattern, label) checked in order; the first match wins.
_BROWSERS = [
    (re.compile(r"Edg/"), "Edge"),
    (re.compile(r"OPR/|Opera"), "Opera"),
    (re.compile(r"Firefox/"), "Firefox"),
    (re.compile(r"Chrome/|CriOS/"), "Chrome"),
    (re.compile(r"Safari/"), "Safari"),
    (re.compile(r"curl/", re.IGNORECASE), "curl"),
]
_SYSTEMS = [
    (re.compile(r"Android"), "Android"),
    (re.compile(r"iPhone|iPad|iOS"), "iOS"),
    (re.compile(r"Windows"), "Windows"),
    (re.compile(r"Mac OS X|Macintosh"), "macOS"),
    (re.compile(r"Linux"), "Linux"),
]


def client_ip(request) -> str | None:
    """The client address: REMOTE_ADDR, or the X-Forwarded-For entry NUM_PROXIES hops from the end.

    DRF's own rule (used by the throttles too), so a client cannot choose its address by sending
    X-Forwarded-For unless NUM_PROXIES says a proxy in front of us appends it.
    """
    ident = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address((ident or "").strip()))
    except ValueError:
        return None


def device_label(user_agent: str) -> str:
    """A short human label such as "Firefox on Linux"; empty when the agent says nothing useful."""
    browser = next((label for pattern, label in _BROWSERS if pattern.search(user_agent)), "")
    system = next((label for pattern, label in _SYSTEMS if pattern.search(user_agent)), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or ("Unknown device" if user_agent else "")
