"""LoginLockoutService: counts password attempts per account in the database and locks after too many."""

import math
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..addresses import normalize_email
from ..exceptions import AccountLocked
from ..models import LoginLockout


class LoginLockoutService:
    """Each password check first reserves an attempt (row-locked), so parallel guesses cannot
    exceed LOGIN_LOCKOUT_THRESHOLD per window; a success clears the record.

    Keyed by the normalised email — never by IP — so neither X-Forwarded-For nor a Redis outage
    resets it, and unknown emails behave exactly like known ones.
    """

    def reserve_attempt(self, *, email: str) -> None:
        wait = self._reserve(email=email)
        if wait is not None:
            raise AccountLocked(wait=wait)

    def clear(self, *, email: str) -> None:
        LoginLockout.objects.filter(email=email).delete()

    @transaction.atomic
    def _reserve(self, *, email: str) -> int | None:
        """Seconds to wait when locked, else None (the attempt is counted)."""
        state, _ = LoginLockout.objects.select_for_update().get_or_create(email=email)
        now = timezone.now()
        if state.locked_until and state.locked_until > now:
            return _seconds(state.locked_until - now)
        window = timedelta(seconds=settings.LOGIN_LOCKOUT_WINDOW_SECONDS)
        if state.locked_until or not state.window_started_at or now - state.window_started_at > window:
            state.attempts, state.window_started_at, state.locked_until = 0, now, None
        if state.attempts >= settings.LOGIN_LOCKOUT_THRESHOLD:
            state.locked_until = now + timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
            state.save()
            return settings.LOGIN_LOCKOUT_SECONDS
        state.attempts += 1
        state.save()
        return None


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


class AdminLoginLockout:
    """This lockout as the admin site uses it (core.adminsite.throttling.AccountLockout), so the
    admin login and the API's sign-in share one lockout per account."""

    def __init__(self, lockout: LoginLockoutService | None = None):
        self.lockout = lockout or LoginLockoutService()

    def normalize(self, email: str) -> str:
        return normalize_email(email)

    def reserve(self, email: str) -> int | None:
        try:
            self.lockout.reserve_attempt(email=email)
        except AccountLocked as exc:
            return int(exc.wait or settings.LOGIN_LOCKOUT_SECONDS)
        return None

    def clear(self, email: str) -> None:
        self.lockout.clear(email=email)
