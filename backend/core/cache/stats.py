"""Cache statistics: hits, misses, stale and errors per level and tier, counted in this process.

The in-process counters serve tests and quick looks (`snapshot()`); the same events go to the
Prometheus counters in `core.metrics`, which aggregate across worker processes.
"""

import threading
from collections import Counter

OUTCOMES = ("hit", "miss", "stale", "error")
_counts: Counter = Counter()
_lock = threading.Lock()


def record(level: str, tier: str, outcome: str) -> None:
    from core import metrics

    with _lock:
        _counts[(level, tier, outcome)] += 1
    metrics.record_cache(level=level, tier=tier, outcome=outcome)


def snapshot() -> dict[str, dict[str, int]]:
    """{"view:l1": {"hit": 3, ...}, ...} for this process."""
    with _lock:
        items = list(_counts.items())
    result: dict[str, dict[str, int]] = {}
    for (level, tier, outcome), count in items:
        result.setdefault(f"{level}:{tier}", dict.fromkeys(OUTCOMES, 0))[outcome] = count
    return result


def count(level: str, tier: str, outcome: str) -> int:
    with _lock:
        return _counts[(level, tier, outcome)]


def reset() -> None:
    with _lock:
        _counts.clear()
