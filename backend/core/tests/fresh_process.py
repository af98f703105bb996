"""Runs Python code in a fresh process with the project's settings (tests of start-up behaviour)."""

import os
import subprocess
import sys
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[2]


def run_python(code: str, *, drop: tuple[str, ...] = (), **env: str) -> subprocess.CompletedProcess:
    """`code` under config.settings.local, without the variables named (or prefixed) in `drop`."""
    base = (
        {key: value for key, value in os.environ.items() if not key.startswith(drop)}
        if drop
        else dict(os.environ)
    )
    base |= {"DJANGO_SETTINGS_MODULE": "config.settings.local", "PYTHONPATH": str(BACKEND), **env}
    return subprocess.run(
        [sys.executable, "-c", code],
        env=base,
        cwd=BACKEND,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
