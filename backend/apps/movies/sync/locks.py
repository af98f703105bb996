"""Job locks that work on PostgreSQL and SQLite alike: a unique row with an expiry, renewed while held.

A second copy of a job finds the row and gives up at once (LockHeld). The holder's process renews
the row from a heartbeat thread every TTL/3, so the lock follows the process's liveness, not the
job's progress: a holder killed outright (kill -9, a lost container) stops renewing and its row
expires within one TTL, and the next run (a redelivered task) takes it over; a holder on the same
host whose process no longer exists is taken over at once.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
import weakref
from datetime import timedelta

from django.db import DatabaseError, IntegrityError, connections, transaction
from django.utils import timezone

from .models import SyncLock

logger = logging.getLogger(__name__)
# Heartbeats per TTL: two may fail (a database blip) before the row expires under a live holder.
BEATS_PER_TTL = 3


class LockHeld(Exception):
    """Another live run holds the lock."""

    def __init__(self, name: str, holder: SyncLock | None):
        self.name = name
        self.holder = holder
        detail = (
            f" (pid {holder.pid} on {holder.host}, since {holder.acquired_at:%Y-%m-%d %H:%M:%S} UTC, expires {holder.expires_at:%H:%M:%S} UTC)"
            if holder
            else ""
        )
        super().__init__(f"{name} is already running{detail}; exiting.")


class LockLost(Exception):
    """The lock expired and another run took it over; this run must stop writing."""


def _host() -> str:
    return socket.gethostname()[:255]


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class JobLock:
    """`with JobLock("sync_changes", ttl=60) as lock: ... lock.renew()`; a heartbeat renews it meanwhile."""

    def __init__(self, name: str, *, ttl: int, heartbeat: bool = True):
        self.name = name[:200]
        self.ttl = ttl
        self.token = secrets.token_hex(16)
        self.heartbeat = heartbeat
        self._renewed = 0.0
        self._lost = False
        self._stopped = threading.Event()
        self._beating: threading.Thread | None = None

    def __enter__(self) -> JobLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()

    def _values(self) -> dict:
        now = timezone.now()
        return {
            "token": self.token,
            "host": _host(),
            "pid": os.getpid(),
            "acquired_at": now,
            "expires_at": now + timedelta(seconds=self.ttl),
        }

    def acquire(self) -> None:
        try:
            with transaction.atomic():
                SyncLock.objects.create(name=self.name, **self._values())
        except IntegrityError:
            if not self._take_over():
                raise LockHeld(self.name, SyncLock.objects.filter(name=self.name).first()) from None
        self._renewed = time.monotonic()
        if self.heartbeat:
            self._beating = threading.Thread(
                target=_beat,
                args=(weakref.ref(self), self._stopped, self.ttl / BEATS_PER_TTL),
                name=f"lock:{self.name}",
                daemon=True,
            )
            self._beating.start()

    def _extend(self) -> bool:
        expires = timezone.now() + timedelta(seconds=self.ttl)
        return SyncLock.objects.filter(name=self.name, token=self.token).update(expires_at=expires) == 1

    def _take_over(self) -> bool:
        """Claim a row whose holder expired or died on this host (a conditional update: one winner)."""
        holder = SyncLock.objects.filter(name=self.name).first()
        if holder is None:
            return False
        stale = holder.expires_at <= timezone.now()
        dead = holder.host == _host() and holder.pid != os.getpid() and not _process_alive(holder.pid)
        if not (stale or dead):
            return False
        return SyncLock.objects.filter(pk=holder.pk, token=holder.token).update(**self._values()) == 1

    def renew(self, *, force: bool = False) -> None:
        """Push the expiry forward (at most every TTL/4 unless forced); LockLost if taken over."""
        if self._lost:
            raise LockLost(f"The lock {self.name} expired and was taken over; stopping.")
        if not force and time.monotonic() - self._renewed < self.ttl / 4:
            return
        if not self._extend():
            raise LockLost(f"The lock {self.name} expired and was taken over; stopping.")
        self._renewed = time.monotonic()

    def release(self) -> None:
        self._stopped.set()
        if self._beating is not None:
            self._beating.join(timeout=10)
        SyncLock.objects.filter(name=self.name, token=self.token).delete()


def _beat(lock_ref: weakref.ref, stopped: threading.Event, interval: float) -> None:
    """Renew every `interval` until released (or the lock object is gone); stop if taken over.

    Each beat uses a connection of this thread, closed after it: no idle connection is left
    between beats, and none once the holder is gone.
    """
    while not stopped.wait(interval):
        lock = lock_ref()
        if lock is None:
            return  # dropped without release(): its row expires after one TTL
        try:
            if not lock._extend():
                lock._lost = True
                return
        except DatabaseError:
            logger.warning("Could not renew the lock %s; retrying.", lock.name, exc_info=True)
        finally:
            del lock
            connections.close_all()
