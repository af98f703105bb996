"""Managers: users (email login by the normalised address), sessions and verification tokens."""

from django.contrib.auth.base_user import BaseUserManager
from django.db import models
from django.utils import timezone

from .addresses import normalize_email


class UserManager(BaseUserManager):
    use_in_migrations = True

    # Emails are stored in their normalised form, so an exact match is a case-insensitive one.
    normalize_email_address = staticmethod(normalize_email)

    def get_by_natural_key(self, username):
        return self.get(email=normalize_email(username))

    def with_email(self, email: str):
        """The user with this address, by its stored normalised form (never `iexact`)."""
        return self.filter(email=normalize_email(email))

    def _create_user(self, email: str, password: str | None, **extra_fields):
        email = self.normalize_email_address(email)
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("email_verified", True)
        if extra_fields.get("is_staff") is not True or extra_fields.get("is_superuser") is not True:
            raise ValueError("A superuser must have is_staff=True and is_superuser=True.")
        return self._create_user(email, password, **extra_fields)


class VerificationTokenQuerySet(models.QuerySet):
    def usable(self, *, purpose: str):
        return self.filter(purpose=purpose, used_at__isnull=True, expires_at__gt=timezone.now())


class UserSessionQuerySet(models.QuerySet):
    def live(self):
        """Sessions that are neither revoked nor past their refresh token's expiry."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def for_user(self, user):
        return self.filter(user=user)
