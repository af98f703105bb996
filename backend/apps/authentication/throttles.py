"""Throttles for the account endpoints: per client IP and per target account; 429 with Retry-After."""

import hashlib

from rest_framework.throttling import SimpleRateThrottle

from core.throttles import CounterThrottleMixin

from .addresses import normalize_email


class ScopedIPThrottle(CounterThrottleMixin, SimpleRateThrottle):
    """A rate per client IP (as NUM_PROXIES lets us see it) for one scope (counted in Redis only)."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ScopedEmailThrottle(ScopedIPThrottle):
    """A rate per target account (the `email` in the body), whoever and wherever the sender is."""

    def get_cache_key(self, request, view):
        email = request.data.get("email") if hasattr(request.data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None
        digest = hashlib.sha256(normalize_email(email).encode()).hexdigest()[:32]
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
