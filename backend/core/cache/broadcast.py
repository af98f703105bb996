"""Confirmed announcements to every process (Redis pub/sub), so a process may trust what it keeps.

A process that keeps something in its own memory (an API key's lookup, a signed-in user's
principal) must drop it the moment another process changes it. Each process runs one listener
thread per `Broadcast`: while its subscription is confirmed and its connection answers pings,
`trusted_since()` says since when; whatever the process kept after that moment is trustworthy,
because `announce()` publishes the change and returns only once every listening process has
handled it and acknowledged (ACK_WAIT at most: a process stuck longer is logged). Without Redis
(the embedded defaults' local memory cache, or Redis away) nothing is trusted and callers read
the shared cache as before.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable

from django.core.cache import caches

from . import keys

logger = logging.getLogger(__name__)

TICK = 0.5  # seconds between a listener's turns (a ping, the owner's on_tick)
SILENCE = 3 * TICK  # no pong for this long: the subscription is not trusted
RETRY = 1.0  # seconds before subscribing again after a failure
ACK_WAIT = 2.0  # seconds an announcement waits at most for every listener's acknowledgement
ACK_TTL = 60


def redis_connection():
    """The cache's Redis connection, or None when the cache is not Redis (local memory)."""
    from django_redis.cache import RedisCache

    if not isinstance(caches["default"], RedisCache):
        return None
    from django_redis import get_redis_connection

    return get_redis_connection("default")


class Broadcast:
    """One named channel: `announce(payload)` and the acknowledgements its listeners send."""

    def __init__(self, name: str):
        self.name = name

    def channel(self) -> str:
        return caches["default"].make_key(keys.broadcast_channel(self.name))

    def _ack_key(self, token: str) -> str:
        return caches["default"].make_key(keys.broadcast_ack(self.name, token))

    def announce(self, payload: str, *, wait: bool = True) -> None:
        """Tells every listening process, and (`wait`) waits until each has handled it (ACK_WAIT at
        most). A no-op without Redis: then no process trusts its own copies."""
        connection = redis_connection()
        if connection is None:
            return
        token = uuid.uuid4().hex
        listeners = int(connection.publish(self.channel(), f"{token} {payload}"))
        if not wait:
            return
        deadline = time.monotonic() + ACK_WAIT
        ack = self._ack_key(token)
        while listeners and time.monotonic() < deadline:
            if int(connection.get(ack) or 0) >= listeners:
                return
            time.sleep(0.001)
        if listeners:
            logger.warning("broadcast %s: not every process confirmed within %ss", self.name, ACK_WAIT)

    def acknowledge(self, connection, token: str) -> None:
        ack = self._ack_key(token)
        pipe = connection.pipeline()
        pipe.incr(ack)
        pipe.expire(ack, ACK_TTL)
        pipe.execute()


class Listener:
    """This process's subscription to a `Broadcast`: `on_message(payload)` runs for each
    announcement (then it is acknowledged), `on_tick()` every TICK seconds."""

    def __init__(
        self,
        broadcast: Broadcast,
        *,
        on_message: Callable[[str], None],
        on_tick: Callable[[], None] | None = None,
    ):
        self.broadcast = broadcast
        self.on_message = on_message
        self.on_tick = on_tick or (lambda: None)
        self._pid: int | None = None
        self._since: float | None = None
        self._pong = 0.0
        self._start_lock = threading.Lock()

    def trusted_since(self) -> float | None:
        """The monotonic time since which every announcement reaches this process (None: not now)."""
        self.ensure_started()
        since = self._since
        if since is None or time.monotonic() - self._pong > SILENCE:
            return None
        return since

    def ensure_started(self) -> None:
        """Started lazily in each process (a forked worker starts its own); not without Redis."""
        if self._pid == os.getpid():
            return
        with self._start_lock:
            if self._pid != os.getpid():
                self._pid, self._since = os.getpid(), None
                if redis_connection() is None:
                    return
                name = f"broadcast-{self.broadcast.name}"
                threading.Thread(target=self._run, name=name, daemon=True).start()

    def _run(self) -> None:
        pid = os.getpid()
        while self._pid == pid:
            try:
                self._listen(pid)
            except Exception as exc:  # noqa: BLE001 - any failure: distrust, then subscribe again
                logger.warning("broadcast %s not heard: %s", self.broadcast.name, exc)
            self._since = None
            time.sleep(RETRY)

    def _listen(self, pid: int) -> None:
        connection = redis_connection()
        pubsub = connection.pubsub()
        try:
            pubsub.subscribe(self.broadcast.channel())
            next_ping = 0.0
            while self._pid == pid:
                if time.monotonic() >= next_ping:
                    pubsub.ping()
                    next_ping = time.monotonic() + TICK
                message = pubsub.get_message(timeout=TICK)
                if message is not None:
                    self._handle(connection, message)
                self.on_tick()
        finally:
            self._since = None
            pubsub.close()

    def _handle(self, connection, message: dict) -> None:
        kind = message["type"]
        if kind == "subscribe":
            self._pong = time.monotonic()
            self._since = self._pong  # copies made before this moment are not trusted
        elif kind == "pong":
            self._pong = time.monotonic()
        elif kind == "message":
            token, _, payload = message["data"].decode().partition(" ")
            self.on_message(payload)
            self.broadcast.acknowledge(connection, token)
