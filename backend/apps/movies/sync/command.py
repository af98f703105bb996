"""SyncCommand: the base of every sync_* management command (lock, progress, summary line, exit status)."""

from __future__ import annotations

import contextlib
import re
import signal
import threading
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser

from .progress import Progress
from .runner import SyncRun, Terminated
from .summary import SyncSummary

DURATION = re.compile(r"^(\d+)([smhdw]?)$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks", "": "days"}


def parse_duration(value: str) -> timedelta:
    """'7d', '12h', '30m', '2w' or a bare number of days."""
    match = DURATION.match(value.strip().lower())
    if not match:
        raise ValueError(f"not a duration: {value!r} (use e.g. 7d, 12h, 30m)")
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError("must be at least 1")
    return number


@contextlib.contextmanager
def stop_on_sigterm():
    """SIGTERM stops the run between two movies' transactions (or rolls the current one back),
    releases the lock and still prints the summary; a plain kill would leave the lock to expire."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum, frame):
        raise Terminated(f"Stopped by {signal.Signals(signum).name}; what was synced stays synced.")

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class SyncCommand(BaseCommand):
    """Subclasses set `job` and implement `work(run, **options)`; exit 0 done, 1 some failed, 2 could not run."""

    job = ""
    require_tmdb = True
    # The summary line is the last stdout line; the exit status is what cron acts on.
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Fetch and report; write nothing.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar even on a terminal.")
        self.add_job_arguments(parser)

    def add_job_arguments(self, parser: CommandParser) -> None:
        """Job-specific arguments."""

    def lock_name(self, **options) -> str:
        return self.job

    def work(self, run: SyncRun, **options) -> None:
        raise NotImplementedError

    def handle(self, *args, **options) -> None:
        out = getattr(self.stdout, "_out", self.stdout)
        progress = Progress(out, enabled=False if options["no_progress"] else None)
        run = SyncRun(
            job=self.job,
            lock_name=self.lock_name(**options),
            dry_run=options["dry_run"],
            progress=progress,
            err=getattr(self.stderr, "_out", self.stderr),
            require_tmdb=self.require_tmdb,
            tmdb=self.make_client(),
        )
        with stop_on_sigterm():
            summary = run.execute(lambda current: self.work(current, **options))
        self.report(summary, dry_run=options["dry_run"])
        if summary.exit_code:
            raise SystemExit(summary.exit_code)

    def make_client(self):
        """None: the run gets a TMDb client of its own (so its counters are the run's)."""
        return None

    def report(self, summary: SyncSummary, *, dry_run: bool) -> None:
        if dry_run:
            self.stdout.write("dry run: nothing was written")
        self.stdout.write(summary.line())
