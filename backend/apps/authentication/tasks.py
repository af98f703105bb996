"""Celery tasks for accounts: thin — primitive ids in, one service call."""

from smtplib import SMTPException

from celery import shared_task

from .services.email import EmailService
from .services.outbox import EmailOutboxService


@shared_task(name="authentication.deliver_account_email", ignore_result=True)
def deliver_account_email(outbox_id: int) -> bool:
    """Send the account email an outbox row owes (fire-and-forget: no result backend needed)."""
    return EmailOutboxService().deliver(outbox_id=outbox_id)


@shared_task(name="authentication.drain_email_outbox", ignore_result=True)
def drain_email_outbox() -> int:
    """Send the owed account emails whose hand-off was lost or whose SMTP attempt failed."""
    return EmailOutboxService().drain()


@shared_task(
    name="authentication.send_account_email",
    ignore_result=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def send_account_email(kind: str, user_id: int, token: str = "") -> bool:
    """Messages queued by the previous release (before the outbox): send them as they were."""
    return EmailService().send(kind=kind, user_id=user_id, token=token)


@shared_task(name="authentication.prune_auth_records")
def prune_auth_records(keep_days: int = 30) -> str:
    """Delete long-ended sessions, dead email tokens and stale lockout rows; returns the summary."""
    from .services.maintenance import AccountMaintenanceService

    return AccountMaintenanceService().prune(keep_days=keep_days).summary()
