"""Admin login throttling: failures counted per client IP + email and per IP, in the cache only.

The check runs before the form authenticates, so a locked-out client costs no database
query and no password hash. The client IP comes from DRF's throttle identity (REMOTE_ADDR,
or X-Forwarded-For honouring NUM_PROXIES), as the API's throttles do. A cache outage fails
open: core.cache reads as a miss, so staff are never locked out by a sick Redis.
"""

from dataclasses import dataclass
from hashlib import sha256

from django.conf import settings
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

from core import cache

PAIR_KEY_TEMPLATE = "admin-login:v1:pair:{digest}"
IP_KEY_TEMPLATE = "admin-login:v1:ip:{digest}"


def _digest(value: str) -> str:
    return sha256(value.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class LoginAttempt:
    ip: str
    email: str

    @classmethod
    def from_request(cls, request: HttpRequest) -> "LoginAttempt":
        email = (request.POST.get("username") or "").strip().lower()
        return cls(ip=BaseThrottle().get_ident(request) or "unknown", email=email)

    @property
    def pair_key(self) -> str:
        return PAIR_KEY_TEMPLATE.format(digest=_digest(f"{self.ip}|{self.email}"))

    @property
    def ip_key(self) -> str:
        return IP_KEY_TEMPLATE.format(digest=_digest(self.ip))


def _failures(key: str) -> int:
    value = cache.get(key, level="query")
    return value if isinstance(value, int) else 0


def is_locked_out(attempt: LoginAttempt) -> bool:
    """True once this IP+email, or this IP across all emails, has used up its failures."""
    return (
        _failures(attempt.pair_key) >= settings.ADMIN_LOGIN_MAX_FAILURES
        or _failures(attempt.ip_key) >= settings.ADMIN_LOGIN_MAX_FAILURES_PER_IP
    )


def record_failure(attempt: LoginAttempt) -> None:
    """Counts one failure; the window starts at the first failure (get+set: a rare lost
    increment under a race costs one extra attempt, never a lockout of the wrong client)."""
    ttl = settings.ADMIN_LOGIN_LOCKOUT_SECONDS
    for key in (attempt.pair_key, attempt.ip_key):
        cache.set(key, _failures(key) + 1, ttl=ttl, level="query")


def reset(attempt: LoginAttempt) -> None:
    """A successful login clears that email's failures from that IP."""
    cache.delete(attempt.pair_key)
