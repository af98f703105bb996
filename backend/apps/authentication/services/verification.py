"""VerificationTokenService: random single-use tokens for emailed links, stored only as SHA-256."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from core.exceptions import ValidationFailed

from ..models import VerificationToken

Purpose = VerificationToken.Purpose
INVALID_LINK = "This link is invalid, expired or already used."


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _lifetime(purpose: str) -> timedelta:
    if purpose == Purpose.PASSWORD_RESET:
        return timedelta(minutes=settings.PASSWORD_RESET_TOKEN_MINUTES)
    return timedelta(hours=settings.EMAIL_VERIFICATION_TOKEN_HOURS)


class VerificationTokenService:
    def issue(self, *, user, purpose: str) -> str:
        """A new raw token (returned once, never stored); older unused ones of that purpose die."""
        self.invalidate(user=user, purpose=purpose)
        raw = secrets.token_urlsafe(32)
        VerificationToken.objects.create(
            user=user,
            purpose=purpose,
            token_hash=hash_token(raw),
            expires_at=timezone.now() + _lifetime(purpose),
        )
        return raw

    def consume(self, *, raw: str, purpose: str) -> VerificationToken:
        """Marks the token used (a conditional update: two requests cannot both use it)."""
        token = (
            VerificationToken.objects.usable(purpose=purpose)
            .select_related("user")
            .filter(token_hash=hash_token(raw or ""))
            .first()
        )
        if token is None or not token.user.is_active:
            raise ValidationFailed({"token": [INVALID_LINK]})
        used = VerificationToken.objects.filter(pk=token.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if used != 1:
            raise ValidationFailed({"token": [INVALID_LINK]})
        return token

    def invalidate(self, *, user, purpose: str) -> None:
        VerificationToken.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(
            used_at=timezone.now()
        )
