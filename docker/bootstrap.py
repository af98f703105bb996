"""Container start-up chores: wait for the database, migrate and collect static files, once at a time."""

import argparse
import fcntl
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

APP_DIR = Path(__file__).resolve().parents[1]
# Any constant shared by every replica; PostgreSQL advisory locks are per database.
MIGRATE_LOCK_ID = 0x4D4E5801  # "MNX" + 1


def setup_django() -> None:
    sys.path.insert(0, str(APP_DIR / "backend"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()


def wait_for_database(*, timeout: float, interval: float = 1.0) -> None:
    """Return once the database accepts a query; raise after `timeout` seconds."""
    from django.db import connection
    from django.db.utils import OperationalError

    deadline = time.monotonic() + timeout
    while True:
        try:
            connection.ensure_connection()
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return
        except OperationalError as exc:
            connection.close()
            if time.monotonic() >= deadline:
                raise SystemExit(f"bootstrap: database not reachable after {timeout:.0f}s: {exc}") from exc
            print(f"bootstrap: waiting for the database ({exc.__class__.__name__})", flush=True)
            time.sleep(interval)


@contextmanager
def migration_lock():
    """Serialise migrations across processes starting together (advisory lock, or a file lock for SQLite)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with file_lock(Path(f"{connection.settings_dict['NAME']}.migrate.lock")):
            yield
        return
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK_ID])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATE_LOCK_ID])


@contextmanager
def file_lock(path: Path):
    """An exclusive lock on a file (collectstatic into a volume shared by every replica)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def migrate() -> None:
    from django.core.management import call_command

    with migration_lock():
        call_command("migrate", interactive=False, verbosity=1)


def collectstatic() -> None:
    from django.conf import settings
    from django.core.management import call_command

    with file_lock(Path(settings.STATIC_ROOT) / ".collectstatic.lock"):
        call_command("collectstatic", interactive=False, verbosity=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--migrate", action="store_true", help="apply migrations (one replica at a time)")
    parser.add_argument("--collectstatic", action="store_true", help="collect static files under a lock")
    parser.add_argument("--timeout", type=float, default=float(os.environ.get("DB_WAIT_TIMEOUT", "60")))
    args = parser.parse_args(argv)
    setup_django()
    wait_for_database(timeout=args.timeout)
    if args.migrate:
        migrate()
    if args.collectstatic:
        collectstatic()
    return 0


if __name__ == "__main__":
    sys.exit(main())
