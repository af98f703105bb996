"""SessionJWTAuthentication: simplejwt access tokens whose session (sid claim) is still live."""

import time

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
        found = principals.read(user_id, sid)
        principal = found.principal
        if principal is None or not principal.is_active:  # unknown, deleted or inactive user
            raise _token_not_valid()
        live = TokenService().is_session_live(
            sid=sid, user_id=user_id, epoch=principal.session_epoch, cached=found.session_state
        )
        if not live:
            raise _token_not_valid("This session has ended. Sign in again.")
        principals.verified(user_id, sid, found)
        return principal, found.version

    def get_validated_token(self, raw_token):
        """simplejwt's checks, once per token per process: a token already verified here is
        reused until its expiry (its signature covers every claim; expiry is the only one that
        changes with time). Revocation is the session check's business, on every request."""
        remembered = _VERIFIED.get(raw_token)
        if remembered is not None and time.time() < remembered[1]:
            return remembered[0]
        try:
            token = super().get_validated_token(raw_token)
        except InvalidToken as exc:
            raise _token_not_valid() from exc
        _remember(raw_token, token)
        return token


# Verified access tokens of this process: raw token -> (token, its expiry as a timestamp). Bounded:
# the oldest entry goes first (access tokens live minutes; a busy process sees a few thousand).
_VERIFIED: dict[bytes, tuple] = {}
VERIFIED_TOKENS_MAX = 10_000


def _remember(raw_token: bytes, token) -> None:
    expires = token.get("exp")
    if not isinstance(expires, int | float):
        return
    while len(_VERIFIED) >= VERIFIED_TOKENS_MAX:
        try:
            del _VERIFIED[next(iter(_VERIFIED))]
        except (KeyError, StopIteration, RuntimeError):  # another thread got there first
            break
    _VERIFIED[raw_token] = (token, float(expires))


class OptionalSessionJWTAuthentication(SessionJWTAuthentication):
    """For logout: a stale or revoked access token is treated as absent instead of failing the call."""

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            return None


def bearer_of(request):
    """The request's verified bearer (`Authenticated`), worked out once per request; None without
    a bearer token or with one that does not authenticate (the view then answers the 401). For
    the caches that answer before DRF runs."""
    try:
        return SessionJWTAuthentication().authenticated(request)
    except AuthenticationFailed:
        return None


def current_session_id(request) -> str | None:
    """The session id (sid claim) of the access token that authenticated this request."""
    token = getattr(request, "auth", None)
    return str(token.get(SID_CLAIM)) if token is not None and token.get(SID_CLAIM) else None
