"""A dependency-free progress bar, drawn only when the output is a terminal."""

from __future__ import annotations

import time
from typing import TextIO

BAR_WIDTH = 30
MIN_INTERVAL = 0.1


class Progress:
    """`progress.start(total)`, `progress.advance(label)`, `progress.close()`; silent off a TTY."""

    def __init__(self, stream: TextIO | None, *, enabled: bool | None = None):
        self.stream = stream
        self.enabled = bool(stream is not None and (stream.isatty() if enabled is None else enabled))
        self.total = 0
        self.done = 0
        self._drawn = 0.0
        self._visible = False

    def start(self, total: int) -> None:
        self.total = max(total, 0)
        self.done = 0
        self._draw("", force=True)

    def grow(self, extra: int) -> None:
        """More items became known (another page)."""
        self.total += max(extra, 0)

    def advance(self, label: str = "") -> None:
        self.done += 1
        self._draw(label, force=self.done >= self.total)

    def _draw(self, label: str, *, force: bool = False) -> None:
        if not self.enabled or (not force and time.monotonic() - self._drawn < MIN_INTERVAL):
            return
        filled = int(BAR_WIDTH * self.done / self.total) if self.total else 0
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.stream.write(f"\r[{bar}] {self.done}/{self.total} {label[:40]:<40}")
        self.stream.flush()
        self._drawn = time.monotonic()
        self._visible = True

    def close(self) -> None:
        if self.enabled and self._visible:
            self.stream.write("\n")
            self.stream.flush()
            self._visible = False
