"""Accounts: the custom user (email login), emailed verification tokens, sessions, lockout state."""

import uuid

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from .managers import UserManager, UserSessionQuerySet, VerificationTokenQuerySet


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(max_length=254, unique=True)
    email_verified = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Moves on whenever one of the user's sessions is revoked; cached session answers carry it.
    session_epoch = models.PositiveBigIntegerField(default=0, editable=False)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        db_table = "auth_user"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="auth_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        """Reading one deferred field loads every deferred one: a user authenticated from the cache
        (apps.authentication.principal) holds a few columns, and a view that reads more reads the
        row once, not once per column."""
        deferred = self.get_deferred_fields()
        if fields is not None and deferred and set(fields) <= deferred:
            fields = list(deferred)
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)

    def clean(self) -> None:
        super().clean()
        self.email = UserManager.normalize_email_address(self.email)


class VerificationToken(models.Model):
    """A single-use emailed token (verify email, reset password); only its SHA-256 is stored."""

    class Purpose(models.TextChoices):
        VERIFY_EMAIL = "verify_email", "Verify email"
        PASSWORD_RESET = "password_reset", "Password reset"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="verification_tokens")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    objects = VerificationTokenQuerySet.as_manager()

    class Meta:
        db_table = "auth_verification_token"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "purpose", "used_at"], name="verif_token_user_purpose_idx")]

    def __str__(self) -> str:
        return f"{self.purpose} token for {self.user_id}"


class UserSession(models.Model):
    """One signed-in device: a refresh-token family whose only live refresh token is `refresh_jti`."""

    class RevokeReason(models.TextChoices):
        LOGOUT = "logout", "Logged out"
        LOGOUT_ALL = "logout_all", "Logged out everywhere"
        REVOKED = "revoked", "Revoked by the user"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        PASSWORD_RESET = "password_reset", "Password reset"
        REUSE_DETECTED = "reuse_detected", "Refresh token reuse detected"
        USER_INACTIVE = "user_inactive", "User inactive"
        STAFF_REVOKED = "staff_revoked", "Revoked by staff"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    refresh_jti = models.CharField(max_length=64, db_index=True)
    user_agent = models.CharField(max_length=512, blank=True, default="")
    device = models.CharField(max_length=100, blank=True, default="")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=20, choices=RevokeReason.choices, blank=True, default="")

    objects = UserSessionQuerySet.as_manager()

    class Meta:
        db_table = "auth_user_session"
        ordering = ["-last_used_at"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="user_session_user_live_idx")]

    def __str__(self) -> str:
        return f"Session {self.id} of {self.user_id}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class LoginLockout(models.Model):
    """Failed sign-in bookkeeping per email, in the database so it survives a cache outage."""

    email = models.CharField(max_length=254, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "auth_login_lockout"

    def __str__(self) -> str:
        return f"Lockout state of {self.email}"


class EmailOutbox(models.Model):
    """An account email owed to an address, written in the transaction that calls for it.

    Committed with the account change, so no broker outage can lose it: the request only hands
    its id to Celery (bounded in time); a worker, or the periodic drain, delivers and deletes it.
    The token the email carries is minted at delivery, so no raw token is ever stored here.
    """

    class Kind(models.TextChoices):
        VERIFY_EMAIL = "verify_email", "Verify email"
        PASSWORD_RESET = "password_reset", "Password reset"
        ACCOUNT_EXISTS = "account_exists", "Account exists"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    email = models.CharField(max_length=254)  # normalised; may have no account (then nothing is sent)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        db_table = "auth_email_outbox"
        ordering = ["id"]
        indexes = [models.Index(fields=["next_attempt_at"], name="email_outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.kind} email to {self.email}"
