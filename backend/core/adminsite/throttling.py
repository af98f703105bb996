"""Admin login throttling: the accounts app's per-account lockout, plus an atomic per-IP attempt budget.

One lockout for every way in: the accounts app plugs its lockout in (`use_account_lockout`, from
its AppConfig.ready; core imports no app), and each login POST reserves an attempt on it before
the password is checked, so an account locked through the API is locked here, and parallel tries
cannot exceed it. Per client IP (DRF's throttle identity: REMOTE_ADDR, or X-Forwarded-For
honouring NUM_PROXIES) each attempt is one atomic increment in Redis, reserved before the password
is checked too; an IP over its budget costs no database query. A Redis outage fails that budget
open; the per-account lockout, in the database, still holds.
"""

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

from core.cache import counters, keys


class AccountLockout(Protocol):
    """What the admin needs of the accounts app's lockout."""

    def normalize(self, email: str) -> str:
        """The one canonical form of an address, as the lockout keys it."""

    def reserve(self, email: str) -> int | None:
        """Counts one attempt; the seconds to wait when the account is locked, else None."""

    def clear(self, email: str) -> None:
        """A successful login: the account's attempts are forgotten."""


class _NoAccountLockout:
    """Until an app plugs a lockout in: case-folded addresses, no per-account limit."""

    def normalize(self, email: str) -> str:
        return (email or "").strip().casefold()

    def reserve(self, email: str) -> int | None:
        return None

    def clear(self, email: str) -> None:
        return None


_lockout: AccountLockout = _NoAccountLockout()


def use_account_lockout(lockout: AccountLockout) -> None:
    global _lockout
    _lockout = lockout


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
        email = _lockout.normalize(request.POST.get("username") or "")
        return cls(ip=BaseThrottle().get_ident(request) or "unknown", email=email)

    @property
    def ip_key(self) -> str:
        return keys.admin_login_ip(self.ip)


def reserve(attempt: LoginAttempt) -> None:
    """Counts this attempt against its IP, then against its account; raises LockedOut when over."""
    window = settings.ADMIN_LOGIN_LOCKOUT_SECONDS
    hits = counters.hit(attempt.ip_key, window=window)
    if hits is not None and hits > settings.ADMIN_LOGIN_MAX_FAILURES_PER_IP:
        raise LockedOut(counters.seconds_left(attempt.ip_key) or window)
    if not attempt.email:
        return  # the form refuses it without checking a password
    wait = _lockout.reserve(attempt.email)
    if wait is not None:
        raise LockedOut(wait)


def succeeded(attempt: LoginAttempt) -> None:
    """A staff login went through: that account's attempts are cleared, and the IP gets its one back."""
    _lockout.clear(attempt.email)
    counters.give_back(attempt.ip_key)
