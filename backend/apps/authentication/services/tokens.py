"""TokenService: JWT pairs bound to a UserSession, rotation with reuse detection, revocation."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken

from core import cache
from core.cache import keys

from .. import principal
from ..claims import SID_CLAIM
from ..exceptions import TokenNotValid
from ..models import UserSession


# Cached per session: (owner's user id while the session is live else 0, the owner's session_epoch
# when that was read). An entry from an older epoch is refused, so a revocation whose cache delete
# was lost (a Redis blip) still takes effect at once.
def session_state_key(sid: str) -> str:
    return keys.session_state(sid)


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    session: UserSession
    access_expires_at: datetime
    refresh_expires_at: datetime


class TokenService:
    """Every refresh token belongs to a session; the session row holds the one live refresh jti.

    That row is the blacklist: a refresh token whose jti is not the session's current one has
    been rotated away, so presenting it again is reuse and ends the session. Rotation is one
    conditional UPDATE (… WHERE refresh_jti = <old>), so of two concurrent refreshes with one
    token at most one can win.
    """

    def issue_for_new_session(
        self, *, user, ip_address: str | None, user_agent: str, device: str
    ) -> TokenPair:
        sid, now = uuid.uuid4(), timezone.now()
        refresh = self._mint(user_id=user.pk, sid=str(sid))
        session = UserSession.objects.create(
            id=sid,
            user=user,
            refresh_jti=refresh[jwt_settings.JTI_CLAIM],
            ip_address=ip_address,
            user_agent=user_agent[:512],
            device=device[:100],
            expires_at=_expiry(refresh),
            created_at=now,
            last_used_at=now,
        )
        state = (user.pk, user.session_epoch)
        cache.set(session_state_key(str(sid)), state, ttl=settings.AUTH_SESSION_CACHE_SECONDS)
        return self._pair(refresh, session)

    def rotate(self, *, raw_refresh: str, ip_address: str | None = None) -> TokenPair:
        """A new pair for a live refresh token; the presented token can never be used again."""
        claims = self.decode_refresh(raw_refresh)
        sid, user_id, jti = claims[SID_CLAIM], claims["user_id"], claims["jti"]
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is None or not user.is_active:
            self.revoke(session_ids=[sid], reason=UserSession.RevokeReason.USER_INACTIVE)
            raise TokenNotValid("This account can no longer sign in.")
        new_refresh = self._mint(user_id=user.pk, sid=sid)
        now = timezone.now()
        rotated = UserSession.objects.filter(
            id=sid, user_id=user.pk, refresh_jti=jti, revoked_at__isnull=True, expires_at__gt=now
        ).update(
            refresh_jti=new_refresh[jwt_settings.JTI_CLAIM],
            last_used_at=now,
            expires_at=_expiry(new_refresh),
            **({"ip_address": ip_address} if ip_address else {}),
        )
        if rotated != 1:
            self._refuse_stale(sid=sid, user_id=user.pk, jti=jti)
        return self._pair(new_refresh, UserSession.objects.get(id=sid))

    def decode_refresh(self, raw_refresh: str) -> dict:
        """The verified claims of a refresh token (signature, expiry, type, audience, issuer)."""
        try:
            token = RefreshToken(raw_refresh)
        except TokenError as exc:
            raise TokenNotValid() from exc
        claims = {"sid": token.get(SID_CLAIM), "user_id": token.get(jwt_settings.USER_ID_CLAIM)}
        claims["jti"] = token.get(jwt_settings.JTI_CLAIM)
        if not all(claims.values()) or not _is_uuid(claims["sid"]):
            raise TokenNotValid()
        return claims

    def revoke(self, *, session_ids, reason: str) -> int:
        """End sessions now: their refresh tokens stop working and their access tokens are refused.

        The owners' session_epoch moves on in the same transaction, so a cached "alive" entry that
        the cache delete below could not remove is refused anyway (see is_session_live)."""
        ids = [str(sid) for sid in session_ids if _is_uuid(str(sid))]
        if not ids:
            return 0
        with transaction.atomic():
            sessions = UserSession.objects.filter(id__in=ids, revoked_at__isnull=True)
            owners = set(sessions.values_list("user_id", flat=True))
            count = sessions.update(revoked_at=timezone.now(), revoked_reason=reason)
            get_user_model().objects.filter(pk__in=owners).update(session_epoch=F("session_epoch") + 1)
            for owner in owners:  # their cached principals hold the old epoch
                principal.forget(owner)
        for sid in ids:
            cache.delete(session_state_key(sid))
        return count

    def revoke_all(self, *, user, reason: str, keep_session_id: str | None = None) -> int:
        sessions = UserSession.objects.for_user(user).filter(revoked_at__isnull=True)
        if keep_session_id:
            sessions = sessions.exclude(id=keep_session_id)
        return self.revoke(session_ids=list(sessions.values_list("id", flat=True)), reason=reason)

    def is_session_live(self, *, sid: str, user_id: int, epoch: int, cached: object = None) -> bool:
        """Cheap per-request check of an access token's session: `cached` is the session's cached
        state (read with the principal, one round trip), recomputed from the database when absent
        or from an epoch other than the owner's current one (`epoch`, from the principal, which a
        revocation invalidates): an answer from an earlier epoch predates a revocation."""
        if not _is_uuid(str(sid)):
            return False
        state = cached
        if not (isinstance(state, tuple) and len(state) == 2 and state[1] == epoch):
            owner = UserSession.objects.live().filter(id=sid).values_list("user_id", flat=True).first()
            state = (owner or 0, epoch)
            cache.set(session_state_key(str(sid)), state, ttl=settings.AUTH_SESSION_CACHE_SECONDS)
        return bool(state[0]) and state[0] == user_id

    def _refuse_stale(self, *, sid: str, user_id: int, jti: str) -> None:
        session = UserSession.objects.filter(id=sid, user_id=user_id).first()
        if session is not None and not session.is_revoked and session.refresh_jti != jti:
            # A rotated-away token came back (stolen, or replayed): end the whole family.
            self.revoke(session_ids=[sid], reason=UserSession.RevokeReason.REUSE_DETECTED)
        raise TokenNotValid()

    def _mint(self, *, user_id: int, sid: str) -> RefreshToken:
        refresh = RefreshToken()
        refresh[jwt_settings.USER_ID_CLAIM] = user_id
        refresh[SID_CLAIM] = sid
        return refresh

    def _pair(self, refresh: RefreshToken, session: UserSession) -> TokenPair:
        access = refresh.access_token
        return TokenPair(
            access=str(access),
            refresh=str(refresh),
            session=session,
            access_expires_at=_expiry(access),
            refresh_expires_at=_expiry(refresh),
        )


def _expiry(token) -> datetime:
    return datetime.fromtimestamp(token["exp"], tz=UTC)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
