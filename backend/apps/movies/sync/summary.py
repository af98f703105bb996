"""The outcome counters of one sync run and the closing key=value line cron mail and log search read."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_COULD_NOT_RUN = 2


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    FAILED = "failed"


@dataclass
class SyncSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    upstream_calls: int = 0
    rate_limited: int = 0
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    # Set when the run could not run at all (exit 2) or stopped early; printed before the summary.
    error: str = ""
    could_not_run: bool = False
    # A task may retry the whole job later (TMDb or the database failed, not the credentials or the lock).
    retryable: bool = False
    messages: list[str] = field(default_factory=list)

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)

    @property
    def processed(self) -> int:
        return self.created + self.updated + self.unchanged + self.failed

    @property
    def seconds(self) -> float:
        end = self.finished if self.finished is not None else time.monotonic()
        return end - self.started

    def finish(self) -> SyncSummary:
        if self.finished is None:
            self.finished = time.monotonic()
        return self

    @property
    def exit_code(self) -> int:
        if self.could_not_run:
            return EXIT_COULD_NOT_RUN
        if self.failed or self.error:
            return EXIT_SOME_FAILED
        return EXIT_OK

    def line(self) -> str:
        """created=N updated=N unchanged=N failed=N upstream_calls=N rate_limited=N seconds=S"""
        return (
            f"created={self.created} updated={self.updated} unchanged={self.unchanged} "
            f"failed={self.failed} upstream_calls={self.upstream_calls} "
            f"rate_limited={self.rate_limited} seconds={self.seconds:.1f}"
        )

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "upstream_calls": self.upstream_calls,
            "rate_limited": self.rate_limited,
            "seconds": round(self.seconds, 3),
            "exit_code": self.exit_code,
            "error": self.error,
            "retryable": self.retryable,
        }
