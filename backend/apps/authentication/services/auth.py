"""AuthService: registration, email verification, sign-in, sessions and the password flows."""

from collections.abc import Callable

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.exceptions import NotFound, ValidationFailed

from ..exceptions import InvalidCredentials
from ..managers import UserManager
from ..models import UserSession, VerificationToken
from .email import EmailKind
from .lockout import LoginLockoutService
from .outbox import EmailOutboxService
from .tokens import TokenPair, TokenService
from .verification import VerificationTokenService

Purpose = VerificationToken.Purpose
Reason = UserSession.RevokeReason


# What other apps keep per account is created with it, in the same transaction: they register a
# callback here from their AppConfig.ready (the users app: the Profile), so this app imports none.
ACCOUNT_CREATED_HOOKS: list[Callable[..., None]] = []


class AuthService:
    def __init__(
        self,
        *,
        tokens: TokenService | None = None,
        verification: VerificationTokenService | None = None,
        lockout: LoginLockoutService | None = None,
        outbox: EmailOutboxService | None = None,
    ):
        self.tokens = tokens or TokenService()
        self.verification = verification or VerificationTokenService()
        self.lockout = lockout or LoginLockoutService()
        self.outbox = outbox or EmailOutboxService()

    # Registration and email verification -----------------------------------------------------

    def register(self, *, email: str, password: str, display_name: str = "") -> str:
        """Creates an unverified account and emails a link; an existing address gets a notice
        instead, and the caller sees the same answer either way. Returns the normalised email."""
        email = UserManager.normalize_email_address(email)
        User = get_user_model()
        check_password_strength(password, user=User(email=email), field="password")
        if User.objects.with_email(email).exists():
            return self._notify_existing(email=email, password=password)
        try:
            with transaction.atomic():
                user = User.objects.create_user(email=email, password=password)
                for created in ACCOUNT_CREATED_HOOKS:
                    created(user=user, display_name=display_name)
                self.outbox.schedule(kind=EmailKind.VERIFY_EMAIL, email=email)
        except (IntegrityError, DjangoValidationError):
            return self._notify_existing(email=email, password=password)  # lost a race for this email
        return email

    def _notify_existing(self, *, email: str, password: str) -> str:
        make_password(password)  # spend the same hashing time as a real registration
        self.outbox.schedule(kind=EmailKind.ACCOUNT_EXISTS, email=email)
        return email

    @transaction.atomic
    def verify_email(self, *, token: str):
        user = self.verification.consume(raw=token, purpose=Purpose.VERIFY_EMAIL).user
        if not user.email_verified:
            user.email_verified = True
            user.save(update_fields=["email_verified", "updated_at"])
        return user

    @transaction.atomic
    def resend_verification(self, *, email: str) -> None:
        """Same work for unknown, verified and unverified addresses: one outbox row, whose delivery
        decides (only an unverified account gets mail)."""
        self.outbox.schedule(kind=EmailKind.VERIFY_EMAIL, email=email)

    # Sign-in and sessions ----------------------------------------------------------------------

    def login(
        self, *, email: str, password: str, ip_address: str | None, user_agent: str, device: str
    ) -> TokenPair:
        email = UserManager.normalize_email_address(email)
        self.lockout.reserve_attempt(email=email)
        # ModelBackend hashes even for unknown emails, so timing does not tell them apart.
        user = authenticate(email=email, password=password)
        if user is None:
            raise InvalidCredentials()
        self.lockout.clear(email=email)
        with transaction.atomic():
            pair = self.tokens.issue_for_new_session(
                user=user, ip_address=ip_address, user_agent=user_agent, device=device
            )
            user.last_login = timezone.now()
            user.save(update_fields=["last_login"])
        return pair

    def refresh(self, *, refresh: str, ip_address: str | None) -> TokenPair:
        return self.tokens.rotate(raw_refresh=refresh, ip_address=ip_address)

    def logout(self, *, refresh: str | None, current_session_id: str | None) -> None:
        """Ends the session of the given refresh token, else the one of the access token in use."""
        if refresh:
            claims = self.tokens.decode_refresh(refresh)
            sid = claims["sid"]
        elif current_session_id:
            sid = current_session_id
        else:
            raise ValidationFailed({"refresh": ["Send the refresh token, or sign the request."]})
        self.tokens.revoke(session_ids=[sid], reason=Reason.LOGOUT)

    def logout_all(self, *, user) -> int:
        return self.tokens.revoke_all(user=user, reason=Reason.LOGOUT_ALL)

    def list_sessions(self, *, user):
        return UserSession.objects.for_user(user).live().order_by("-last_used_at", "-created_at")

    def revoke_session(self, *, user, session_id) -> None:
        """Another user's session id is indistinguishable from an unknown one (404)."""
        if not UserSession.objects.for_user(user).live().filter(id=session_id).exists():
            raise NotFound("Session not found.")
        self.tokens.revoke(session_ids=[session_id], reason=Reason.REVOKED)

    # Passwords ---------------------------------------------------------------------------------

    def change_password(
        self, *, user, current_password: str, new_password: str, current_session_id: str | None
    ):
        self.confirm_password(user=user, password=current_password, field="current_password")
        check_password_strength(new_password, user=user, field="new_password")
        with transaction.atomic():
            user.set_password(new_password)
            user.save(update_fields=["password", "updated_at"])
            self.verification.invalidate(user=user, purpose=Purpose.PASSWORD_RESET)
            self.tokens.revoke_all(
                user=user, reason=Reason.PASSWORD_CHANGED, keep_session_id=current_session_id
            )

    @transaction.atomic
    def request_password_reset(self, *, email: str) -> None:
        """Same answer and the same work whether or not the address has an account (one outbox
        row, no lookup); the delivery mints the token and mails only a real account."""
        self.outbox.schedule(kind=EmailKind.PASSWORD_RESET, email=email)

    @transaction.atomic
    def confirm_password_reset(self, *, token: str, new_password: str) -> None:
        """Sets the password, ends every session; the emailed link also proves the address."""
        user = self.verification.consume(raw=token, purpose=Purpose.PASSWORD_RESET).user
        check_password_strength(new_password, user=user, field="new_password")
        user.set_password(new_password)
        user.email_verified = True
        user.save(update_fields=["password", "email_verified", "updated_at"])
        self.tokens.revoke_all(user=user, reason=Reason.PASSWORD_RESET)
        self.lockout.clear(email=user.email)

    def confirm_password(self, *, user, password: str, field: str = "password") -> None:
        """A password re-check for sensitive actions, under the same per-account lockout as sign-in."""
        self.lockout.reserve_attempt(email=user.email)
        if not user.check_password(password):
            raise ValidationFailed({field: ["The password is incorrect."]})
        self.lockout.clear(email=user.email)


def check_password_strength(password: str, *, user, field: str) -> None:
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ValidationFailed({field: list(exc.messages)}) from exc
