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
    then the user and the session from the cache (apps.authentication.principal): still active,
    session not revoked. No SQL while the cache holds the user's current principal."""

    def authenticate(self, request):
        result = self.authenticated(request)
        if result is None:
            return None
        return result.principal.as_user(), result.token

    def authenticated(self, request):
        """The request's verified bearer token and principal (None without one), worked out once
        per request: the view cache resolves the reader before the view, which reuses it."""
        from .principal import Authenticated

        django_request = getattr(request, "_request", request)
        done = getattr(django_request, "bearer", None)
        if done is not None:
            return done
        header = self.get_header(django_request)
        if header is None:
            return None
        try:
            raw_token = self.get_raw_token(header)
        except AuthenticationFailed as exc:  # e.g. a malformed Authorization header
            raise _token_not_valid(_plain_detail(exc.detail)) from exc
        if raw_token is None:
            return None
        validated = self.get_validated_token(raw_token)
        principal, version = self._principal(validated)
        result = Authenticated(principal, validated, version)
        django_request.bearer = result
        return result

    def _principal(self, token):
        from rest_framework_simplejwt.settings import api_settings

        from . import principal as principals
        from .services.tokens import TokenService

        try:
            user_id = int(token[api_settings.USER_ID_CLAIM])
        except (KeyError, TypeError, ValueError) as exc:
            raise _token_not_valid() from exc
        sid = str(token.get(SID_CLAIM, ""))
        principal, session_state, version = principals.read(user_id, sid)
        if principal is None or not principal.is_active:  # unknown, deleted or inactive user
            raise _token_not_valid()
        live = TokenService().is_session_live(
            sid=sid, user_id=user_id, epoch=principal.session_epoch, cached=session_state
        )
        if not live:
            raise _token_not_valid("This session has ended. Sign in again.")
        return principal, version

    def get_validated_token(self, raw_token):
        try:
            return super().get_validated_token(raw_token)
        except InvalidToken as exc:
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
