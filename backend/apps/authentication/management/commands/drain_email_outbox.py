"""drain_email_outbox: send the owed account emails a broker outage or SMTP failure held back (cron-safe)."""

from django.core.management.base import BaseCommand

from apps.authentication.services.outbox import EmailOutboxService


class Command(BaseCommand):
    help = "Send the account emails still in the outbox whose time has come."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=200, help="At most this many emails (default 200).")

    def handle(self, *args, limit: int, **options):
        delivered = EmailOutboxService().drain(limit=limit)
        self.stdout.write(f"delivered={delivered}")
