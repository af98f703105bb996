"""recover_imports: imports whose worker died are queued again to resume, or failed past the limit (cron-safe)."""

from django.core.management.base import BaseCommand

from apps.imports import recovery


class Command(BaseCommand):
    help = (
        "Queue again the imports with no heartbeat for IMPORT_STALE_SECONDS (they resume at their first "
        "pending row); past IMPORT_MAX_RECOVERIES they fail with the reason. Safe to run every minute."
    )

    def handle(self, *args, **options):
        counts = recovery.recover_stalled()
        self.stdout.write(" ".join(f"{name}={count}" for name, count in counts.items()))
