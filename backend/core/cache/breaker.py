"""A circuit breaker: after repeated Redis failures, skip Redis for a cool-down, then probe once."""

import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger("core.cache")

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


class CircuitBreaker:
    """Closed → (threshold consecutive failures) → open for `cooldown` s → half-open (one probe).

    In the half-open state exactly one caller is let through; its success closes the circuit, its
    failure opens it again for another cool-down. The worst extra latency a Redis outage adds to
    a process is therefore `threshold` socket timeouts, then one timeout per cool-down.
    """

    def __init__(
        self,
        *,
        threshold: int = 3,
        cooldown: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        on_open: Callable[[], None] | None = None,
    ):
        self.threshold = max(1, threshold)
        self.cooldown = cooldown
        self._clock = clock
        self._on_open = on_open
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> str:
        with self._lock:
            return self._state_locked()

    def _state_locked(self) -> str:
        if self._opened_at is None:
            return CLOSED
        if self._clock() - self._opened_at >= self.cooldown:
            return HALF_OPEN
        return OPEN

    def allow(self) -> bool:
        """True when a call may go to Redis now."""
        if self._opened_at is None:  # the fast path, without the lock
            return True
        with self._lock:
            state = self._state_locked()
            if state == CLOSED:
                return True
            if state == HALF_OPEN and not self._probing:
                self._probing = True
                return True
            return False

    def record_success(self) -> None:
        if self._opened_at is None and self._failures == 0:
            return
        with self._lock:
            was_open = self._opened_at is not None
            self._failures = 0
            self._opened_at = None
            self._probing = False
        if was_open:
            logger.warning("cache circuit closed: Redis answers again")

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            reopen = self._probing or (self._opened_at is None and self._failures >= self.threshold)
            if not reopen:
                return
            first_open = self._opened_at is None
            self._opened_at = self._clock()
            self._probing = False
        if first_open:
            logger.warning("cache circuit opened: skipping Redis for %.1fs", self.cooldown)
            if self._on_open:
                self._on_open()

    def reset(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._probing = False
