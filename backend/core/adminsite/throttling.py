"""Admin login throttling: the API's per-account lockout, plus an atomic per-IP attempt budget.

One lockout for every way in: the admin reserves an attempt on the same database lockout as
the API's sign-in (apps.authentication's LoginLockoutService, keyed by the normalised email), so
an account locked through one is locked through the other, and parallel tries cannot exceed it.
Per client IP (DRF's throttle identity: REMOTE_ADDR, or X-Forwarded-For honouring NUM_PROXIES)
each attempt is one atomic increment in Redis, reserved before the password is checked, so
parallel tries cannot slip past it either; an IP over its budget costs no database query. A
Redis outage fails that budget open; the per-account lockout, in the database, still holds.
"""

from dataclasses import dataclass
from hashlib import sha256

from django.conf import settings
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

from core.cache import counters

IP_KEY_TEMPLATE = "admin-login:v2:ip:{digest}"


class LockedOut(Exception):
    """This attempt is refused before any password check; `wait` is the Retry-After in seconds."""

    def __init__(self, wait: int):
        super().__init__(wait)
        self.wait = wait


@dataclass(frozen=True)
class LoginAttempt:
    ip: str
    email: str

    @classmethod
    def from_request(cls, request: HttpRequest) -> "LoginAttempt":
        from apps.authentication.addresses import normalize_email

        email = normalize_email(request.POST.get("username"))
        return cls(ip=BaseThrottle().get_ident(request) or "unknown", email=email)

    @property
    def ip_key(self) -> str:
        return IP_KEY_TEMPLATE.format(digest=sha256(self.ip.encode()).hexdigest()[:32])


def reserve(attempt: LoginAttempt) -> None:
    """Counts this attempt against its IP, then against its account; raises LockedOut when over."""
    from apps.authentication.exceptions import AccountLocked
    from apps.authentication.services import LoginLockoutService

    window = settings.ADMIN_LOGIN_LOCKOUT_SECONDS
    hits = counters.hit(attempt.ip_key, window=window)
    if hits is not None and hits > settings.ADMIN_LOGIN_MAX_FAILURES_PER_IP:
        raise LockedOut(counters.seconds_left(attempt.ip_key) or window)
    if not attempt.email:
        return  # the form refuses it without checking a password
    try:
        LoginLockoutService().reserve_attempt(email=attempt.email)
    except AccountLocked as exc:
        raise LockedOut(int(exc.wait or settings.LOGIN_LOCKOUT_SECONDS)) from exc


def succeeded(attempt: LoginAttempt) -> None:
    """A staff login went through: that account's attempts are cleared, and the IP gets its one back."""
    from apps.authentication.services import LoginLockoutService

    LoginLockoutService().clear(email=attempt.email)
    counters.give_back(attempt.ip_key)
