"""AccountMaintenanceService: deletes account records that can no longer matter (for cron/Celery)."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ..models import LoginLockout, UserSession, VerificationToken


@dataclass(frozen=True)
class PruneResult:
    sessions: int
    tokens: int
    lockouts: int

    def summary(self) -> str:
        return f"sessions={self.sessions} tokens={self.tokens} lockouts={self.lockouts}"


class AccountMaintenanceService:
    def prune(self, *, keep_days: int = 30) -> PruneResult:
        """Ended sessions and dead email tokens older than `keep_days` (kept that long for the
        record), and lockout rows whose window and lock are both over. Idempotent."""
        now = timezone.now()
        horizon = now - timedelta(days=keep_days)
        sessions = UserSession.objects.filter(Q(revoked_at__lt=horizon) | Q(expires_at__lt=horizon)).delete()[
            0
        ]
        tokens = VerificationToken.objects.filter(
            Q(used_at__lt=horizon) | Q(expires_at__lt=horizon)
        ).delete()[0]
        window_start = now - timedelta(seconds=settings.LOGIN_LOCKOUT_WINDOW_SECONDS)
        lockouts = (
            LoginLockout.objects.filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
            .filter(Q(window_started_at__isnull=True) | Q(window_started_at__lt=window_start))
            .delete()[0]
        )
        return PruneResult(sessions=sessions, tokens=tokens, lockouts=lockouts)
