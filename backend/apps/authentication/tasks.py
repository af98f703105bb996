"""Celery tasks for accounts: thin — primitive ids in, one service call."""

from smtplib import SMTPException

from celery import shared_task

from .services.email import EmailService


@shared_task(
    name="authentication.send_account_email",
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def send_account_email(kind: str, user_id: int, token: str = "") -> bool:
    """Send one account email (verify_email, password_reset, account_exists) to a user."""
    return EmailService().send(kind=kind, user_id=user_id, token=token)


@shared_task(name="authentication.prune_auth_records")
def prune_auth_records(keep_days: int = 30) -> str:
    """Delete long-ended sessions, dead email tokens and stale lockout rows; returns the summary."""
    from .services.maintenance import AccountMaintenanceService

    return AccountMaintenanceService().prune(keep_days=keep_days).summary()
