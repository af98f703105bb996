"""Account services: AuthService (flows), TokenService (JWT sessions), EmailService and EmailOutboxService (mail)."""

from .auth import AuthService
from .email import EmailService
from .lockout import LoginLockoutService
from .outbox import EmailOutboxService
from .tokens import TokenPair, TokenService
from .verification import VerificationTokenService

__all__ = [
    "AuthService",
    "EmailOutboxService",
    "EmailService",
    "LoginLockoutService",
    "TokenPair",
    "TokenService",
    "VerificationTokenService",
]
