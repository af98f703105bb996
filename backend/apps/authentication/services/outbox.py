"""EmailOutboxService: account emails written with the change, handed to Celery in bounded time, drained."""

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ..addresses import normalize_email
from ..models import EmailOutbox, VerificationToken
from .email import EmailService
from .verification import VerificationTokenService

logger = logging.getLogger(__name__)
Kind = EmailOutbox.Kind
TOKEN_PURPOSE = {
    Kind.VERIFY_EMAIL: VerificationToken.Purpose.VERIFY_EMAIL,
    Kind.PASSWORD_RESET: VerificationToken.Purpose.PASSWORD_RESET,
}


class EmailOutboxService:
    """The request writes one row and, after commit, publishes its id; nothing else.

    That is the same work whether or not the address has an account (the reset and resend
    endpoints do not look the address up at all), so their timing tells nothing. Deciding whether
    to send, minting the token and talking to SMTP happen at delivery. The publish needs no result
    backend (the tasks ignore results) and is given EMAIL_ENQUEUE_TIMEOUT seconds; when the broker
    is down or frozen the row waits for the drain (every EMAIL_OUTBOX_DRAIN_SECONDS).
    """

    def __init__(
        self, *, email: EmailService | None = None, verification: VerificationTokenService | None = None
    ):
        self.email = email or EmailService()
        self.verification = verification or VerificationTokenService()

    def schedule(self, *, kind: str, email: str) -> EmailOutbox:
        row = EmailOutbox.objects.create(kind=kind, email=normalize_email(email))
        transaction.on_commit(lambda: self.dispatch(outbox_id=row.pk))
        return row

    def dispatch(self, *, outbox_id: int) -> None:
        """Hands the row to a worker; gives up after EMAIL_ENQUEUE_TIMEOUT (the drain sends it then)."""
        from ..tasks import deliver_account_email

        if deliver_account_email.app.conf.task_always_eager:  # no broker (development, tests)
            self.deliver(outbox_id=outbox_id)
            return
        publisher = threading.Thread(target=_publish, args=(outbox_id,), name="email-enqueue", daemon=True)
        publisher.start()
        publisher.join(settings.EMAIL_ENQUEUE_TIMEOUT)
        if publisher.is_alive():
            logger.warning("Broker did not take email %s in time; the outbox drain will send it", outbox_id)

    def deliver(self, *, outbox_id: int) -> bool:
        """Sends one owed email and deletes its row; False when it is gone, taken or postponed.
        Idempotent: a row claimed by another worker is skipped, a delivered one no longer exists."""
        with transaction.atomic():
            row = EmailOutbox.objects.select_for_update(skip_locked=True).filter(pk=outbox_id).first()
            if row is None:
                return False
            try:
                with transaction.atomic():
                    self._send(row)
            except Exception as exc:  # noqa: BLE001 - SMTP down, or a bug: logged, retried, never blocking the rest
                self._postpone(row, exc)
                return False
            row.delete()
        return True

    def drain(self, *, limit: int = 200) -> int:
        """Delivers rows that are due (their publish was lost, or SMTP failed); returns how many went."""
        due = EmailOutbox.objects.filter(next_attempt_at__lte=timezone.now()).values_list("pk", flat=True)
        return sum(self.deliver(outbox_id=pk) for pk in list(due[:limit]))

    def _send(self, row: EmailOutbox) -> None:
        user = get_user_model().objects.with_email(row.email).filter(is_active=True).first()
        if user is None or (row.kind == Kind.VERIFY_EMAIL and user.email_verified):
            return  # nothing owed: unknown address, or already verified
        purpose = TOKEN_PURPOSE.get(row.kind)
        token = self.verification.issue(user=user, purpose=purpose) if purpose else ""
        self.email.send(kind=row.kind, user_id=user.pk, token=token)

    def _postpone(self, row: EmailOutbox, exc: Exception) -> None:
        row.attempts += 1
        if row.attempts >= settings.EMAIL_OUTBOX_MAX_ATTEMPTS:
            logger.error(
                "Giving up on the %s email to %s after %s attempts", row.kind, row.email, row.attempts
            )
            row.delete()
            return
        delay = min(settings.EMAIL_OUTBOX_RETRY_SECONDS * 2 ** (row.attempts - 1), 3600)
        row.next_attempt_at = timezone.now() + timedelta(seconds=delay)
        row.last_error = f"{type(exc).__name__}: {exc}"[:200]
        row.save(update_fields=["attempts", "next_attempt_at", "last_error"])
        logger.warning(
            "Could not send the %s email (attempt %s); retrying later", row.kind, row.attempts, exc_info=exc
        )


def _publish(outbox_id: int) -> None:
    from ..tasks import deliver_account_email

    try:
        deliver_account_email.apply_async((outbox_id,), ignore_result=True)
    except Exception:  # any publish failure leaves the committed row to the drain
        logger.warning("Broker unavailable; the outbox drain will send email %s", outbox_id, exc_info=True)
