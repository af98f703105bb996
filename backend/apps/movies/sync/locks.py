"""Job locks that work on PostgreSQL and SQLite alike: a unique row with an expiry, renewed while held.

A second copy of a job finds the row and gives up at once (LockHeld). A holder that dies stops
renewing, so its row expires after the TTL and the next run takes it over; a holder on the same
host whose process no longer exists is taken over at once.
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import SyncLock


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
    """`with JobLock("sync_changes", ttl=600) as lock: ... lock.renew()`."""

    def __init__(self, name: str, *, ttl: int):
        self.name = name[:200]
        self.ttl = ttl
        self.token = secrets.token_hex(16)
        self._renewed = 0.0

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
        if not force and time.monotonic() - self._renewed < self.ttl / 4:
            return
        expires = timezone.now() + timedelta(seconds=self.ttl)
        if not SyncLock.objects.filter(name=self.name, token=self.token).update(expires_at=expires):
            raise LockLost(f"The lock {self.name} expired and was taken over; stopping.")
        self._renewed = time.monotonic()

    def release(self) -> None:
        SyncLock.objects.filter(name=self.name, token=self.token).delete()
