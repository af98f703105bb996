"""Throttles for the account endpoints: per client IP and per target account; 429 with Retry-After."""

import hashlib

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from core import cache

from .managers import UserManager


class _CoreCache:
    """DRF throttles store their history through core.cache (the product's one cache API)."""

    def get(self, key, default=None):
        value = cache.get(key, level="view")
        return default if value is None else value

    def set(self, key, value, timeout):
        cache.set(key, value, ttl=timeout, level="view")


class ScopedIPThrottle(SimpleRateThrottle):
    """A rate per client IP (as NUM_PROXIES lets us see it) for one scope."""

    cache = _CoreCache()
    cache_format = "throttle:v1:%(scope)s:%(ident)s"

    def get_rate(self):
        # Read the rates at request time (DRF binds them at import), so settings can change them.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ScopedEmailThrottle(ScopedIPThrottle):
    """A rate per target account (the `email` in the body), whoever and wherever the sender is."""

    def get_cache_key(self, request, view):
        email = request.data.get("email") if hasattr(request.data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None
        digest = hashlib.sha256(UserManager.normalize_email_address(email).encode()).hexdigest()[:32]
        return self.cache_format % {"scope": f"{self.scope}:email", "ident": digest}


class LoginIPThrottle(ScopedIPThrottle):
    scope = "login_ip"


class LoginAccountThrottle(ScopedEmailThrottle):
    scope = "login_account"


class RegisterThrottle(ScopedIPThrottle):
    scope = "register"


class VerifyResendIPThrottle(ScopedIPThrottle):
    scope = "verify_resend"


class VerifyResendEmailThrottle(ScopedEmailThrottle):
    scope = "verify_resend"


class PasswordResetIPThrottle(ScopedIPThrottle):
    scope = "password_reset"


class PasswordResetEmailThrottle(ScopedEmailThrottle):
    scope = "password_reset"


class TokenRefreshThrottle(ScopedIPThrottle):
    scope = "token_refresh"
