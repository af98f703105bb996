"""Atomic counters in L2 only (Redis; local memory without it): throttles and login-failure counts.

Never L1: a per-process copy of a counter lets every worker count on its own. Each hit is one
atomic increment of a key whose TTL the first hit of the window sets, so N processes hitting
one key count N hits. When Redis is unreachable a hit returns None and callers fail open
(the per-account sign-in lockout lives in the database and still holds).
"""

import contextlib
import math

from .layers import L2Error, l2_call


def hit(key: str, *, window: float) -> int | None:
    """Counts one hit in the window the key's first hit opened; the count so far, or None."""
    timeout = max(1, math.ceil(window))
    try:
        for _ in range(2):
            l2_call("add", key, 0, timeout=timeout)
            try:
                return l2_call("incr", key)
            except ValueError:  # the window ended between add and incr: open the next one
                continue
    except L2Error:
        return None
    return None


def count(key: str) -> int:
    """The hits counted so far in the current window (0 when none, or when Redis is unreachable)."""
    try:
        value = l2_call("get", key)
    except L2Error:
        return 0
    return value if isinstance(value, int) else 0


def seconds_left(key: str) -> int | None:
    """Seconds until the key's window ends, when the backend can tell (Redis can)."""
    try:
        remaining = l2_call("ttl", key)
    except (L2Error, AttributeError):  # local memory has no ttl()
        return None
    return remaining if isinstance(remaining, int) and remaining > 0 else None


def reset(key: str) -> None:
    with contextlib.suppress(L2Error):
        l2_call("delete", key)


def give_back(key: str) -> None:
    """Undoes one hit (an attempt that turned out not to count, e.g. a successful login)."""
    with contextlib.suppress(L2Error, ValueError):  # unreachable, or the window already ended
        l2_call("decr", key)
