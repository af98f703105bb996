"""Account rows for admin tests: sessions and verification tokens made directly, no API round trip."""

from datetime import timedelta

from django.utils import timezone

from apps.authentication.models import UserSession, VerificationToken
from apps.authentication.services.verification import hash_token


def make_session(user, *, minutes_ago: int = 0, **fields) -> UserSession:
    moment = timezone.now() - timedelta(minutes=minutes_ago)
    values = {
        "refresh_jti": f"jti-{user.pk}-{minutes_ago}",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0",
        "device": "Firefox on Linux",
        "ip_address": "203.0.113.7",
        "created_at": moment,
        "last_used_at": moment,
        "expires_at": timezone.now() + timedelta(days=7),
    }
    values.update(fields)
    return UserSession.objects.create(user=user, **values)


def make_token(user, *, raw: str = "raw-token", **fields) -> VerificationToken:
    values = {
        "purpose": VerificationToken.Purpose.VERIFY_EMAIL,
        "expires_at": timezone.now() + timedelta(hours=1),
    }
    values.update(fields)
    return VerificationToken.objects.create(user=user, token_hash=hash_token(raw), **values)
