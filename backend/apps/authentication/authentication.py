"""SessionJWTAuthentication: simplejwt access tokens whose session (sid claim) is still live."""

from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken

# This module is imported while DRF builds its settings, before rest_framework.views exists:
# the domain modules (which import core.exceptions → rest_framework.views) load lazily.
from .claims import SID_CLAIM


def _token_not_valid(detail=None):
    from .exceptions import TokenNotValid

    return TokenNotValid(detail)


def _plain_detail(detail) -> str:
    """simplejwt details may be dicts ({"detail": …, "code": …}); keep the human sentence."""
    if isinstance(detail, dict):
        detail = detail.get("detail", "")
    return str(detail) or "Token is invalid or expired."


class SessionJWTAuthentication(JWTAuthentication):
    """Bearer access tokens: signature, algorithm, expiry, type, audience and issuer (simplejwt),
    then the session check — a revoked session's access tokens are refused at once (cached)."""

    def authenticate(self, request):
        from .exceptions import TokenNotValid
        from .services.tokens import TokenService

        try:
            result = super().authenticate(request)
        except TokenNotValid:
            raise
        except AuthenticationFailed as exc:  # e.g. a malformed Authorization header
            raise _token_not_valid(_plain_detail(exc.detail)) from exc
        if result is None:
            return None
        user, token = result
        if not TokenService().is_session_live(sid=token.get(SID_CLAIM, ""), user=user):
            raise _token_not_valid("This session has ended. Sign in again.")
        return user, token

    def get_validated_token(self, raw_token):
        try:
            return super().get_validated_token(raw_token)
        except InvalidToken as exc:
            raise _token_not_valid() from exc

    def get_user(self, validated_token):
        try:
            return super().get_user(validated_token)
        except (InvalidToken, AuthenticationFailed) as exc:  # unknown, deleted or inactive user
            raise _token_not_valid() from exc


class OptionalSessionJWTAuthentication(SessionJWTAuthentication):
    """For logout: a stale or revoked access token is treated as absent instead of failing the call."""

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            return None


def current_session_id(request) -> str | None:
    """The session id (sid claim) of the access token that authenticated this request."""
    token = getattr(request, "auth", None)
    return str(token.get(SID_CLAIM)) if token is not None and token.get(SID_CLAIM) else None
