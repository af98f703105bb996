"""Admitting keyed requests without a Redis round trip each: this process keeps each key's lookup
(while it hears revocations) and counts its requests itself, sending them to Redis in batches.

A request is admitted here, with no I/O, when this process holds a lookup of the key younger than
TMDB_COMPAT_KEY_L1_TTL made since its revocation subscription was confirmed, and the key is far from
its limit: the window's shared count as last seen, plus what this process has not sent yet, plus a
batch, is within the rate. Every TMDB_COMPAT_COUNT_BATCH requests (or after TICK seconds idle) the
counts go to Redis in one script call, which also rereads the lookup. Near the limit, for small
limits (under 100 a minute) and without a trusted subscription, every request makes that call, as
it did before: the limit is exact there, and far from it a key may pass its limit by at most one
batch per other process.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings

from core.cache.broadcast import TICK, Listener

from .gate import ADMITTED, MISSING, RedisGate, Verdict, revocations

logger = logging.getLogger(__name__)

RATE_WINDOW = 60  # seconds: rate limits are requests per minute


@dataclass
class KeyState:
    """This process's view of one key."""

    key_id: int
    rate: int  # effective requests per minute
    checked: float  # monotonic time the lookup was read from Redis
    window: int  # the rate window `known` and `pending` belong to
    known: int  # the window's shared count at the last call
    pending: int = 0  # admitted here, not yet sent
    sent_at: float = 0.0

    @property
    def batch(self) -> int:
        return max(1, min(settings.TMDB_COMPAT_COUNT_BATCH, self.rate // 100))


class Admission:
    """The per-process key states; thread-safe (gthread workers share them)."""

    def __init__(self, gate: RedisGate):
        self.gate = gate
        self.states: dict[str, KeyState] = {}
        self.lock = threading.Lock()
        self.generation = 0  # bumped by every revocation heard
        # Revocations heard (core.cache.broadcast): this process drops its copy of the key.
        self.listener = Listener(revocations, on_message=self.drop, on_tick=self.send_idle)

    # --- the request path ----------------------------------------------------------------------
    def admit(self, digest: str, read_lookup) -> Verdict:
        """The key's verdict for this request. `read_lookup(digest)` reads the database on a miss."""
        window = int(time.time() // RATE_WINDOW)
        with self.lock:
            state = self.states.get(digest)
            current = not (state is not None and self._local(state, window))
            if not current:
                state.pending += 1
                if state.pending < state.batch:
                    return Verdict(ADMITTED, state.key_id, state.rate)
            # This request is either counted by the call (current) or among the counts it sends.
            sent, sent_window = self._take(state)
            generation = self.generation
        checked = time.monotonic()
        verdict = self._call(digest, window, sent, sent_window, current=current)
        if verdict.status == MISSING:
            self.gate.remember(digest, read_lookup(digest))
            verdict = self._call(digest, window, 0, window, current=current)
        self._keep(digest, verdict, window, checked, generation)
        return verdict

    def holds(self, digest: str) -> bool:
        """Would this key's next request be admitted here without a call?"""
        with self.lock:
            state = self.states.get(digest)
            return state is not None and self._local(state, int(time.time() // RATE_WINDOW))

    def _local(self, state: KeyState, window: int) -> bool:
        """May this request be admitted (and counted) here without a call?"""
        if state.batch < 2 or state.window != window:
            return False
        if state.known + state.pending + 1 + state.batch > state.rate:
            return False
        since = self.listener.trusted_since()
        age = time.monotonic() - state.checked
        return since is not None and state.checked >= since and age < settings.TMDB_COMPAT_KEY_L1_TTL

    @staticmethod
    def _take(state: KeyState | None) -> tuple[int, int]:
        if state is None:
            return 0, 0
        sent, state.pending = state.pending, 0
        return sent, state.window

    def _call(self, digest: str, window: int, sent: int, sent_window: int, *, current: bool) -> Verdict:
        return self.gate.sync(
            digest,
            window=window,
            window_ttl=RATE_WINDOW + 1,
            default_rate=settings.TMDB_COMPAT_DEFAULT_RATE,
            sent=sent,
            sent_window=sent_window,
            current=current,
        )

    def _keep(self, digest: str, verdict: Verdict, window: int, checked: float, generation: int) -> None:
        with self.lock:
            if verdict.status != ADMITTED:
                self.states.pop(digest, None)
                return
            if generation != self.generation:
                return  # a revocation was heard meanwhile: this lookup may predate it
            state = self.states.get(digest)
            rate = verdict.rate_limit or settings.TMDB_COMPAT_DEFAULT_RATE
            if state is None:
                state = self.states[digest] = KeyState(verdict.key_id, rate, checked, window, verdict.count)
            state.key_id, state.rate, state.checked, state.window = verdict.key_id, rate, checked, window
            state.known, state.sent_at = verdict.count, time.monotonic()

    # --- the listener's side -------------------------------------------------------------------
    def drop(self, digest: str) -> None:
        """This process forgets its copy of the key (a revocation heard, or made here: then at once,
        without waiting for the echo); counts it held go to Redis."""
        with self.lock:
            self.generation += 1
            state = self.states.pop(digest, None)
        if state is not None and state.pending:
            self._flush(digest, state.pending, state.window)

    def send_idle(self, older_than: float = TICK) -> None:
        """Counts this process has held for more than `older_than` seconds go to Redis (every
        TICK from the listener; all of them when the process exits)."""
        now = time.monotonic()
        with self.lock:
            idle = [
                (digest, *self._take(state))
                for digest, state in self.states.items()
                if state.pending and now - state.sent_at >= older_than
            ]
        for digest, sent, window in idle:
            self._flush(digest, sent, window)

    def _flush(self, digest: str, sent: int, window: int) -> None:
        try:
            self._call(digest, window, sent, window, current=False)
        except Exception as exc:  # noqa: BLE001 - lost counts are logged, never a failed request
            logger.warning("TMDb-compatible usage counts not sent: %s", exc)

    def reset(self) -> None:
        """Forget every key state (tests: each test has its own database)."""
        with self.lock:
            self.generation += 1
            self.states.clear()
