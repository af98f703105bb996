"""Account services: AuthService (flows), TokenService (JWT sessions), EmailService (mail)."""

from .auth import AuthService
from .email import EmailService
from .lockout import LoginLockoutService
from .tokens import TokenPair, TokenService
from .verification import VerificationTokenService

__all__ = [
    "AuthService",
    "EmailService",
    "LoginLockoutService",
    "TokenPair",
    "TokenService",
    "VerificationTokenService",
]
