"""`make services-check`: creates the database if missing, then says which service does not answer."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import health
from core.provisioning import ensure_database

# Which environment variable points at each service (named in the advice, never its value).
VARIABLES = {"database": "DATABASE_URL", "cache": "REDIS_URL", "broker": "CELERY_BROKER_URL"}


class Command(BaseCommand):
    help = "Create the DATABASE_URL database if it is missing, check the cache and broker, count workers."

    def handle(self, *args, **options):
        missing = []
        for name, check in (
            ("database", self._database),
            ("cache", health.check_cache),
            ("broker", health.check_broker),
        ):
            try:
                self.stdout.write(f"  {name:<9} ok   {check()}")
            except Exception as exc:  # noqa: BLE001 - any failure is reported, then the command fails
                missing.append(name)
                self.stdout.write(
                    f"  {name:<9} FAIL {exc.__class__.__name__}: {exc} (check {VARIABLES[name]})"
                )
        if missing:
            raise CommandError(f"Not answering: {', '.join(missing)}.")
        self.stdout.write(f"  {'workers':<9} {self._workers()}")

    def _database(self) -> str:
        outcome = ensure_database()
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        return f"{engine} {settings.DATABASES['default']['NAME']} ({outcome})"

    def _workers(self) -> str:
        workers = health.count_workers()
        if workers["status"] == "eager":
            return "eager: no CELERY_BROKER_URL, tasks run inside the web process"
        if workers["status"] == "none":
            return f"none on queue {workers['queue']}: start `make worker` for emails and background resyncs"
        return f"{workers['count']} on queue {workers['queue']}" if workers["count"] else workers["status"]
