"""Pruning of ended account records, and the command/task around it."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.management import CommandError, call_command
from django.utils import timezone

from apps.authentication.models import LoginLockout, UserSession, VerificationToken
from apps.authentication.tasks import prune_auth_records
from config.settings import base

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def make_session(user, **fields) -> UserSession:
    defaults = {"refresh_jti": "j", "expires_at": timezone.now() + timedelta(days=1)}
    return UserSession.objects.create(user=user, **{**defaults, **fields})


def test_prune_deletes_only_what_ended_long_ago():
    # given
    user = UserFactory()
    old = timezone.now() - timedelta(days=31)
    live = make_session(user)
    recently_revoked = make_session(user, revoked_at=timezone.now() - timedelta(days=1))
    make_session(user, revoked_at=old)
    make_session(user, expires_at=old)
    VerificationToken.objects.create(user=user, purpose="verify_email", token_hash="a" * 64, expires_at=old)
    fresh = VerificationToken.objects.create(
        user=user, purpose="verify_email", token_hash="b" * 64, expires_at=timezone.now() + timedelta(hours=1)
    )
    LoginLockout.objects.create(email="stale@example.com", attempts=3, window_started_at=old)
    LoginLockout.objects.create(
        email="locked@example.com",
        attempts=5,
        window_started_at=old,
        locked_until=timezone.now() + timedelta(minutes=5),
    )
    # when
    out = StringIO()
    call_command("prune_auth_records", stdout=out)
    # then
    assert out.getvalue().strip() == "sessions=2 tokens=1 lockouts=1"
    assert set(UserSession.objects.values_list("id", flat=True)) == {live.id, recently_revoked.id}
    assert list(VerificationToken.objects.all()) == [fresh]
    assert list(LoginLockout.objects.values_list("email", flat=True)) == ["locked@example.com"]
    assert prune_auth_records.delay().get() == "sessions=0 tokens=0 lockouts=0"  # idempotent


def test_prune_refuses_a_nonsense_horizon():
    with pytest.raises(CommandError):
        call_command("prune_auth_records", "--keep-days", "0")


def test_production_hashes_passwords_with_argon2():
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    encoded = Argon2PasswordHasher().encode("a quiet violet evening", Argon2PasswordHasher().salt())
    assert encoded.startswith("argon2$argon2id$")
    assert Argon2PasswordHasher().verify("a quiet violet evening", encoded)
