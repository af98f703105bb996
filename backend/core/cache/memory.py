"""L1: a small, bounded, thread-safe per-process memory cache with monotonic-clock TTLs."""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

MISSING = object()


class LocalMemoryCache:
    """Least-recently-used entries up to `max_entries`; each entry expires after its own TTL.

    Never the source of truth: it only shortens the path to L2 for the hottest keys. The clock is
    monotonic, so a wall-clock jump can neither freeze nor flush it.
    """

    def __init__(
        self,
        *,
        max_entries: int = 1024,
        max_item_bytes: int = 256 * 1024,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.max_entries = max_entries
        self.max_item_bytes = max_item_bytes
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def now(self) -> float:
        """This cache's clock (monotonic seconds), for callers that keep their own timestamps."""
        return self._clock()

    def get(self, key: str, default: Any = MISSING) -> Any:
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return default
            expires_at, value = entry
            if expires_at <= now:
                del self._entries[key]
                return default
            self._entries.move_to_end(key)
            return value

    def set(self, key: str, value: Any, ttl: float) -> bool:
        """Stores `value` for `ttl` seconds; refuses (returns False) items too large to keep."""
        if ttl <= 0 or self.max_entries <= 0 or _size(value) > self.max_item_bytes:
            return False
        expires_at = self._clock() + ttl
        with self._lock:
            self._entries[key] = (expires_at, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return True

    def delete(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def _size(value: Any) -> int:
    """A cheap size estimate: exact for bytes/str, the body for cached responses, else small."""
    if isinstance(value, bytes | bytearray | str):
        return len(value)
    body = getattr(value, "body", None)
    if isinstance(body, bytes):
        return len(body)
    return 0
