"""prune_auth_records: delete long-ended sessions, dead email tokens and stale lockout rows (cron-safe)."""

from django.core.management.base import BaseCommand, CommandError

from apps.authentication.services.maintenance import AccountMaintenanceService


class Command(BaseCommand):
    help = "Delete sessions and email tokens that ended more than --keep-days ago, and stale lockout rows."

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep-days", type=int, default=30, help="Keep ended records this long (default 30)."
        )

    def handle(self, *args, keep_days: int, **options):
        if keep_days < 1:
            raise CommandError("--keep-days must be at least 1.")
        result = AccountMaintenanceService().prune(keep_days=keep_days)
        self.stdout.write(result.summary())
