"""One thread per process hears key revocations (Redis pub/sub), drops this process's copy of the
key and says so; while it is not subscribed (or its connection is silent) no copy is trusted."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from .gate import RedisGate

logger = logging.getLogger(__name__)

TICK = 0.5  # seconds between the thread's turns (a ping, idle counts sent)
SILENCE = 3 * TICK  # no pong for this long: the subscription is not trusted
RETRY = 1.0


class RevocationListener:
    """`trusted_since()` is when the current subscription was confirmed (None: not trusted now);
    `on_revoked(digest)` runs for each announced key, `on_tick()` every TICK seconds."""

    def __init__(self, gate: RedisGate, *, on_revoked: Callable[[str], None], on_tick: Callable[[], None]):
        self.gate = gate
        self.on_revoked = on_revoked
        self.on_tick = on_tick
        self._pid: int | None = None
        self._since: float | None = None
        self._pong = 0.0
        self._start_lock = threading.Lock()

    def trusted_since(self) -> float | None:
        self.ensure_started()
        since = self._since
        if since is None or time.monotonic() - self._pong > SILENCE:
            return None
        return since

    def ensure_started(self) -> None:
        """Started lazily in each process (a forked worker starts its own)."""
        if self._pid == os.getpid():
            return
        with self._start_lock:
            if self._pid != os.getpid():
                self._pid, self._since = os.getpid(), None
                threading.Thread(target=self._run, name="tmdb-key-revocations", daemon=True).start()

    def _run(self) -> None:
        pid = os.getpid()
        while self._pid == pid:
            try:
                self._listen(pid)
            except Exception as exc:  # noqa: BLE001 - any failure: distrust, then subscribe again
                logger.warning("TMDb-compatible key revocations not heard: %s", exc)
            self._since = None
            time.sleep(RETRY)

    def _listen(self, pid: int) -> None:
        pubsub = self.gate.connection().pubsub()
        try:
            pubsub.subscribe(self.gate.channel())
            next_ping = 0.0
            while self._pid == pid:
                if time.monotonic() >= next_ping:
                    pubsub.ping()
                    next_ping = time.monotonic() + TICK
                message = pubsub.get_message(timeout=TICK)
                if message is not None:
                    self._handle(message)
                self.on_tick()
        finally:
            self._since = None
            pubsub.close()

    def _handle(self, message: dict) -> None:
        kind = message["type"]
        if kind == "subscribe":
            self._pong = time.monotonic()
            self._since = self._pong  # copies made before this moment are not trusted
        elif kind == "pong":
            self._pong = time.monotonic()
        elif kind == "message":
            token, _, digest = message["data"].decode().partition(" ")
            self.on_revoked(digest)
            self.gate.acknowledge(token)
