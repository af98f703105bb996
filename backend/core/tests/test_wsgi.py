"""The WSGI entry point leaves every startup object out of the garbage collector's reach."""

import os
import subprocess
import sys
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[2]
PROBE = """
import gc, sys
import config.wsgi
print(gc.get_freeze_count(), "apps.movies.views" in sys.modules)
"""


def test_importing_the_application_loads_every_view_and_freezes_the_startup_objects():
    # given a fresh process with the embedded settings
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.local", "PYTHONPATH": str(BACKEND)}
    # when it imports config.wsgi as granian/gunicorn workers do
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        cwd=BACKEND,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # then the URLconf's views were imported before the freeze, and tens of thousands of objects
    # (Django, DRF, the app) are frozen, so a full collection no longer walks them
    assert result.returncode == 0, result.stderr
    frozen, views_loaded = result.stdout.split()
    assert views_loaded == "True"
    assert int(frozen) > 50_000
